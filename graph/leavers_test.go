package graph_test

import (
	"strings"
	"testing"
	"time"

	"certlink/ent/association"
	"certlink/ent/auditevent"
	"certlink/ent/notification"
	"certlink/ent/outboxmessage"
	"certlink/internal/testenv"
)

const qHistory = `query($m:String!){linkHistory(mcid:$m){action mcid detail actor{email}}}`

type historyOut struct {
	LinkHistory []struct {
		Action, Mcid, Detail string
		Actor                *struct{ Email string }
	}
}

func actions(h historyOut) []string {
	var out []string
	for _, e := range h.LinkHistory {
		out = append(out, e.Action)
	}
	return out
}

func TestDeleteUserEndsLinksTokensAndWarns(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		seedRequirement(t, e, nil)
		grace, mona := e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")
		alex, riley, sam := e.Demo("alex@contoso.example"), e.Demo("riley@contoso.example"), e.Demo("sam@fabrikam.example")
		alexID := userID(t, e, "alex@contoso.example")
		// What alex alone carries: the demo's Silver requirements he meets by
		// himself and TEST-104; each is one warning per admin.
		alone := carriedAlone(t, e, mona, "alex@contoso.example")
		for _, req := range []string{
			`"1 person holding TEST-104" of Test Cloud Platform, Silver, Standard option`,
			`"One person who passed an Azure administration or development exam" of Cloud Platform, Silver, Standard`,
			`"One person who passed an Azure administration exam" of Cloud Platform, Silver, Distributor option`,
		} {
			if !alone[req] {
				t.Fatalf("the demo no longer has alex alone carry %s: %v", req, alone)
			}
		}

		var del struct {
			DeleteUser struct{ DeletedUserID string }
		}
		must(t, e, grace, mDelete, map[string]any{"id": alexID}, &del)
		if del.DeleteUser.DeletedUserID != alexID {
			t.Fatalf("deletedUserId %q, want %q", del.DeleteUser.DeletedUserID, alexID)
		}
		// Their session stops, they cannot sign in, they are no longer listed.
		if got := call(t, e, alex, `{me{email}}`, nil, nil); got != "UNAUTHENTICATED" {
			t.Fatalf("deleted user's session: %q", got)
		}
		if r := e.Do("", `mutation{signIn(input:{email:"alex@contoso.example",password:"certlink-demo"}){token}}`, nil); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("deleted user signs in: %q", r.Code())
		}
		var list struct {
			Users struct {
				Edges []struct{ Node struct{ Email string } }
			}
		}
		must(t, e, grace, qUsers, nil, &list)
		for _, ed := range list.Users.Edges {
			if strings.Contains(ed.Node.Email, "alex") {
				t.Fatalf("deleted user still listed: %s", ed.Node.Email)
			}
		}
		// The link ended in the same transaction, with its cause.
		c := e.App.DB.Client
		links := c.Association.Query().Where(association.UserID(e.RowID(t, alexID))).AllX(sys())
		if len(links) != 1 || links[0].EndedAt == nil || *links[0].EndReason != association.EndReasonUSER_DELETED || links[0].ActiveProfileID != nil {
			t.Fatalf("alex's link after deletion: %+v", links)
		}
		// History stays, for grace (the org's part).
		var h historyOut
		must(t, e, grace, qHistory, map[string]any{"m": "9900001"}, &h)
		got := strings.Join(actions(h), ",")
		if !strings.Contains(got, "LINK_ENDED_USER_DELETED") {
			t.Fatalf("history of 9900001: %s", got)
		}
		if n := c.AuditEvent.Query().Where(auditevent.Action("USER_DELETED")).CountX(sys()); n != 1 {
			t.Fatalf("USER_DELETED events: %d", n)
		}
		// N1: the org's Global Admin and MPN Partner Admin are told once — one
		// notification naming the cause and every requirement alex alone
		// carried, linking to those competencies; nobody else is.
		for _, who := range []struct {
			name, tok string
			want      int
		}{{"grace", grace, 1}, {"mona", mona, 1}, {"riley", riley, 0}, {"sam", sam, 0}} {
			ns := notifications(t, e, who.tok)
			if len(ns) != who.want {
				t.Fatalf("%s's notifications: got %d, want %d: %+v", who.name, len(ns), who.want, ns)
			}
			if who.want == 0 {
				continue
			}
			n := ns[0]
			if !strings.HasPrefix(n.Title, "Alex Wilber's work account was deleted: ") || !strings.Contains(n.Title, "requirements") {
				t.Fatalf("the title does not name the cause: %q", n.Title)
			}
			if !strings.Contains(n.Body, "alex@contoso.example") || strings.Contains(n.Body, "deleted-") {
				t.Fatalf("the body does not name alex by his address: %s", n.Body)
			}
			if !strings.Contains(n.Link, "/competencies?open=") || !strings.Contains(n.Link, "test-cloud") || n.Read {
				t.Fatalf("notification link/read: %+v", n)
			}
			named := unmetNamed(t, []string{n.Body})
			if len(named) != len(alone) {
				t.Fatalf("%s was told of %v; alex alone carried %v", who.name, named, alone)
			}
			for req, k := range named {
				if !alone[req] || k != 1 {
					t.Fatalf("%s told %d times about %s; alex alone carried %v", who.name, k, req, alone)
				}
			}
		}
		// Mail, once per recipient, through the outbox into the dev mailbox.
		testenv.Eventually(t, 10*time.Second, func() bool {
			return c.OutboxMessage.Query().Where(outboxmessage.SentAtNotNil(), outboxmessage.SubjectContains("work account was deleted")).CountX(sys()) == 2
		}, "the at-risk mails sent")
		var box struct {
			DevMailbox struct {
				Edges []struct {
					Node struct{ To, Subject, Body string }
				}
			}
		}
		must(t, e, grace, `{devMailbox(first:50){edges{node{to subject body}}}}`, nil, &box)
		to := map[string]int{}
		for _, ed := range box.DevMailbox.Edges {
			if strings.Contains(ed.Node.Subject, "Alex Wilber") {
				to[ed.Node.To]++
				if !strings.Contains(ed.Node.Body, "/competencies?open=") || !strings.Contains(ed.Node.Body, "Alex Wilber") {
					t.Fatalf("mail body: %s", ed.Node.Body)
				}
			}
		}
		if len(to) != 2 || to["grace@contoso.example"] != 1 || to["mona@contoso.example"] != 1 {
			t.Fatalf("at-risk mail recipients: %v, want one each", to)
		}
		// Marking read.
		var mk struct{ MarkNotificationsRead struct{ Marked int } }
		ids := c.Notification.Query().Where(notification.UserID(e.RowID(t, userID(t, e, "grace@contoso.example")))).IDsX(sys())
		monaIDs := c.Notification.Query().Where(notification.UserID(e.RowID(t, userID(t, e, "mona@contoso.example")))).IDsX(sys())
		// Mona's are not grace's to mark: the whole call is refused, naming
		// them, and grace's own stay unread too.
		const markRead = `mutation($ids:[ID!]!){markNotificationsRead(ids:$ids){marked}}`
		apiIDs := []string{}
		for _, id := range append(append([]int{}, ids...), monaIDs...) {
			apiIDs = append(apiIDs, e.ID(id))
		}
		r := e.Do(grace, markRead, map[string]any{"ids": apiIDs})
		if r.Code() != "NOT_FOUND" || !strings.Contains(r.Errors[0].Message, e.ID(monaIDs[0])) {
			t.Fatalf("grace marking mona's notifications: %+v, want NOT_FOUND naming %d", r.Errors, monaIDs[0])
		}
		for _, n := range notifications(t, e, grace) {
			if n.Read {
				t.Fatal("a refused markNotificationsRead marked grace's own notification read")
			}
		}
		must(t, e, grace, markRead, map[string]any{"ids": apiIDs[:len(ids)]}, &mk)
		if mk.MarkNotificationsRead.Marked != len(ids) || len(ids) != 1 {
			t.Fatalf("marked %d of grace's %d", mk.MarkNotificationsRead.Marked, len(ids))
		}
		must(t, e, grace, markRead, map[string]any{"ids": apiIDs[:len(ids)]}, &mk)
		if mk.MarkNotificationsRead.Marked != 0 {
			t.Fatalf("marking read again marked %d", mk.MarkNotificationsRead.Marked)
		}
		for _, n := range notifications(t, e, grace) {
			if !n.Read {
				t.Fatalf("grace's notification left unread: %+v", n)
			}
		}
		for _, n := range notifications(t, e, mona) {
			if n.Read {
				t.Fatal("grace marked mona's notification read")
			}
		}
	})
}

