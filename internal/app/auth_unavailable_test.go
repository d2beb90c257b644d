package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// When a sign-in cannot be checked (the database does not answer), /graphql
// answers in GraphQL's shape with a code the caller can retry — 503,
// errors[].extensions.code UNAVAILABLE (A5) — and the CSV endpoints in
// theirs; never a bare text/plain 503 (outside review: a cluster that lost
// its quorum answered "authentication is unavailable" with no code).
func TestSignInUncheckableAnswersCoded(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	if err := e.App.DB.SQL.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/graphql", `{"query":"{me{email}}"}`},
		{"GET", "/graphql?query=%7Bme%7Bemail%7D%7D", ""},
		{"GET", "/reports/skills.csv", ""},
	} {
		req, _ := http.NewRequest(c.method, e.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+grace)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
			Error *struct{ Code string }
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Fatalf("%s %s: %d %v (Retry-After %q)", c.method, c.path, res.StatusCode, err, res.Header.Get("Retry-After"))
		}
		if strings.HasPrefix(c.path, "/graphql") {
			if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "UNAVAILABLE" {
				t.Fatalf("%s %s: %+v, want a GraphQL error coded UNAVAILABLE", c.method, c.path, out)
			}
		} else if out.Error == nil || out.Error.Code != "UNAVAILABLE" {
			t.Fatalf("%s %s: %+v, want {error:{code:UNAVAILABLE}}", c.method, c.path, out)
		}
	}
}
