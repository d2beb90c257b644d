package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// The report and ingest endpoints answer a wrong method or an unknown path
// in their JSON shape with a code, not the web app's text/plain (outside
// review: POST /reports/skills.csv was a text/plain 405).
func TestAPIPathsAnswerJSONForWrongMethodsAndPaths(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	for _, c := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"POST", "/reports/skills.csv", 405, "METHOD_NOT_ALLOWED", "GET"},
		{"DELETE", "/reports/audit.csv", 405, "METHOD_NOT_ALLOWED", "GET"},
		{"POST", "/ingest/jobs", 405, "METHOD_NOT_ALLOWED", "GET"},
		{"PUT", "/ingest/jobs/12", 405, "METHOD_NOT_ALLOWED", "GET"},
		{"GET", "/ingest", 405, "METHOD_NOT_ALLOWED", "POST"},
		{"GET", "/ingest/metrics", 405, "METHOD_NOT_ALLOWED", "POST"},
		{"GET", "/reports/nothing.csv", 404, "NOT_FOUND", ""},
		{"GET", "/ingest/elsewhere", 404, "NOT_FOUND", ""},
	} {
		req, _ := http.NewRequest(c.method, e.URL+c.path, strings.NewReader(""))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Error *struct{ Code, Message string }
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil || res.StatusCode != c.status || out.Error == nil || out.Error.Code != c.code || res.Header.Get("Allow") != c.allow {
			t.Fatalf("%s %s: %d %+v %v (Allow %q)", c.method, c.path, res.StatusCode, out.Error, err, res.Header.Get("Allow"))
		}
	}
	// The endpoints themselves still answer.
	if res, _ := e.Get("", "/reports/skills.csv"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /reports/skills.csv signed out: %d", res.StatusCode)
	}
}
