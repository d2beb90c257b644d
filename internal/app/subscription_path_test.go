package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// An error in a subscription's answer has the path the same error has in a
// query's: from the root field (outside review: [0,"levels",…] over the
// websocket, ["competencyProgress",0,"levels",…] over HTTP). With an alias,
// the alias.
func TestSubscriptionErrorPathsStartAtTheRootField(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	var out struct {
		CreateAPIToken struct{ Secret string } `json:"createApiToken"`
	}
	e.Do(grace, `mutation{createApiToken(input:{name:"paths",scopes:[PROGRESS_READ]}){secret}}`, nil).Decode(t, &out)
	tok := out.CreateAPIToken.Secret
	// A token without USERS_READ may not read people's roles: a field error.
	const sel = `{levels{options{requirements{people{roles}}}}}`
	r := e.Do(tok, `{competencyProgress`+sel+`}`, nil)
	if len(r.Errors) == 0 {
		t.Fatal("the query's roles: no error")
	}
	// The errors come in no fixed order: their paths below the root field
	// are compared as a set.
	want := map[string]bool{}
	for _, e := range r.Errors {
		if len(e.Path) == 0 || e.Path[0] != "competencyProgress" {
			t.Fatalf("the query's error path: %v", e.Path)
		}
		want[fmt.Sprint(e.Path[1:])] = true
	}
	c := bearerWS(t, e, tok)
	o := readOps(c)
	for id, q := range map[string]string{"plain": `subscription{competencyProgressChanged` + sel + `}`, "aliased": `subscription{p: competencyProgressChanged` + sel + `}`} {
		send(t, c, subscribeMsg(id, q))
		m := o.next(t, id, 10*time.Second)
		var p struct{ Errors []struct{ Path []any } }
		if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) == 0 {
			t.Fatalf("%s: %s %s", id, m.Type, m.Payload)
		}
		root := "competencyProgressChanged"
		if id == "aliased" {
			root = "p"
		}
		if len(p.Errors) != len(r.Errors) {
			t.Fatalf("%s: %d errors, the query %d", id, len(p.Errors), len(r.Errors))
		}
		for _, e := range p.Errors {
			if len(e.Path) == 0 || e.Path[0] != root || !want[fmt.Sprint(e.Path[1:])] {
				t.Fatalf("%s: the subscription's error path %v, want one of the query's below %s: %v", id, e.Path, root, want)
			}
		}
	}
}
