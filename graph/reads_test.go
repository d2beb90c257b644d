package graph_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"certlink/ent/organization"
	"certlink/ent/predicate"
	"certlink/internal/testenv"
)

func organizationMPN(m string) predicate.Organization { return organization.MpnID(m) }

// Cross-organization reads (issue 11 item 10): mail, history and account
// checks answer from what the reader's organization owns, never from an
// address or a row of another organization.

const (
	qMailbox = `{devMailbox(first:100){totalCount edges{node{to subject body}}}}`
)

type mailbox struct {
	DevMailbox struct {
		TotalCount int
		Edges      []struct {
			Node struct{ To, Subject, Body string }
		}
	}
}

// mailTo returns the mail in tok's dev mailbox addressed to addr.
func mailTo(t *testing.T, e *testenv.Env, tok, addr string) []string {
	t.Helper()
	var box mailbox
	must(t, e, tok, qMailbox, nil, &box)
	var out []string
	for _, ed := range box.DevMailbox.Edges {
		if ed.Node.To == addr {
			out = append(out, ed.Node.Subject+"\n"+ed.Node.Body)
		}
	}
	return out
}

// (a) An address Fabrikam freed (a deleted account, a corrected email) and
// Contoso later gave to one of its own people does not bring Fabrikam's mail
// with it: the mailbox shows mail by recipient account and organization.
func TestDevMailboxFollowsTheRecipientNotTheAddress(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops, sam, grace := e.Demo("ops@certlink.example"), e.Demo("sam@fabrikam.example"), e.Demo("grace@contoso.example")
		vars := func(mpn string) map[string]any { return map[string]any{"m": mpn, "d": "shared.example"} }
		must(t, e, ops, mVerifyDomain, vars("4100002"), nil)
		var kit, pat invited
		must(t, e, sam, mInvite, map[string]any{"e": "kit@shared.example", "r": []string{}}, &kit)
		must(t, e, sam, mInvite, map[string]any{"e": "pat@shared.example", "r": []string{}}, &pat)
		testenv.Eventually(t, 10*time.Second, func() bool {
			return len(mailTo(t, e, sam, "kit@shared.example")) == 1 && len(mailTo(t, e, sam, "pat@shared.example")) == 1
		}, "Fabrikam's invitations in its mailbox")
		// Fabrikam frees both addresses and gives the domain up; Contoso proves it
		// controls it and invites its own kit and pat there.
		must(t, e, sam, mDelete, map[string]any{"id": kit.InviteUser.User.ID}, nil)
		must(t, e, sam, mUpdate, map[string]any{"id": pat.InviteUser.User.ID, "e": "pat.old@shared.example"}, nil)
		must(t, e, sam, mDelete, map[string]any{"id": pat.InviteUser.User.ID}, nil)
		must(t, e, ops, mRemoveDomain, vars("4100002"), nil)
		must(t, e, ops, mVerifyDomain, vars("4100001"), nil)
		for _, who := range []string{"kit@shared.example", "pat@shared.example"} {
			must(t, e, grace, mInvite, map[string]any{"e": who, "r": []string{}}, nil)
		}
		testenv.Eventually(t, 10*time.Second, func() bool {
			return len(mailTo(t, e, grace, "kit@shared.example")) >= 1 && len(mailTo(t, e, grace, "pat@shared.example")) >= 1
		}, "Contoso's invitations in its mailbox")
		for _, who := range []string{"kit@shared.example", "pat@shared.example"} {
			got := mailTo(t, e, grace, who)
			if len(got) != 1 || !strings.Contains(got[0], "Contoso") || strings.Contains(got[0], "Fabrikam") {
				t.Fatalf("Contoso's mailbox for %s: %q", who, got)
			}
			// Fabrikam keeps its own mail to its former people.
			if got := mailTo(t, e, sam, who); len(got) != 1 || !strings.Contains(got[0], "Fabrikam") {
				t.Fatalf("Fabrikam's mailbox for %s: %q", who, got)
			}
		}
		// Nobody in Contoso sees a line of Fabrikam's mail, whatever the address.
		var box mailbox
		must(t, e, grace, qMailbox, nil, &box)
		for _, ed := range box.DevMailbox.Edges {
			if strings.Contains(ed.Node.Subject+ed.Node.Body, "Fabrikam") {
				t.Fatalf("Contoso reads Fabrikam's mail: %+v", ed.Node)
			}
		}
		// Operators, in no organization, read neither organization's mail
		// (TestOperatorsListNoOrganizationsPeopleNorMail).
		if got := mailTo(t, e, ops, "kit@shared.example"); len(got) != 0 {
			t.Fatalf("the operator's mailbox for kit: %d mails", len(got))
		}
	})
}

