package graph_test

import (
	"os"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// GraphiQL's own introspection query (graphql-js getIntrospectionQuery, as
// @graphiql/react sends it: 15 levels deep through its TypeRef fragment) works
// for an admin signed in to the web app, and only for that: the depth limit
// stays 12 for every other operation and every other caller (issue 14).
func TestGraphiQLIntrospectionForAdminsOnly(t *testing.T) {
	raw, err := os.ReadFile("testdata/graphiql-introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	introspection := string(raw)
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	mona := e.Demo("mona@contoso.example")

	for who, tok := range map[string]string{"Global Admin": grace, "MPN Partner Admin": mona} {
		r := e.Do(tok, introspection, nil)
		var out struct {
			Schema struct {
				QueryType struct{ Name string }
				Types     []struct{ Name string }
			} `json:"__schema"`
		}
		r.Decode(t, &out)
		t.Logf("%s: introspection cost %v", who, r.Extensions["cost"])
		if out.Schema.QueryType.Name != "Query" || len(out.Schema.Types) < 50 {
			t.Fatalf("%s: %+v", who, out.Schema.QueryType)
		}
	}
	secret, _ := apiTokenOf(t, e, grace, "[PROGRESS_READ]")
	refused := map[string]string{
		"anonymous":            "",
		"a user":               e.Demo("alex@contoso.example"),
		"an admin's API token": secret,
	}
	for who, tok := range refused {
		if r := e.Do(tok, introspection, nil); len(r.Errors) == 0 {
			t.Errorf("%s ran the deep introspection query", who)
		}
	}
	// The exception is the introspection shape only.
	deep := "{me{organization{users{edges{node{organization{users{edges{node{organization{users{edges{node{email}}}}}}}}}}}}}}"
	mixed := "{__schema{types{fields{type{ofType{ofType{ofType{ofType{ofType{ofType{ofType{ofType{ofType{name}}}}}}}}}}}}} me{organization{users{edges{node{email}}}}}}"
	for _, q := range []string{deep, mixed} {
		if r := e.Do(grace, q, nil); r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "deep") {
			t.Errorf("admin's %.30q: %+v", q, r.Errors)
		}
	}
	// Even for an admin it stays bounded.
	deeper := "{__schema{types{" + strings.Repeat("ofType{", 14) + "name" + strings.Repeat("}", 14) + "}}}"
	if r := e.Do(grace, deeper, nil); r.Code() != "INVALID_INPUT" {
		t.Errorf("17 levels of ofType: %+v", r.Errors)
	}
}
