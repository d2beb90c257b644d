package graph_test

import (
	"strings"
	"testing"

	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/testenv"
)

// badNames are names inviteUser and updateUser refuse: control characters
// (C0, DEL, C1), inner line breaks, line and paragraph separators and the
// bidirectional controls.
var badNames = []string{
	"Alex\r\nBcc: attacker@evil.example",
	"Alex\nWilber", "Alex\rWilber", "Alex\tWilber",
	"Alex\x00Wilber", "Alex\aWilber", "Alex\x1b[31mWilber", "Alex\x7fWilber",
	"Alex\u0085Wilber", "Alex\u009bWilber",
	"Alex\u2028Wilber", "Alex\u2029Wilber",
	"Alex\u202aWilber", "Alex\u202bWilber", "Alex\u202cWilber", "Alex\u202dWilber", "Alex\u202eWilber",
	"Alex\u2066Wilber", "Alex\u2067Wilber", "Alex\u2068Wilber", "Alex\u2069Wilber",
	"Alex\u200eWilber", "Alex\u200fWilber", "Alex\u061cWilber",
	"Alex\ufffdWilber", // what invalid UTF-8 in the request decodes to
	strings.Repeat("x", 201), strings.Repeat("日", 201), "",
}

// TestNamesRefuseControlsAndCountCharacters: inviteUser and updateUser refuse
// each bad name with INVALID_INPUT and store nothing; a name of 200
// characters is accepted whatever its bytes; token names and ticket subjects
// follow the same rule, a ticket's body keeps its line breaks.
func TestNamesRefuseControlsAndCountCharacters(t *testing.T) {
	const (
		mInviteNamed = `mutation($e:String!,$n:String!){inviteUser(input:{email:$e,name:$n}){user{id name}}}`
		mToken       = `mutation($n:String!){createApiToken(input:{name:$n,scopes:[REPORT_READ]}){token{name}}}`
		mTicket      = `mutation($s:String!,$b:String!){createSupportTicket(input:{category:"OTHER",subject:$s,body:$b}){id subject body}}`
	)
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		grace := e.Demo("grace@contoso.example")
		users := c.User.Query().CountX(sys())
		alex := userID(t, e, "alex@contoso.example")
		for _, bad := range badNames {
			if got := call(t, e, grace, mInviteNamed, map[string]any{"e": "new.person@contoso.example", "n": bad}, nil); got != "INVALID_INPUT" {
				t.Fatalf("invite named %q: %q, want INVALID_INPUT", bad, got)
			}
			if got := call(t, e, grace, mUpdate, map[string]any{"id": alex, "n": bad}, nil); got != "INVALID_INPUT" {
				t.Fatalf("rename to %q: %q, want INVALID_INPUT", bad, got)
			}
			if got := call(t, e, grace, mToken, map[string]any{"n": bad}, nil); got != "INVALID_INPUT" {
				t.Fatalf("token named %q: %q, want INVALID_INPUT", bad, got)
			}
			subject := bad
			if len([]rune(bad)) > 200 { // a subject holds 300
				subject = strings.Repeat(bad[:len(bad)/201], 301)
			}
			if got := call(t, e, grace, mTicket, map[string]any{"s": subject, "b": "body"}, nil); got != "INVALID_INPUT" {
				t.Fatalf("ticket subject %q: %q, want INVALID_INPUT", subject, got)
			}
		}
		r := e.Do(grace, mUpdate, map[string]any{"id": alex, "n": "Alex\u202eWilber"})
		if msg := r.Errors[0].Message; !strings.Contains(msg, "control characters") || !strings.Contains(msg, "direction overrides") {
			t.Fatalf("refusal %q does not say what is wrong", msg)
		}
		if n := c.User.Query().CountX(sys()); n != users {
			t.Fatalf("%d users after refusals, %d before", n, users)
		}
		if n := c.User.Query().Where(user.Email("alex@contoso.example"), user.Name("Alex Wilber")).CountX(sys()); n != 1 {
			t.Fatal("alex's name changed on a refusal")
		}
		if n := c.Token.Query().Where(token.KindEQ(token.KindAPI)).CountX(sys()); n != 0 {
			t.Fatalf("%d API tokens stored after refusals", n)
		}
		if n := c.SupportTicket.Query().CountX(sys()); n != 0 {
			t.Fatalf("%d tickets stored after refusals", n)
		}

		// 200 characters, 400 to 600 bytes, are accepted (and NFC-normalised).
		for i, good := range []string{strings.Repeat("日本", 100), strings.Repeat("é", 200), strings.Repeat("e\u0301", 200), strings.Repeat("Ω日é", 66) + "ß👩"} {
			var inv struct {
				InviteUser struct{ User struct{ ID, Name string } }
			}
			want := strings.ReplaceAll(good, "e\u0301", "é")
			must(t, e, grace, mInviteNamed, map[string]any{"e": "p" + string(rune('a'+i)) + "@contoso.example", "n": good}, &inv)
			if inv.InviteUser.User.Name != want {
				t.Fatalf("invited as %q, want %q", inv.InviteUser.User.Name, want)
			}
			var up struct {
				UpdateUser struct{ User struct{ Name string } }
			}
			must(t, e, grace, mUpdate, map[string]any{"id": alex, "n": good}, &up)
			if up.UpdateUser.User.Name != want {
				t.Fatalf("renamed to %q, want %q", up.UpdateUser.User.Name, want)
			}
			if got := c.User.Query().Where(user.Email("alex@contoso.example")).OnlyX(sys()).Name; got != want {
				t.Fatalf("stored %q, want %q", got, want)
			}
		}
		must(t, e, grace, mToken, map[string]any{"n": strings.Repeat("日本", 100)}, nil)

		// A ticket's body keeps line breaks and tabs, refuses other controls.
		if got := call(t, e, grace, mTicket, map[string]any{"s": "Help", "b": "one\u202etwo"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("ticket body with an override: %q, want INVALID_INPUT", got)
		}
		if got := call(t, e, grace, mTicket, map[string]any{"s": "Help", "b": "one\x00two"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("ticket body with NUL: %q, want INVALID_INPUT", got)
		}
		must(t, e, grace, mTicket, map[string]any{"s": strings.Repeat("ü", 300), "b": "line one\r\n\tline two"}, nil)
		tk := c.SupportTicket.Query().OnlyX(sys())
		if tk.Body != "line one\n\tline two" || tk.Subject != strings.Repeat("ü", 300) {
			t.Fatalf("ticket stored as %q / %q", tk.Subject, tk.Body)
		}
	})
}