// (b) Fabrikam's history of an MCID that moved to Contoso says someone at
// another organization moved it — no name, no email — in the audit log, the
// MCID's link history and the CSV export; Contoso's own history names its
// own person in full.
func TestHistoryDoesNotNameAnotherOrganizationsPeople(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e.App.Linking.Limits.Cooldown = 0
		lee, riley := e.Demo("lee@fabrikam.example"), e.Demo("riley@contoso.example")
		sam, grace := e.Demo("sam@fabrikam.example"), e.Demo("grace@contoso.example")
		must(t, e, lee, mAssociateJordan, nil, nil)
		must(t, e, riley, mAssociateJordan, nil, nil)
		type ref struct {
			Name    string
			Email   *string
			Deleted bool
			Outside bool
		}
		type event struct {
			Action string
			Actor  *ref
			User   *ref
			Detail string
		}
		const person = `{name email deleted outside}`
		var log struct {
			AuditLog struct{ Edges []struct{ Node event } }
		}
		must(t, e, sam, `{auditLog(first:50){edges{node{action detail actor`+person+` user`+person+`}}}}`, nil, &log)
		var moved *event
		for i, ed := range log.AuditLog.Edges {
			if ed.Node.Action == "MOVED_OUT" {
				moved = &log.AuditLog.Edges[i].Node
			}
		}
		if moved == nil || moved.Actor == nil {
			t.Fatalf("Fabrikam's audit log has no move with an actor: %+v", log)
		}
		if a := moved.Actor; !a.Outside || a.Email != nil || a.Name != "Someone at another organization" || a.Deleted {
			t.Fatalf("Fabrikam sees the mover as %+v", *a)
		}
		if u := moved.User; u == nil || u.Outside || u.Email == nil || *u.Email != "lee@fabrikam.example" {
			t.Fatalf("Fabrikam's own person in the move: %+v", u)
		}
		var hist struct{ LinkHistory []event }
		must(t, e, sam, `{linkHistory(mcid:"9900003"){action detail actor`+person+` user`+person+`}}`, nil, &hist)
		for _, ev := range hist.LinkHistory {
			for _, p := range []*ref{ev.Actor, ev.User} {
				if p != nil && (strings.Contains(p.Name, "Riley") || (p.Email != nil && strings.Contains(*p.Email, "contoso"))) {
					t.Fatalf("Fabrikam's link history names Contoso's person: %+v", ev)
				}
			}
			if strings.Contains(ev.Detail, "Riley") || strings.Contains(ev.Detail, "contoso") {
				t.Fatalf("Fabrikam's link history detail names Contoso: %q", ev.Detail)
			}
		}
		// Filtering by another organization's person's id does not say they acted here.
		for who, want := range map[string]int{"riley@contoso.example": 0, "lee@fabrikam.example": 1} {
			var n struct{ AuditLog struct{ TotalCount int } }
			must(t, e, sam, `query($a:ID){auditLog(where:{actor:$a}){totalCount}}`, map[string]any{"a": userID(t, e, who)}, &n)
			if n.AuditLog.TotalCount != want {
				t.Fatalf("Fabrikam's log filtered by %s as actor: %d events, want %d", who, n.AuditLog.TotalCount, want)
			}
		}
		if res, body := e.Get(sam, "/reports/audit.csv?actor="+userID(t, e, "riley@contoso.example")); res.StatusCode != 200 ||
			strings.Count(strings.TrimSpace(string(body)), "\n") != 0 {
			t.Fatalf("the CSV filtered by Contoso's riley (%d):\n%s", res.StatusCode, body)
		}
		res, body := e.Get(sam, "/reports/audit.csv")
		if res.StatusCode != 200 || !strings.Contains(string(body), "Someone at another organization") ||
			strings.Contains(string(body), "Riley") || strings.Contains(string(body), "riley@") {
			t.Fatalf("Fabrikam's audit CSV (%d):\n%s", res.StatusCode, body)
		}
		// Contoso's history of the same MCID names riley in full.
		must(t, e, grace, `{auditLog(first:50){edges{node{action detail actor`+person+` user`+person+`}}}}`, nil, &log)
		named := false
		for _, ed := range log.AuditLog.Edges {
			if a := ed.Node.Actor; ed.Node.Action == "LINKED" && a != nil && !a.Outside && a.Email != nil && *a.Email == "riley@contoso.example" {
				named = true
			}
		}
		if !named {
			t.Fatalf("Contoso's audit log does not name its own riley: %+v", log)
		}
	})
}

