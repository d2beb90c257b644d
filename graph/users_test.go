package graph_test

import (
	"strings"
	"testing"
	"time"

	"certlink/internal/testenv"
)

const (
	qUsers    = `{users(first:50){totalCount edges{node{email roles}}}}`
	mInvite   = `mutation($e:String!,$r:[Role!]){inviteUser(input:{email:$e,name:"New Person",roles:$r}){user{id email roles mustChangePassword} temporaryPassword}}`
	mAssign   = `mutation($id:ID!,$r:[Role!]!){assignRoles(input:{userId:$id,roles:$r}){user{email roles}}}`
	mDelete   = `mutation($id:ID!){deleteUser(id:$id){deletedUserId}}`
	mUpdate   = `mutation($id:ID!,$e:String,$n:String){updateUser(input:{id:$id,email:$e,name:$n}){user{email name}}}`
	mChangePw = `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{email mustChangePassword}}}`
)

type invited struct {
	InviteUser struct {
		User struct {
			ID, Email          string
			Roles              []string
			MustChangePassword bool
		}
		TemporaryPassword string
	}
}

// withRole invites a user with roles as grace and signs them in with a password of their own.
func withRole(t *testing.T, e *testenv.Env, email string, roles ...string) (tok, id string) {
	t.Helper()
	grace := e.Demo("grace@contoso.example")
	var inv invited
	must(t, e, grace, mInvite, map[string]any{"e": email, "r": roles}, &inv)
	tmp := e.SignIn(email, inv.InviteUser.TemporaryPassword)
	must(t, e, tmp, mChangePw, map[string]any{"c": inv.InviteUser.TemporaryPassword, "n": "a-password-of-mine"}, nil)
	return e.SignIn(email, "a-password-of-mine"), inv.InviteUser.User.ID
}

