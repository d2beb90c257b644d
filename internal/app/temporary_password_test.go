package app_test

import (
	"testing"

	"certlink/internal/testenv"
)

// The invitation mails its temporary password in clear (U2): changePassword
// refuses it as a new password, on the first change and on every later one,
// and after a resend the newer temporary password is the one refused.
func TestChangePasswordRefusesTheInvitationsTemporaryPassword(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		var inv struct {
			InviteUser struct{ TemporaryPassword string }
		}
		e.Do(grace, `mutation{inviteUser(input:{email:"casey@contoso.example",name:"Casey Jones",roles:[]}){temporaryPassword}}`, nil).Decode(t, &inv)
		first := inv.InviteUser.TemporaryPassword
		var again struct {
			ResendInvite struct{ TemporaryPassword string }
		}
		e.Do(grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": userID(t, e, "casey@contoso.example")}).Decode(t, &again)
		temp := again.ResendInvite.TemporaryPassword
		if temp == "" || temp == first {
			t.Fatalf("resend gave %q after %q", temp, first)
		}

		change := `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{email}}}`
		casey := e.SignIn("casey@contoso.example", temp)
		const own, later = "harbor-lantern-57-blue", "quiet-meadow-93-green"
		if r := e.Do(casey, change, map[string]any{"c": temp, "n": own}); r.Code() != "" {
			t.Fatalf("first change: %s", r.Code())
		}
		casey = e.SignIn("casey@contoso.example", own)
		if r := e.Do(casey, change, map[string]any{"c": own, "n": temp}); r.Code() != "INVALID_INPUT" {
			t.Fatalf("changing back to the temporary password: code %q, want INVALID_INPUT", r.Code())
		}
		// The refusal changed nothing: the own password still signs in and
		// a password of the user's own is still accepted.
		casey = e.SignIn("casey@contoso.example", own)
		if r := e.Do(casey, change, map[string]any{"c": own, "n": later}); r.Code() != "" {
			t.Fatalf("a later change: %s", r.Code())
		}
		casey = e.SignIn("casey@contoso.example", later)
		if r := e.Do(casey, change, map[string]any{"c": later, "n": temp}); r.Code() != "INVALID_INPUT" {
			t.Fatalf("after a later change, the temporary password: code %q, want INVALID_INPUT", r.Code())
		}
	})
}