// (d) Inviting or correcting to an address another organization's person
// holds answers exactly as for a free address of that domain — the same code,
// the same words, the same SQL statements — and no domain can be verified for
// an organization while another organization's people sign in there, so an
// admin's own domains never hold another organization's account.
func TestAccountChecksDoNotTellOtherOrganizationsAddresses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace, ops := e.Demo("grace@contoso.example"), e.Demo("ops@certlink.example")
		riley := userID(t, e, "riley@contoso.example")
		type answer struct {
			code, message string
			statements    int64
		}
		ask := func(q string, vars map[string]any) answer {
			// The fewest statements of a few tries: background work (the mail
			// worker) only ever adds some.
			var best answer
			for i := range 4 {
				before := e.Queries.Count()
				r := e.Do(grace, q, vars)
				n := e.Queries.Count() - before
				if len(r.Errors) == 0 {
					t.Fatalf("%s %v succeeded", firstLine(q), vars)
				}
				a := answer{r.Code(), r.Errors[0].Message, n}
				if i == 0 || a.statements < best.statements {
					best = a
				}
				if a.code != best.code || a.message != best.message {
					t.Fatalf("the same request answered %q then %q", best.message, a.message)
				}
			}
			return best
		}
		for _, op := range []struct {
			name string
			q    string
			vars func(email string) map[string]any
		}{
			{"inviteUser", mInvite, func(m string) map[string]any { return map[string]any{"e": m, "r": []string{}} }},
			{"updateUser", mUpdate, func(m string) map[string]any { return map[string]any{"id": riley, "e": m} }},
		} {
			taken := ask(op.q, op.vars("lee@fabrikam.example"))
			free := ask(op.q, op.vars("nobody-here@fabrikam.example"))
			if taken != free {
				t.Fatalf("%s tells an existing address of another organization apart from a free one:\n taken: %+v\n free:  %+v", op.name, taken, free)
			}
			if strings.Contains(taken.message, "exists") || strings.Contains(taken.message, "Fabrikam") {
				t.Fatalf("%s: %q", op.name, taken.message)
			}
		}
		// The operator cannot give Contoso a domain where Fabrikam's people sign in.
		must(t, e, ops, mRemoveDomain, map[string]any{"m": "4100002", "d": "fabrikam.example"}, nil)
		r := e.Do(ops, mVerifyDomain, map[string]any{"m": "4100001", "d": "fabrikam.example"})
		if r.Code() != "CONFLICT" || !strings.Contains(r.Errors[0].Message, "2 work account(s) outside Contoso") {
			t.Fatalf("verifying Fabrikam's people's domain for Contoso: %q %+v", r.Code(), r.Errors)
		}
		// Data from before that rule (an account of Fabrikam at a Contoso
		// address) is refused without saying whose the address is.
		fab := e.App.DB.Client.Organization.Query().Where(organizationMPN("4100002")).OnlyX(sys())
		e.App.DB.Client.User.Create().SetEmail("old@contoso.example").SetName("Old Account").
			SetOrganizationID(fab.ID).SetCreatedAt(time.Now()).ExecX(sys())
		got := e.Do(grace, mInvite, map[string]any{"e": "old@contoso.example", "r": []string{}})
		if got.Code() != "CONFLICT" || strings.Contains(got.Errors[0].Message, "exists") || strings.Contains(got.Errors[0].Message, "Fabrikam") {
			t.Fatalf("an address of Contoso's domain held by Fabrikam: %q %+v", got.Code(), got.Errors)
		}
		// An address of one's own organization is named as existing: the admin reads it anyway.
		if got := e.Do(grace, mInvite, map[string]any{"e": "alex@contoso.example", "r": []string{}}); got.Code() != "CONFLICT" ||
			!strings.Contains(got.Errors[0].Message, "already exists") {
			t.Fatalf("inviting a colleague's address: %q %+v", got.Code(), got.Errors)
		}
	})
}

