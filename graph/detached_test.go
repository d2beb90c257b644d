package graph_test

import (
	"testing"

	"certlink/internal/testenv"
)

// TestPayloadEdgesAfterCommit: every mutation answering a work account
// resolves its organization, an edge loaded after the mutation's transaction
// committed. An entity returned bound to its transaction fails there ("sql:
// transaction has already been committed"): changePassword reported failure
// after it had succeeded, and the person retried with the old password.
func TestPayloadEdgesAfterCommit(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace, riley := e.Demo("grace@contoso.example"), e.Demo("riley@contoso.example")
		rileyID := userID(t, e, "riley@contoso.example")
		var invited struct {
			InviteUser struct {
				User struct {
					ID           string
					Organization struct{ Name string }
				}
			}
		}
		must(t, e, grace, `mutation{inviteUser(input:{email:"casey@contoso.example",name:"Casey Jones",roles:[]}){user{id organization{name}}}}`, nil, &invited)
		casey := invited.InviteUser.User.ID
		for _, c := range []struct {
			name, tok, query string
			vars             map[string]any
			path             func(out map[string]any) any
		}{
			{"inviteUser", grace, `mutation{inviteUser(input:{email:"drew@contoso.example",name:"Drew",roles:[]}){user{organization{name}}}}`, nil,
				func(o map[string]any) any { return o["inviteUser"] }},
			{"resendInvite", grace, `mutation($id:ID!){resendInvite(id:$id){user{organization{name}}}}`, map[string]any{"id": casey},
				func(o map[string]any) any { return o["resendInvite"] }},
			{"updateUser", grace, `mutation($id:ID!){updateUser(input:{id:$id,name:"Casey J."}){user{organization{name}}}}`, map[string]any{"id": casey},
				func(o map[string]any) any { return o["updateUser"] }},
			{"assignRoles", grace, `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[MPN_PARTNER_ADMIN]}){user{organization{name}}}}`, map[string]any{"id": rileyID},
				func(o map[string]any) any { return o["assignRoles"] }},
			{"changePassword", riley, `mutation{changePassword(input:{currentPassword:"certlink-demo",newPassword:"quiet-harbor-lantern-7"}){user{organization{name}}}}`, nil,
				func(o map[string]any) any { return o["changePassword"] }},
		} {
			var out map[string]any
			must(t, e, c.tok, c.query, c.vars, &out)
			user, _ := c.path(out).(map[string]any)["user"].(map[string]any)
			org, _ := user["organization"].(map[string]any)
			if org["name"] != "Contoso Ltd" {
				t.Fatalf("%s: user.organization = %v", c.name, user["organization"])
			}
		}
		// The new password works, the old one does not: it did change.
		if r := e.Do("", `mutation{signIn(input:{email:"riley@contoso.example",password:"quiet-harbor-lantern-7"}){token}}`, nil); r.Code() != "" {
			t.Fatalf("sign-in with the new password: %q", r.Code())
		}
	})
}
