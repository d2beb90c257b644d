package app_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestLargeBodiesShareADecodeBudget: while the process decodes as many large
// bodies as its budget allows, another large one is refused 503 UNAVAILABLE
// at once, and small ones still run (review: 300 addresses each sending 1 MB
// bodies of 90,000 names, each address within its own points, took 4.4 GB
// and stalled everyone's requests for seconds).
func TestLargeBodiesShareADecodeBudget(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	names := make(map[string]int, 10000)
	for i := range 10000 {
		names["name"+strconv.Itoa(i)] = i
	}
	large, _ := json.Marshal(map[string]any{"query": "query($x:String){__typename}", "variables": map[string]any{"y": names}})
	if len(large) < 100<<10 {
		t.Fatalf("the large body is %d bytes", len(large))
	}
	post := func(body string) (int, string) {
		res, b := e.Post(grace, "/graphql", "application/json", body)
		return res.StatusCode, string(b)
	}
	release := e.App.FillDecodeRoom()
	if status, body := post(string(large)); status != 503 || !strings.Contains(body, `"UNAVAILABLE"`) {
		t.Fatalf("a large body with no room: %d %.300s", status, body)
	}
	if status, body := post(`{"query":"{me{email}}"}`); status != 200 || !strings.Contains(body, "grace@contoso.example") {
		t.Fatalf("a small body with no room: %d %.300s", status, body)
	}
	release()
	if status, body := post(string(large)); status == 503 {
		t.Fatalf("a large body once there is room: %d %.300s", status, body)
	}
}