// Account fields follow the read rule of work accounts wherever a User is
// reached: a partner tool reading progress without USERS_READ sees who counts
// by name and email, not their roles, sign-in state, links or allowance; with
// USERS_READ, or as an admin's session, it does. Through the users
// connections and node(id) the policy filters the rows themselves.
func TestAccountFieldsFollowTheReadRule(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		seedRequirement(t, e, nil)
		grace, mona := e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")
		narrow, _ := apiTokenOf(t, e, grace, `[PROGRESS_READ]`)
		wide, _ := apiTokenOf(t, e, grace, `[PROGRESS_READ, USERS_READ]`)
		people := func(fields string) string {
			return `{competencyProgress{levels{options{requirements{people{` + fields + `}}}}}}`
		}
		type person struct {
			Email string
			Roles []string
		}
		var out struct {
			CompetencyProgress []struct {
				Levels []struct {
					Options []struct {
						Requirements []struct{ People []person }
					}
				}
			}
		}
		emails := func() []string {
			var es []string
			for _, c := range out.CompetencyProgress {
				for _, l := range c.Levels {
					for _, o := range l.Options {
						for _, r := range o.Requirements {
							for _, p := range r.People {
								es = append(es, p.Email)
							}
						}
					}
				}
			}
			return es
		}
		must(t, e, narrow, people("name email"), nil, &out)
		if es := emails(); !slices.Contains(es, "alex@contoso.example") {
			t.Fatalf("the progress token does not see who counts: %v", es)
		}
		for _, f := range []string{"roles", "mustChangePassword", "createdAt", "associationsRemaining",
			"nextAssociationAllowedAt", "learningAccount{mcid}", "partnerUniversity{email}"} {
			r := e.Do(narrow, people("email "+f), nil)
			if r.Code() != "FORBIDDEN" || strings.Contains(string(r.Data), "9900001") {
				t.Fatalf("a PROGRESS_READ token reads %s of the people who count: %q %s", f, r.Code(), r.Data)
			}
			for _, tok := range []string{wide, mona} {
				must(t, e, tok, people("email "+f), nil, nil)
			}
		}
		// The token's maker is read by the same rule: with USERS_READ.
		if r := e.Do(narrow, `{me{roles}}`, nil); r.Code() != "FORBIDDEN" {
			t.Fatalf("a PROGRESS_READ token reads its maker's roles: %s", r.Data)
		}
		// Nor through the users connections, node(id) or a where filter (an
		// outside review read the maker's roles so, and filtered on its
		// sign-in state): without USERS_READ a token lists no account.
		var maker struct{ Me struct{ ID string } }
		must(t, e, grace, `{me{id}}`, nil, &maker)
		for _, q := range []string{
			`{node(id:"` + maker.Me.ID + `"){... on User{email roles}}}`,
			`{me{organization{users(first:3){edges{node{email roles}}}}}}`,
			`{users(first:3, where:{mustChangePassword:false}){totalCount edges{node{email}}}}`,
			`{users(first:3, where:{mustChangePassword:true}){totalCount edges{node{email}}}}`,
		} {
			r := e.Do(narrow, q, nil)
			if strings.Contains(string(r.Data), "GLOBAL_ADMIN") || strings.Contains(string(r.Data), "grace@") ||
				strings.Contains(string(r.Data), `"totalCount":1`) {
				t.Fatalf("a PROGRESS_READ token reads its maker through %s: %q %s", q, r.Code(), r.Data)
			}
		}
		var me struct{ Me struct{ Roles []string } }
		must(t, e, wide, `{me{roles}}`, nil, &me)
		if !slices.Contains(me.Me.Roles, "GLOBAL_ADMIN") {
			t.Fatalf("the token's maker: %+v", me)
		}
	})
}