func TestUnlinkAndRemoveFromReportWarn(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		seedRequirement(t, e, nil)
		grace, alex, mona := e.Demo("grace@contoso.example"), e.Demo("alex@contoso.example"), e.Demo("mona@contoso.example")
		alexID := userID(t, e, "alex@contoso.example")
		alone := carriedAlone(t, e, mona, "alex@contoso.example")
		if !alone[`"1 person holding TEST-104" of Test Cloud Platform, Silver, Standard option`] {
			t.Fatalf("TEST-104 is not carried by alex alone: %v", alone)
		}
		bodies := func(ns []struct {
			Title, Body, Link string
			Read              bool
		}, part string) []string {
			var out []string
			for _, n := range ns {
				if strings.Contains(n.Body, part) {
					out = append(out, n.Body)
				}
			}
			return out
		}
		sameAsAlone := func(when string, named map[string]int) {
			t.Helper()
			if len(named) != len(alone) {
				t.Fatalf("%s: warned about %v, alex alone carried %v", when, named, alone)
			}
			for req, n := range named {
				if !alone[req] || n != 1 {
					t.Fatalf("%s: warned %d times about %s", when, n, req)
				}
			}
		}
		// Who may remove a person from the report.
		for _, c := range []struct {
			who, tok, id, want string
		}{
			{"user", alex, alexID, "FORBIDDEN"},
			{"operator", e.Demo("ops@certlink.example"), alexID, "FORBIDDEN"},
			{"other org GA", e.Demo("sam@fabrikam.example"), alexID, "NOT_FOUND"},
			{"GA, person without links", grace, userID(t, e, "riley@contoso.example"), "NOT_FOUND"},
		} {
			if got := call(t, e, c.tok, `mutation($id:ID!){removeFromReport(userId:$id){userId}}`, map[string]any{"id": c.id}, nil); got != c.want {
				t.Fatalf("removeFromReport as %s: %q, want %q", c.who, got, c.want)
			}
		}
		must(t, e, mona, `mutation($id:ID!){removeFromReport(userId:$id){userId}}`, map[string]any{"id": alexID}, nil)
		ns := notifications(t, e, grace)
		removed := bodies(ns, "removed from the skills report")
		if len(ns) != 1 || len(removed) != 1 || !strings.HasPrefix(ns[0].Title, "Alex Wilber was removed from the skills report: ") {
			t.Fatalf("after removal from the report: %+v", ns)
		}
		sameAsAlone("removal from the report", unmetNamed(t, removed))
		var me struct {
			Me struct{ LearningAccount *struct{ Mcid string } }
		}
		must(t, e, alex, `{me{learningAccount{mcid}}}`, nil, &me)
		if me.Me.LearningAccount != nil {
			t.Fatal("alex still linked after removal from the report")
		}
		// Alex links again (no cooldown in this test): the admins get one
		// follow-up, every requirement met again, naming what had caused it.
		e.App.Linking.Limits.Cooldown = 0
		must(t, e, alex, `mutation{associateLearningAccount(input:{email:"alex@learn.example",password:"learn-demo"}){user{email}}}`, nil, nil)
		testenv.Eventually(t, 10*time.Second, func() bool { return len(notifications(t, e, grace)) == 2 }, "the follow-up")
		time.Sleep(200 * time.Millisecond) // a second follow-up would arrive now
		ns = notifications(t, e, grace)
		if len(ns) != 2 || !strings.HasPrefix(ns[0].Title, "Resolved: ") || !strings.Contains(ns[0].Body, "Met again:") ||
			!strings.Contains(ns[0].Body, "unmet after: Alex Wilber was removed from the skills report") ||
			!strings.Contains(ns[0].Link, "/competencies?open=") {
			t.Fatalf("after linking again: %+v", ns)
		}
		if again := strings.Count(ns[0].Body, "\n- "); again != len(alone) {
			t.Fatalf("the follow-up lists %d requirements, want %d:\n%s", again, len(alone), ns[0].Body)
		}
		must(t, e, alex, `mutation{removeLearningAccount{user{email}}}`, nil, nil)
		ns = notifications(t, e, grace)
		unlinked := bodies(ns, "removed the association")
		if len(ns) != 3 || len(unlinked) != 1 || !strings.HasPrefix(ns[0].Title, "Alex Wilber removed their Learning account: ") {
			t.Fatalf("after unlink: %+v", ns)
		}
		sameAsAlone("unlink", unmetNamed(t, unlinked))
		var h historyOut
		must(t, e, alex, qHistory, map[string]any{"m": "9900001"}, &h)
		// The demo's own link first (seeded through the linking service).
		if got := strings.Join(actions(h), ","); got != "LINKED,REMOVED_FROM_REPORT,LINKED,UNLINKED" {
			t.Fatalf("alex's history of 9900001: %s", got)
		}
		// Only the owner's and the org's parts: riley and fabrikam see nothing.
		for _, tok := range []string{e.Demo("riley@contoso.example"), e.Demo("sam@fabrikam.example")} {
			if got := call(t, e, tok, qHistory, map[string]any{"m": "9900001"}, nil); got != "NOT_FOUND" {
				t.Fatalf("history seen by a stranger: %q", got)
			}
		}
	})
}
