package graph_test

import (
	"testing"

	"certlink/internal/testenv"
)

// TestEmailsRefuseInvisibleAndFoldLookAlikes: an address holding an invisible
// or control character is refused (INVALID_INPUT), at invitation and at an
// email change; a full-width form is NFKC-normalised to the ASCII address it
// stands for, so it meets the duplicate check, and signing in with it reaches
// the same account.
func TestEmailsRefuseInvisibleAndFoldLookAlikes(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		for _, bad := range []string{
			"alex\u200b@contoso.example", // zero-width space
			"\u00adalex@contoso.example", // soft hyphen
			"alex\u200d@contoso.example", // zero-width joiner
			"al\u202eex@contoso.example", // right-to-left override
			"alex\u3000@contoso.example", // ideographic space
			"alex\ufe0f@contoso.example", // variation selector
			"alex\u0007@contoso.example", // control
			"ale\u2060x@contoso.example", // word joiner
		} {
			if got := call(t, e, grace, mInvite, map[string]any{"e": bad}, nil); got != "INVALID_INPUT" {
				t.Fatalf("invite %q: %q, want INVALID_INPUT", bad, got)
			}
		}
		// Full-width "ａlex@" is alex@: already taken.
		if got := call(t, e, grace, mInvite, map[string]any{"e": "\uff41lex@contoso.example"}, nil); got != "CONFLICT" {
			t.Fatalf("invite full-width alex: %q, want CONFLICT", got)
		}
		// A full-width new address is stored as its ASCII form.
		var inv invited
		must(t, e, grace, mInvite, map[string]any{"e": "\uff4bim@contoso.example"}, &inv)
		if inv.InviteUser.User.Email != "kim@contoso.example" {
			t.Fatalf("stored %q, want kim@contoso.example", inv.InviteUser.User.Email)
		}
		// Signing in with either form reaches the account.
		if tok := e.SignIn("\uff4bim@contoso.example", inv.InviteUser.TemporaryPassword); tok == "" {
			t.Fatal("sign-in with the full-width form failed")
		}
		kim := inv.InviteUser.User.ID
		const mEmail = `mutation($id:ID!,$e:String!){updateUser(input:{id:$id,email:$e}){user{email}}}`
		if got := call(t, e, grace, mEmail, map[string]any{"id": kim, "e": "kim\u200b@contoso.example"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("email change to an invisible form: %q, want INVALID_INPUT", got)
		}
		if got := call(t, e, grace, mEmail, map[string]any{"id": kim, "e": "\uff41lex@contoso.example"}, nil); got != "CONFLICT" {
			t.Fatalf("email change to full-width alex: %q, want CONFLICT", got)
		}
		var up struct {
			UpdateUser struct{ User struct{ Email string } }
		}
		must(t, e, grace, mEmail, map[string]any{"id": kim, "e": "\uff4bim.lee@contoso.example"}, &up)
		if up.UpdateUser.User.Email != "kim.lee@contoso.example" {
			t.Fatalf("email changed to %q", up.UpdateUser.User.Email)
		}
	})
}
