package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"certlink/internal/testenv"
)

// FuzzGraphQLRequest throws arbitrary bodies at /graphql as a signed-in user:
// whatever arrives, the answer is never a 5xx and is always JSON with coded
// errors — no panic, no stack trace, no SQL.
func FuzzGraphQLRequest(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{me{email}}"}`,
		`{"query":"mutation{associateLearningAccount(input:{email:\"jordan@learn.example\",password:\"learn-demo\"}){user{email}}}"}`,
		`{"query":"{node(id:\"1\"){id}}"}`,
		`{"query":"query($f:Int){me{organization{users(first:$f){totalCount}}}}","variables":{"f":"x"}}`,
		`{"query":"{me{organization{users(where:{emailContains:\"'; DROP TABLE users; --\"}){edges{node{email}}}}}}"}`,
		`{"query":"{__typename}"}`, `{"query":"{"}`, `{"query":null}`, `[]`, `{}`, ``, `{"query":"{me{email}}","operationName":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	e := testenv.Start(f, testenv.SQLite)
	tok := e.Demo("grace@contoso.example")
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("status %d for %q: %s", res.StatusCode, body, raw)
		}
		var out struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("non-JSON answer %q for %q", raw, body)
		}
		for _, e := range out.Errors {
			if e.Extensions["code"] == nil {
				t.Fatalf("error without code for %q: %+v", body, e)
			}
			if e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("internal error for %q: %s", body, e.Message)
			}
			for _, leak := range []string{"sql", "SELECT", "goroutine", ".go:"} {
				if bytes.Contains([]byte(e.Message), []byte(leak)) {
					t.Fatalf("leak %q in %q", leak, e.Message)
				}
			}
		}
	})
}
