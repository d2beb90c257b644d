package graph_test

import (
	"strings"
	"testing"

	"certlink/ent/directoryaccount"
	"certlink/ent/user"

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

// TestEmailsRefuseMixedScripts: an address whose local part or a domain label
// mixes scripts ("mоna@" with a Cyrillic о, a look-alike of mona@) is refused
// with INVALID_INPUT at invitation and at an email change, and so is a verified
// domain in punycode that mixes them; a wholly Cyrillic local part is an
// address of its own. A stored mixed-script address (from before the rule) is
// not rewritten, and signing in or associating with it matches no account.
func TestEmailsRefuseMixedScripts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		for _, bad := range []string{
			"m\u043ena@contoso.example",   // Cyrillic о
			"\u03b1lex@contoso.example",   // Greek α
			"mona\u65e5@contoso.example",  // Han
			"mona@xn--cntoso-wqf.example", // cоntoso in punycode
			"M\u041ena@contoso.example",   // capital Cyrillic О, lower-cased
		} {
			r := e.Do(grace, mInvite, map[string]any{"e": bad})
			if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "mixes letters of different scripts") {
				t.Fatalf("invite %q: %q %v, want INVALID_INPUT about scripts", bad, r.Code(), r.Errors)
			}
		}
		var inv invited
		must(t, e, grace, mInvite, map[string]any{"e": "\u043c\u043e\u043d\u0430@contoso.example"}, &inv) // мона
		if inv.InviteUser.User.Email != "\u043c\u043e\u043d\u0430@contoso.example" {
			t.Fatalf("stored %q", inv.InviteUser.User.Email)
		}
		const mEmail = `mutation($id:ID!,$e:String!){updateUser(input:{id:$id,email:$e}){user{email}}}`
		if got := call(t, e, grace, mEmail, map[string]any{"id": inv.InviteUser.User.ID, "e": "\u043c\u043e\u043da@contoso.example"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("email change to a mixed form: %q, want INVALID_INPUT", got)
		}
		ops := e.Demo("ops@certlink.example")
		if got := call(t, e, ops, mVerifyDomain, map[string]any{"m": "4100001", "d": "xn--cntoso-wqf.example"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("verifying a mixed-script punycode domain: %q, want INVALID_INPUT", got)
		}
		must(t, e, ops, mVerifyDomain, map[string]any{"m": "4100001", "d": "xn--e1afmkfd.example"}, nil) // пример

		// A row stored before the rule keeps its address, but the address
		// signs in to nothing, with the right password too.
		c := e.App.DB.Client
		c.User.Update().Where(user.Email("alex@contoso.example")).SetEmail("\u0430lex@contoso.example").ExecX(sys())
		r := e.Do("", `mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`,
			map[string]any{"e": "\u0430lex@contoso.example", "p": "certlink-demo"})
		if r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("sign-in with a stored mixed-script address: %q, want INVALID_CREDENTIALS", r.Code())
		}
		if n := c.User.Query().Where(user.Email("\u0430lex@contoso.example")).CountX(sys()); n != 1 {
			t.Fatalf("the stored address was rewritten (%d rows keep it)", n)
		}
		c.DirectoryAccount.Update().Where(directoryaccount.Email("jordan@learn.example")).SetEmail("j\u043erdan@learn.example").ExecX(sys())
		mona := e.Demo("mona@contoso.example")
		if got := call(t, e, mona, mAssocLearning, map[string]any{"e": "j\u043erdan@learn.example", "p": "learn-demo"}, nil); got != "INVALID_CREDENTIALS" {
			t.Fatalf("associating a stored mixed-script Learning account: %q, want INVALID_CREDENTIALS", got)
		}
	})
}

// TestWorkEmailsRefuseRoutingCharacters: a work account's address must be at
// one of its organization's verified domains; one whose name part holds an
// old routing character, which some mail servers deliver to another domain,
// is INVALID_INPUT at invitation and at an email change (review:
// x%fabrikam.example@contoso.example was invited and mailed).
func TestWorkEmailsRefuseRoutingCharacters(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	for _, bad := range []string{
		"x%fabrikam.example@contoso.example",
		"fabrikam.example!x@contoso.example",
		`"x@fabrikam.example"@contoso.example`,
		`"x"@contoso.example`,
	} {
		if got := call(t, e, grace, mInvite, map[string]any{"e": bad}, nil); got != "INVALID_INPUT" {
			t.Fatalf("invite %q: %q, want INVALID_INPUT", bad, got)
		}
	}
	var inv invited
	must(t, e, grace, mInvite, map[string]any{"e": "x.y+z@contoso.example"}, &inv)
	const mEmail = `mutation($id:ID!,$e:String!){updateUser(input:{id:$id,email:$e}){user{email}}}`
	if got := call(t, e, grace, mEmail, map[string]any{"id": inv.InviteUser.User.ID, "e": "x%fabrikam.example@contoso.example"}, nil); got != "INVALID_INPUT" {
		t.Fatalf("email change to a routed address: %q, want INVALID_INPUT", got)
	}
}
