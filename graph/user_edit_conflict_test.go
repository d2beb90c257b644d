package graph_test

import (
	"testing"

	"certlink/internal/testenv"
)

// TestEditsMadeFromWhatWasSeen: an edit or a role change that says what it
// was made from is refused CONFLICT once the account changed since, and
// changes nothing; made from what the account is, it goes through. A review's
// two admins editing one account in two tabs saw the second overwrite the
// first unseen.
func TestEditsMadeFromWhatWasSeen(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		alex := userID(t, e, "alex@contoso.example")
		const (
			update = `mutation($id:ID!,$n:String!,$en:String,$ee:String){updateUser(input:{id:$id,name:$n,expectedName:$en,expectedEmail:$ee}){user{name}}}`
			roles  = `mutation($id:ID!,$r:[Role!]!,$er:[Role!]){assignRoles(input:{userId:$id,roles:$r,expectedRoles:$er}){user{roles}}}`
		)
		name := func() string {
			var out struct{ Node struct{ Name string } }
			must(t, e, grace, `query($id:ID!){node(id:$id){... on User{name}}}`, map[string]any{"id": alex}, &out)
			return out.Node.Name
		}
		// Tab A saves from what it saw.
		must(t, e, grace, update, map[string]any{"id": alex, "n": "Alex From A", "en": "Alex Wilber", "ee": "alex@contoso.example"}, nil)
		// Tab B, still showing "Alex Wilber", is refused and changes nothing.
		if r := e.Do(grace, update, map[string]any{"id": alex, "n": "Alex From B", "en": "Alex Wilber"}); r.Refusal() != "CONFLICT/CHANGED_SINCE" {
			t.Fatalf("an edit from a stale name: %s %+v", r.Refusal(), r.Errors)
		}
		if r := e.Do(grace, update, map[string]any{"id": alex, "n": "Alex From B", "ee": "someone@contoso.example"}); r.Refusal() != "CONFLICT/CHANGED_SINCE" {
			t.Fatalf("an edit from a stale email: %s %+v", r.Refusal(), r.Errors)
		}
		if got := name(); got != "Alex From A" {
			t.Fatalf("alex is %q after the refused edits", got)
		}
		// Without expectations it overwrites, as before; the email compares as emails do.
		must(t, e, grace, update, map[string]any{"id": alex, "n": "Alex From B", "en": "Alex From A", "ee": "ALEX@contoso.example"}, nil)
		if got := name(); got != "Alex From B" {
			t.Fatalf("alex is %q", got)
		}

		// Roles: made from [] goes through; made from [] again, once they are not, is refused.
		must(t, e, grace, roles, map[string]any{"id": alex, "r": []string{"MPN_PARTNER_ADMIN"}, "er": []string{}}, nil)
		if r := e.Do(grace, roles, map[string]any{"id": alex, "r": []string{"ACCOUNT_ADMIN"}, "er": []string{}}); r.Refusal() != "CONFLICT/CHANGED_SINCE" {
			t.Fatalf("roles from stale roles: %s %+v", r.Refusal(), r.Errors)
		}
		var out struct{ Node struct{ Roles []string } }
		must(t, e, grace, `query($id:ID!){node(id:$id){... on User{roles}}}`, map[string]any{"id": alex}, &out)
		if len(out.Node.Roles) != 1 || out.Node.Roles[0] != "MPN_PARTNER_ADMIN" {
			t.Fatalf("alex's roles after the refused change: %v", out.Node.Roles)
		}
	})
}