func TestUsersAuthorization(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		aa, _ := withRole(t, e, "acc@contoso.example", "ACCOUNT_ADMIN")
		uma, _ := withRole(t, e, "uma@contoso.example", "USER_MANAGEMENT_ADMIN")
		toks := map[string]string{
			"GLOBAL_ADMIN":           e.Demo("grace@contoso.example"),
			"MPN_PARTNER_ADMIN":      e.Demo("mona@contoso.example"),
			"ACCOUNT_ADMIN":          aa,
			"USER_MANAGEMENT_ADMIN":  uma,
			"user":                   e.Demo("alex@contoso.example"),
			"OPERATOR":               e.Demo("ops@certlink.example"),
			"other org GLOBAL_ADMIN": e.Demo("sam@fabrikam.example"),
			"anonymous":              "",
		}
		riley := userID(t, e, "riley@contoso.example")
		grace := userID(t, e, "grace@contoso.example")
		lee := userID(t, e, "lee@fabrikam.example")
		cases := []struct {
			name, who, q string
			vars         map[string]any
			want         string
		}{
			{"GA lists", "GLOBAL_ADMIN", qUsers, nil, ""},
			{"MPN lists (sees roles)", "MPN_PARTNER_ADMIN", qUsers, nil, ""},
			{"AA lists", "ACCOUNT_ADMIN", qUsers, nil, ""},
			{"UMA lists", "USER_MANAGEMENT_ADMIN", qUsers, nil, ""},
			{"user cannot list", "user", qUsers, nil, "FORBIDDEN"},
			{"operator (no org) cannot list", "OPERATOR", qUsers, nil, "FORBIDDEN"},
			{"anonymous cannot list", "anonymous", qUsers, nil, "UNAUTHENTICATED"},

			{"GA invites an Account Admin", "GLOBAL_ADMIN", mInvite, map[string]any{"e": "n1@contoso.example", "r": []string{"ACCOUNT_ADMIN"}}, ""},
			{"AA invites MPN admin", "ACCOUNT_ADMIN", mInvite, map[string]any{"e": "n2@contoso.example", "r": []string{"MPN_PARTNER_ADMIN"}}, ""},
			{"AA cannot invite a GA", "ACCOUNT_ADMIN", mInvite, map[string]any{"e": "n3@contoso.example", "r": []string{"GLOBAL_ADMIN"}}, "FORBIDDEN"},
			{"UMA invites a default user", "USER_MANAGEMENT_ADMIN", mInvite, map[string]any{"e": "n4@contoso.example", "r": []string{}}, ""},
			{"UMA cannot grant roles", "USER_MANAGEMENT_ADMIN", mInvite, map[string]any{"e": "n5@contoso.example", "r": []string{"MPN_PARTNER_ADMIN"}}, "FORBIDDEN"},
			{"MPN cannot invite", "MPN_PARTNER_ADMIN", mInvite, map[string]any{"e": "n6@contoso.example", "r": []string{}}, "FORBIDDEN"},
			{"user cannot invite", "user", mInvite, map[string]any{"e": "n7@contoso.example", "r": []string{}}, "FORBIDDEN"},
			{"operator cannot invite", "OPERATOR", mInvite, map[string]any{"e": "n8@contoso.example", "r": []string{}}, "FORBIDDEN"},
			{"nobody grants OPERATOR on invite", "GLOBAL_ADMIN", mInvite, map[string]any{"e": "n9@contoso.example", "r": []string{"OPERATOR"}}, "FORBIDDEN"},
			{"duplicate email", "GLOBAL_ADMIN", mInvite, map[string]any{"e": "Riley@Contoso.example", "r": []string{}}, "CONFLICT"},
			{"bad email", "GLOBAL_ADMIN", mInvite, map[string]any{"e": "not-an-email", "r": []string{}}, "INVALID_INPUT"},

			{"GA assigns MPN", "GLOBAL_ADMIN", mAssign, map[string]any{"id": riley, "r": []string{"MPN_PARTNER_ADMIN"}}, ""},
			{"AA assigns UMA", "ACCOUNT_ADMIN", mAssign, map[string]any{"id": riley, "r": []string{"USER_MANAGEMENT_ADMIN"}}, ""},
			{"AA cannot grant GA", "ACCOUNT_ADMIN", mAssign, map[string]any{"id": riley, "r": []string{"GLOBAL_ADMIN"}}, "FORBIDDEN"},
			{"AA cannot change a GA", "ACCOUNT_ADMIN", mAssign, map[string]any{"id": grace, "r": []string{"GLOBAL_ADMIN", "MPN_PARTNER_ADMIN"}}, "FORBIDDEN"},
			{"MPN cannot assign", "MPN_PARTNER_ADMIN", mAssign, map[string]any{"id": riley, "r": []string{}}, "FORBIDDEN"},
			{"UMA cannot assign", "USER_MANAGEMENT_ADMIN", mAssign, map[string]any{"id": riley, "r": []string{}}, "FORBIDDEN"},
			{"user cannot assign", "user", mAssign, map[string]any{"id": riley, "r": []string{"GLOBAL_ADMIN"}}, "FORBIDDEN"},
			{"operator cannot assign", "OPERATOR", mAssign, map[string]any{"id": riley, "r": []string{}}, "FORBIDDEN"},
			{"nobody grants OPERATOR", "GLOBAL_ADMIN", mAssign, map[string]any{"id": riley, "r": []string{"OPERATOR"}}, "FORBIDDEN"},
			{"last GA keeps the role", "GLOBAL_ADMIN", mAssign, map[string]any{"id": grace, "r": []string{}}, "CONFLICT"},
			{"another org's user is not found", "GLOBAL_ADMIN", mAssign, map[string]any{"id": lee, "r": []string{}}, "NOT_FOUND"},
			{"other org GA cannot reach riley", "other org GLOBAL_ADMIN", mAssign, map[string]any{"id": riley, "r": []string{}}, "NOT_FOUND"},

			{"GA corrects email", "GLOBAL_ADMIN", mUpdate, map[string]any{"id": riley, "e": "riley.chen@contoso.example"}, ""},
			{"MPN cannot correct", "MPN_PARTNER_ADMIN", mUpdate, map[string]any{"id": riley, "n": "X"}, "FORBIDDEN"},
			{"UMA cannot correct a GA", "USER_MANAGEMENT_ADMIN", mUpdate, map[string]any{"id": grace, "n": "X"}, "FORBIDDEN"},
			{"other org cannot correct", "other org GLOBAL_ADMIN", mUpdate, map[string]any{"id": riley, "n": "X"}, "NOT_FOUND"},

			{"user cannot delete", "user", mDelete, map[string]any{"id": riley}, "FORBIDDEN"},
			{"MPN cannot delete", "MPN_PARTNER_ADMIN", mDelete, map[string]any{"id": riley}, "FORBIDDEN"},
			{"operator cannot delete", "OPERATOR", mDelete, map[string]any{"id": riley}, "FORBIDDEN"},
			{"other org cannot delete", "other org GLOBAL_ADMIN", mDelete, map[string]any{"id": riley}, "NOT_FOUND"},
			{"AA cannot delete a GA", "ACCOUNT_ADMIN", mDelete, map[string]any{"id": grace}, "FORBIDDEN"},
			{"GA cannot delete themself", "GLOBAL_ADMIN", mDelete, map[string]any{"id": grace}, "CONFLICT"},
			{"unknown id", "GLOBAL_ADMIN", mDelete, map[string]any{"id": e.ID(999999)}, "NOT_FOUND"},
			{"made-up id", "GLOBAL_ADMIN", mDelete, map[string]any{"id": "999999"}, "INVALID_INPUT"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if got := call(t, e, toks[c.who], c.q, c.vars, nil); got != c.want {
					t.Fatalf("%s as %s: got code %q, want %q", c.name, c.who, got, c.want)
				}
			})
		}
		// The listing is the organization's only, roles included for an MPN admin.
		var out struct {
			Users struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Email string
						Roles []string
					}
				}
			}
		}
		must(t, e, toks["MPN_PARTNER_ADMIN"], qUsers, nil, &out)
		for _, ed := range out.Users.Edges {
			if ed.Node.Email == "lee@fabrikam.example" || ed.Node.Email == "sam@fabrikam.example" {
				t.Fatalf("another organization's user listed: %s", ed.Node.Email)
			}
		}
		if out.Users.TotalCount < 6 {
			t.Fatalf("want contoso's users, got %d", out.Users.TotalCount)
		}
	})
}

