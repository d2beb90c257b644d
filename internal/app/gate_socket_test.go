package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// The gate is the same on a websocket as over HTTP: gqlgen's websocket
// transport creates every operation through the executor, so the lexer pass,
// the rate limit and the argument limits run before parsing there too.
func TestGateOnTheWebsocket(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 8 })
	tok := e.Demo("grace@contoso.example")
	c := bearerWS(t, e, tok)
	o := readOps(c)
	errorOf := func(id string) map[string]any {
		t.Helper()
		m := o.next(t, id, 10*time.Second)
		var errs []map[string]any
		if m.Type != "error" || json.Unmarshal(m.Payload, &errs) != nil || len(errs) == 0 {
			t.Fatalf("%s: %s %s", id, m.Type, m.Payload)
		}
		ext, _ := errs[0]["extensions"].(map[string]any)
		return ext
	}
	send(t, c, subscribeMsg("bomb", "subscription{competencyProgressChanged{"+strings.Repeat("status ", 7400)+"}}"))
	if ext := errorOf("bomb"); ext["code"] != "INVALID_INPUT" || ext["limit"] != "fieldsPerSelectionSet" {
		t.Fatalf("bomb: %v", ext)
	}
	p, _ := json.Marshal(map[string]any{"query": `query($s:String!){me{organization{users(where:{emailContains:$s}){totalCount}}}}`,
		"variables": map[string]any{"s": strings.Repeat("a", 20<<10)}})
	send(t, c, wsMsg{ID: "huge", Type: "subscribe", Payload: p})
	if ext := errorOf("huge"); ext["code"] != "INVALID_INPUT" || ext["limit"] != "argument" {
		t.Fatalf("huge argument: %v", ext)
	}
	// Spend the bucket, then even a bomb is refused for the rate limit first.
	for i := 0; i < 10; i++ {
		id := fmt.Sprint("q", i)
		send(t, c, subscribeMsg(id, "{me{email}}"))
		o.next(t, id, 10*time.Second)
	}
	send(t, c, subscribeMsg("limited", "subscription{competencyProgressChanged{"+strings.Repeat("status ", 7400)+"}}"))
	if ext := errorOf("limited"); ext["code"] != "RATE_LIMITED" {
		t.Fatalf("rate limited: %v", ext)
	}
}
