package graph_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"certlink/ent/user"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

const (
	mResend = `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`
	mRemove = `mutation($id:ID!){removeFromReport(userId:$id){userId}}`
)

// invitePending invites email with roles as grace, leaving it pending.
func invitePending(t *testing.T, e *testenv.Env, email string, roles ...string) (id, temp string) {
	t.Helper()
	var inv invited
	must(t, e, e.Demo("grace@contoso.example"), mInvite, map[string]any{"e": email, "r": roles}, &inv)
	return inv.InviteUser.User.ID, inv.InviteUser.TemporaryPassword
}

// Item 11: nobody acts on an account holding a role they cannot grant — the
// hierarchy of users.Grantable, applied to every mutation that acts on another
// person's account.
func TestNoActionOnAccountsAboveOnesReach(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		aa, _ := withRole(t, e, "acc@contoso.example", "ACCOUNT_ADMIN")
		aa2, aa2ID := withRole(t, e, "acc2@contoso.example", "ACCOUNT_ADMIN")
		uma, umaID := withRole(t, e, "uma@contoso.example", "USER_MANAGEMENT_ADMIN")
		_ = aa2
		mona := e.Demo("mona@contoso.example")
		pendingMPN, _ := invitePending(t, e, "pending-mpn@contoso.example", "MPN_PARTNER_ADMIN")
		pendingGA, _ := invitePending(t, e, "pending-ga@contoso.example", "GLOBAL_ADMIN")
		pendingUser, _ := invitePending(t, e, "pending-user@contoso.example")
		monaID, graceID, alexID := userID(t, e, "mona@contoso.example"), userID(t, e, "grace@contoso.example"), userID(t, e, "alex@contoso.example")
		before := snapshot(t, e)
		for _, c := range []struct {
			name, tok, q string
			vars         map[string]any
		}{
			{"UMA resends a pending MPN admin's invitation", uma, mResend, map[string]any{"id": pendingMPN}},
			{"UMA resends a pending GA's invitation", uma, mResend, map[string]any{"id": pendingGA}},
			{"AA resends a pending GA's invitation", aa, mResend, map[string]any{"id": pendingGA}},
			{"UMA corrects an MPN admin's email", uma, mUpdate, map[string]any{"id": monaID, "e": "mona2@contoso.example"}},
			{"UMA renames an MPN admin", uma, mUpdate, map[string]any{"id": monaID, "n": "X"}},
			{"AA corrects another AA's email", aa, mUpdate, map[string]any{"id": aa2ID, "e": "evil@contoso.example"}},
			{"UMA deletes an MPN admin", uma, mDelete, map[string]any{"id": monaID}},
			{"AA deletes another AA", aa, mDelete, map[string]any{"id": aa2ID}},
			{"AA deletes a GA", aa, mDelete, map[string]any{"id": graceID}},
			{"AA takes another AA's role", aa, mAssign, map[string]any{"id": aa2ID, "r": []string{}}},
			{"AA adds MPN to another AA", aa, mAssign, map[string]any{"id": aa2ID, "r": []string{"ACCOUNT_ADMIN", "MPN_PARTNER_ADMIN"}}},
			{"AA promotes a UMA to AA", aa, mAssign, map[string]any{"id": umaID, "r": []string{"ACCOUNT_ADMIN"}}},
			{"MPN admin takes a GA out of the report", mona, mRemove, map[string]any{"id": graceID}},
		} {
			if got := call(t, e, c.tok, c.q, c.vars, nil); got != "FORBIDDEN" {
				t.Errorf("%s: got %q, want FORBIDDEN", c.name, got)
			}
		}
		sameState(t, "refused actions on higher accounts", before, snapshot(t, e))
		// Within reach, the same actions work.
		for _, c := range []struct {
			name, tok, q string
			vars         map[string]any
		}{
			{"UMA resends a default user's invitation", uma, mResend, map[string]any{"id": pendingUser}},
			{"AA resends a pending MPN admin's invitation", aa, mResend, map[string]any{"id": pendingMPN}},
			{"AA corrects an MPN admin's name", aa, mUpdate, map[string]any{"id": monaID, "n": "Mona K."}},
			{"UMA corrects a default user's name", uma, mUpdate, map[string]any{"id": alexID, "n": "Alex W."}},
			{"MPN admin takes a default user out of the report", mona, mRemove, map[string]any{"id": alexID}},
			{"GA deletes an AA", e.Demo("grace@contoso.example"), mDelete, map[string]any{"id": aa2ID}},
		} {
			if got := call(t, e, c.tok, c.q, c.vars, nil); got != "" {
				t.Errorf("%s: got %q", c.name, got)
			}
		}
	})
}