func TestInviteFirstSignInAndResend(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		var inv invited
		must(t, e, grace, mInvite, map[string]any{"e": "Kim@Contoso.example", "r": []string{"MPN_PARTNER_ADMIN"}}, &inv)
		u := inv.InviteUser.User
		if u.Email != "kim@contoso.example" || !u.MustChangePassword || len(u.Roles) != 1 || inv.InviteUser.TemporaryPassword == "" {
			t.Fatalf("invited: %+v", inv)
		}
		// Resending gives a new password; the first stops working.
		must(t, e, grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": u.ID}, nil)
		var re struct {
			ResendInvite struct{ TemporaryPassword string }
		}
		must(t, e, grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": u.ID}, &re)
		temp := re.ResendInvite.TemporaryPassword
		if temp == inv.InviteUser.TemporaryPassword {
			t.Fatal("resend kept the old temporary password")
		}
		if r := e.Do("", `mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`,
			map[string]any{"e": "kim@contoso.example", "p": inv.InviteUser.TemporaryPassword}); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("old temporary password: %q", r.Code())
		}
		tmp := e.SignIn("kim@contoso.example", temp)
		// Until a password is chosen only me / changePassword / signOut work.
		if got := call(t, e, tmp, qUsers, nil, nil); got != "FORBIDDEN/PASSWORD_CHANGE_REQUIRED" {
			t.Fatalf("users before password change: %q", got)
		}
		var me struct {
			Me struct {
				Email              string
				MustChangePassword bool
			}
		}
		must(t, e, tmp, `{me{email mustChangePassword}}`, nil, &me)
		if !me.Me.MustChangePassword {
			t.Fatal("me does not say a password change is due")
		}
		if got := call(t, e, tmp, mChangePw, map[string]any{"c": "wrong", "n": "an-own-password-at-last"}, nil); got != "INVALID_CREDENTIALS" {
			t.Fatalf("wrong current password: %q", got)
		}
		if got := call(t, e, tmp, mChangePw, map[string]any{"c": temp, "n": "short"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("short password: %q", got)
		}
		must(t, e, tmp, mChangePw, map[string]any{"c": temp, "n": "an-own-password-at-last"}, nil)
		if got := call(t, e, tmp, qUsers, nil, nil); got != "" {
			t.Fatalf("users after password change: %q", got)
		}
		if got := call(t, e, grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": u.ID}, nil); got != "CONFLICT" {
			t.Fatalf("resend after first sign-in: %q", got)
		}
		// The invitation went to the dev mailbox (twice: invite and resend), readable by grace.
		testenv.Eventually(t, 10*time.Second, func() bool {
			var box struct {
				DevMailbox struct {
					Edges []struct {
						Node struct{ To, Subject, Body string }
					}
				}
			}
			must(t, e, grace, `{devMailbox(first:20){edges{node{to subject body}}}}`, nil, &box)
			n := 0
			for _, ed := range box.DevMailbox.Edges {
				if ed.Node.To == "kim@contoso.example" && strings.Contains(ed.Node.Subject, "invited") {
					if strings.Contains(ed.Node.Body, temp) {
						t.Fatal("a temporary password was mailed")
					}
					n++
				}
			}
			return n == 3
		}, "three invitation mails in the dev mailbox")
		if got := call(t, e, e.Demo("alex@contoso.example"), `{devMailbox{totalCount}}`, nil, nil); got != "FORBIDDEN" {
			t.Fatalf("a default user read the dev mailbox: %q", got)
		}
	})
}

// Competencies are the Global Admins' and MPN Partner Admins' (C7): an
// account or user management admin read the at-risk mail to grace and mona
// in the dev mailbox (a review). They see the invitations and mail to
// themselves; the competency admins see it all.
func TestDevMailboxKeepsCompetencyMailFromUserAdmins(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		uma, _ := withRole(t, e, "uma@contoso.example", "USER_MANAGEMENT_ADMIN")
		must(t, e, e.Demo("alex@contoso.example"), `mutation{removeLearningAccount{user{id}}}`, nil, nil)
		type box struct {
			DevMailbox struct {
				Edges []struct {
					Node struct{ To, Subject string }
				}
			}
		}
		subjects := func(tok string) (invites, other []string) {
			var b box
			must(t, e, tok, `{devMailbox(first:50){edges{node{to subject}}}}`, nil, &b)
			for _, ed := range b.DevMailbox.Edges {
				if strings.Contains(ed.Node.Subject, "invited") {
					invites = append(invites, ed.Node.To)
				} else {
					other = append(other, ed.Node.To+": "+ed.Node.Subject)
				}
			}
			return invites, other
		}
		testenv.Eventually(t, 10*time.Second, func() bool {
			_, other := subjects(grace)
			return len(other) > 0
		}, "grace's at-risk mail in the dev mailbox")
		invites, other := subjects(uma)
		if len(other) != 0 {
			t.Fatalf("a user management admin reads competency mail: %q", other)
		}
		if len(invites) == 0 {
			t.Fatal("a user management admin does not see the invitations")
		}
	})
}
