package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// A5: a document that does not parse or validate is the caller's mistake: INVALID_INPUT, gqlgen's own code kept in
// extensions.graphqlCode. The HTTP status is still gqlgen's (422 for
// application/json, 400 for application/graphql-response+json, as the
// graphql-over-HTTP spec says).
func TestDocumentErrorsAreInvalidInput(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	for _, tc := range []struct {
		name, query, graphqlCode string
		status, strict           int
	}{
		{"validation", `{nope}`, "GRAPHQL_VALIDATION_FAILED", http.StatusUnprocessableEntity, http.StatusBadRequest},
		{"parse", `{me{email}`, "GRAPHQL_PARSE_FAILED", http.StatusUnprocessableEntity, http.StatusBadRequest},
	} {
		for accept, status := range map[string]int{"application/json": tc.status, "application/graphql-response+json": tc.strict} {
			body, _ := json.Marshal(map[string]any{"query": tc.query})
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", accept)
			req.Header.Set("Authorization", "Bearer "+mona)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var r testenv.Response
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatalf("%s: %s", tc.name, b)
			}
			if res.StatusCode != status || r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["graphqlCode"] != tc.graphqlCode {
				t.Errorf("%s (%s): %d %s, want %d INVALID_INPUT with graphqlCode %s", tc.name, accept, res.StatusCode, b, status, tc.graphqlCode)
			}
		}
	}
}