// Item 11: the pending MPN admin cannot be taken over through resendInvite —
// the attack of the issue, end to end.
func TestResendInviteTakeoverRefused(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	uma, _ := withRole(t, e, "uma@contoso.example", "USER_MANAGEMENT_ADMIN")
	id, temp := invitePending(t, e, "newboss@contoso.example", "MPN_PARTNER_ADMIN")
	var out struct {
		ResendInvite struct{ TemporaryPassword string }
	}
	if got := call(t, e, uma, mResend, map[string]any{"id": id}, &out); got != "FORBIDDEN" || out.ResendInvite.TemporaryPassword != "" {
		t.Fatalf("UMA resent an MPN admin's invitation: %q %+v", got, out)
	}
	if tok := e.SignIn("newboss@contoso.example", temp); tok == "" {
		t.Fatal("the invitee's own temporary password stopped working")
	}
}

// Item 11: a temporary session is gated on data, not only on root fields.
func TestTemporarySessionReadsNobodyElse(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		_, temp := invitePending(t, e, "newadmin@contoso.example", "ACCOUNT_ADMIN")
		tok := e.SignIn("newadmin@contoso.example", temp)
		r := e.Do(tok, `{me{email roles mustChangePassword organization{name users(first:50){edges{node{email}}}}}}`, nil)
		if r.Refusal() != "FORBIDDEN/PASSWORD_CHANGE_REQUIRED" {
			t.Fatalf("nested users under me: %+v", r.Errors)
		}
		if strings.Contains(string(r.Data), "grace@") || strings.Contains(string(r.Data), "alex@") {
			t.Fatalf("a temporary session read other people: %s", r.Data)
		}
		// What the password-change page needs still works.
		var me struct {
			Me struct {
				Email              string
				Roles              []string
				MustChangePassword bool
				Organization       struct{ Name string }
			}
		}
		must(t, e, tok, `{me{email roles mustChangePassword organization{name}}}`, nil, &me)
		if !me.Me.MustChangePassword || me.Me.Organization.Name != "Contoso Ltd" || !slices.Contains(me.Me.Roles, "ACCOUNT_ADMIN") {
			t.Fatalf("me: %+v", me)
		}
		// Every other way in is refused too.
		for _, q := range []string{
			`{users(first:5){totalCount}}`,
			`query($id:ID!){node(id:$id){... on User{email}}}`,
			`{competencyProgress{name}}`,
		} {
			if r := e.Do(tok, q, map[string]any{"id": userID(t, e, "grace@contoso.example")}); len(r.Errors) == 0 ||
				strings.Contains(string(r.Data), "grace@") {
				t.Fatalf("%s: %s %+v", q, r.Data, r.Errors)
			}
		}
	})
}

// Item 11: two Global Admins removing each other's role at the same moment —
// or deleting each other — never leave the organization without one.
func TestGlobalAdminsRemovingEachOtherKeepOne(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		for round := 0; round < 6; round++ {
			second := "ga" + string(rune('a'+round)) + "@contoso.example"
			tok2, id2 := withRole(t, e, second, "GLOBAL_ADMIN")
			// Only grace and the second GA hold the role now.
			for _, u := range c.User.Query().Where(user.DeletedAtIsNil()).AllX(sys()) {
				if u.Email != "grace@contoso.example" && u.Email != second && slices.Contains(u.Roles, string(viewer.GlobalAdmin)) {
					c.User.UpdateOne(u).SetRoles([]string{}).ExecX(sys())
				}
			}
			grace, graceID := e.Demo("grace@contoso.example"), userID(t, e, "grace@contoso.example")
			var wg sync.WaitGroup
			codes := make([]string, 2)
			start := make(chan struct{})
			op := mAssign
			vars := []map[string]any{{"id": id2, "r": []string{}}, {"id": graceID, "r": []string{}}}
			if round%2 == 1 {
				op = mDelete
				vars = []map[string]any{{"id": id2}, {"id": graceID}}
			}
			for i, tok := range []string{grace, tok2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					codes[i] = e.Do(tok, op, vars[i]).Code()
				}()
			}
			close(start)
			wg.Wait()
			admins := 0
			for _, u := range c.User.Query().Where(user.DeletedAtIsNil(), user.OrganizationIDNotNil()).AllX(sys()) {
				if slices.Contains(u.Roles, string(viewer.GlobalAdmin)) && u.Email != "sam@fabrikam.example" {
					admins++
				}
			}
			if admins == 0 {
				t.Fatalf("round %d (%s): the organization has no Global Admin left; codes %v", round, firstLine(op), codes)
			}
			ok := 0
			for _, code := range codes {
				switch code {
				case "":
					ok++
				case "FORBIDDEN", "CONFLICT", "UNAUTHENTICATED":
				default:
					t.Fatalf("round %d: code %q", round, code)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d of the two succeeded (%v), want exactly 1", round, ok, codes)
			}
			// Put grace back (she may have been deleted) for the next round.
			hash := c.User.Query().Where(user.Email("mona@contoso.example")).OnlyX(sys()).PasswordHash
			c.User.UpdateOneID(e.RowID(t, graceID)).SetEmail("grace@contoso.example").SetPasswordHash(hash).
				SetRoles([]string{string(viewer.GlobalAdmin)}).ClearDeletedAt().ExecX(sys())
		}
	})
}