// TestOperatorsListNoOrganizationsPeopleNorMail: an operator, platform staff
// in no organization, lists no organization's people and reads none of its
// mail (U1, C7: the at-risk mail names competencies and requirements). A
// review read every Contoso account, with roles and MCID, through
// Organization.users, and every organization's mail in the dev mailbox,
// while the top-level users refused, and then any one account by its id
// through node.
func TestOperatorsListNoOrganizationsPeopleNorMail(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops, grace := e.Demo("ops@certlink.example"), e.Demo("grace@contoso.example")
		must(t, e, grace, mInvite, map[string]any{"e": "newcomer@contoso.example", "r": []string{}}, nil)
		testenv.Eventually(t, 10*time.Second, func() bool {
			return len(mailTo(t, e, grace, "newcomer@contoso.example")) == 1
		}, "the invitation in Contoso's mailbox")

		var box mailbox
		must(t, e, ops, qMailbox, nil, &box)
		for _, ed := range box.DevMailbox.Edges {
			if strings.HasSuffix(ed.Node.To, "@contoso.example") || strings.HasSuffix(ed.Node.To, "@fabrikam.example") {
				t.Fatalf("the operator reads an organization's mail: %+v", ed.Node)
			}
		}
		var org struct {
			Me struct{ Organization struct{ ID string } }
		}
		must(t, e, grace, `{me{organization{id}}}`, nil, &org)
		r := e.Do(ops, `query($id:ID!){node(id:$id){... on Organization{users(first:10){edges{node{email roles}}}}}}`,
			map[string]any{"id": org.Me.Organization.ID})
		if r.Code() != "FORBIDDEN" || strings.Contains(string(r.Data), "@contoso.example") {
			t.Fatalf("the operator listed Contoso's users: %s %s", r.Code(), r.Data)
		}
		// Nor any one account by its id (a review read grace's roles and
		// alex's MCID through node and nodes); tickets name their people as
		// PersonRef, which the operator reads. Their own account stays theirs.
		alex := userID(t, e, "alex@contoso.example")
		for _, q := range []string{
			`query($id:ID!){node(id:$id){... on User{email roles learningAccount{mcid}}}}`,
			`query($id:ID!){nodes(ids:[$id]){... on User{email roles learningAccount{mcid}}}}`,
		} {
			r := e.Do(ops, q, map[string]any{"id": alex})
			if strings.Contains(string(r.Data), "alex@contoso.example") || strings.Contains(string(r.Data), "9900001") {
				t.Fatalf("the operator read alex's account: %s", r.Data)
			}
		}
		var self struct{ Me struct{ ID string } }
		must(t, e, ops, `{me{id}}`, nil, &self)
		var own struct{ Node struct{ Email string } }
		must(t, e, ops, `query($id:ID!){node(id:$id){... on User{email}}}`, map[string]any{"id": self.Me.ID}, &own)
		if own.Node.Email != "ops@certlink.example" {
			t.Fatalf("the operator cannot read their own account: %+v", own)
		}
		// Control: Contoso's admin still lists them.
		r = e.Do(grace, `query($id:ID!){node(id:$id){... on Organization{users(first:10){edges{node{email}}}}}}`, map[string]any{"id": org.Me.Organization.ID})
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "alex@contoso.example") {
			t.Fatalf("Contoso's admin cannot list its users: %+v %s", r.Errors, r.Data)
		}
	})
}
