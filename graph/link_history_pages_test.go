package graph_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/auditevent"
	"certlink/ent/organization"
	"certlink/ent/user"
	"certlink/internal/history"
	"certlink/internal/testenv"
)

const qHistoryPage = `query($m:String!,$f:Int,$a:Cursor){linkHistoryEvents(mcid:$m,first:$f,after:$a){
	totalCount pageInfo{hasNextPage endCursor} edges{cursor node{id action detail user{email}}}}}`

type historyPage struct {
	LinkHistoryEvents struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Cursor string
			Node   struct {
				ID, Action, Detail string
				User               *struct{ Email string }
			}
		}
	}
}

// seedLinkHistory records n alternating LINKED/UNLINKED events of mcid in
// Contoso, event k at base+k/3 seconds (three events share each moment; the
// last has a moment of its own) and inserted out of time order (k*7 mod n), so
// neither the id nor the time alone orders them. Link pairs alternate between
// alex and riley. The returned details are in history order: by time, then as
// inserted.
func seedLinkHistory(t *testing.T, c *ent.Client, mcid string, n int) []string {
	t.Helper()
	org := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
	alex := c.User.Query().Where(user.Email("alex@contoso.example")).OnlyIDX(sys())
	riley := c.User.Query().Where(user.Email("riley@contoso.example")).OnlyIDX(sys())
	base := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
	type event struct {
		second, inserted int
		detail           string
	}
	var events []event
	var bulk []*ent.AuditEventCreate
	for i := 0; i < n; i++ {
		k := i * 7 % n
		action, who := history.Linked, alex
		if k%2 == 1 {
			action = history.Unlinked
		}
		if (k/2)%2 == 0 {
			who = riley
		}
		second := k / 3
		if k == n-1 {
			second++
		}
		ev := event{second, i, fmt.Sprintf("event %d", k)}
		events = append(events, ev)
		bulk = append(bulk, c.AuditEvent.Create().SetAction(action).SetMcid(mcid).SetDetail(ev.detail).
			SetAt(base.Add(time.Duration(second)*time.Second)).SetOrganizationID(org).SetUserID(who).SetActorUserID(who))
		if len(bulk) == 200 || i == n-1 {
			c.AuditEvent.CreateBulk(bulk...).ExecX(sys())
			bulk = bulk[:0]
		}
	}
	sort.Slice(events, func(a, b int) bool {
		if events[a].second != events[b].second {
			return events[a].second < events[b].second
		}
		return events[a].inserted < events[b].inserted
	})
	details := make([]string, n)
	for i, ev := range events {
		details[i] = ev.detail
	}
	return details
}

// TestLinkHistoryIsNeverCut: an MCID with more history than linkHistory lists
// at once. linkHistory used to answer its oldest 1000 events and say nothing,
// so replaying it named a holder long gone; it now refuses, naming the limit
// and linkHistoryEvents, which pages through every event, oldest first, to the
// current holder. At the limit, linkHistory still lists the whole history.
func TestLinkHistoryIsNeverCut(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		const long, full = "9912345", "9912346"
		n := history.MaxLinkHistory + 101 // odd, and prime to 7
		want := seedLinkHistory(t, c, long, n)
		grace, sam := e.Demo("grace@contoso.example"), e.Demo("sam@fabrikam.example")

		// The list form: a coded refusal naming the limit, not a short list.
		r := e.Do(grace, qHistory, map[string]any{"m": long})
		if r.Code() != "INVALID_INPUT" {
			var h historyOut
			if len(r.Errors) == 0 {
				r.Decode(t, &h)
			}
			t.Fatalf("linkHistory of %d events: code %q, %d events listed, errors %+v", n, r.Code(), len(h.LinkHistory), r.Errors)
		}
		ext := r.Errors[0].Extensions
		if ext["limit"] != float64(history.MaxLinkHistory) || ext["use"] != "linkHistoryEvents" || ext["argument"] != "mcid" {
			t.Fatalf("linkHistory's refusal does not say the limit and the way to page: %+v", r.Errors[0])
		}
		if string(r.Data) != "null" && len(r.Data) > 0 {
			t.Fatalf("linkHistory's refusal came with data: %s", r.Data)
		}

		// The paged form: every event, oldest first, each once, to the current holder.
		var got []string
		var holder string
		var after any
		for pages := 0; ; pages++ {
			if pages > n/100+2 {
				t.Fatalf("linkHistoryEvents does not end after %d pages", pages)
			}
			var p historyPage
			must(t, e, grace, qHistoryPage, map[string]any{"m": long, "f": 100, "a": after}, &p)
			h := p.LinkHistoryEvents
			if h.TotalCount != n {
				t.Fatalf("page %d: totalCount %d, want %d", pages, h.TotalCount, n)
			}
			for _, ed := range h.Edges {
				got = append(got, ed.Node.Detail)
				switch ed.Node.Action {
				case history.Linked:
					holder = ed.Node.User.Email
				case history.Unlinked:
					holder = ""
				}
			}
			if !h.PageInfo.HasNextPage {
				break
			}
			if len(h.Edges) != 100 || h.PageInfo.EndCursor == nil || *h.PageInfo.EndCursor != h.Edges[99].Cursor {
				t.Fatalf("page %d: %d events, end cursor %v", pages, len(h.Edges), h.PageInfo.EndCursor)
			}
			after = *h.PageInfo.EndCursor
		}
		if len(got) != n {
			t.Fatalf("paged through %d events, want %d", len(got), n)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("event %d of the paged history is %q, want %q", i, got[i], want[i])
			}
		}
		if holder != "riley@contoso.example" {
			t.Fatalf("replaying the paged history names %q as the holder, want riley@contoso.example", holder)
		}

		// The organization's history holds them all too: the audit log page by
		// page, and its CSV export in one go.
		seen, after := map[string]bool{}, any(nil)
		for pages := 0; ; pages++ {
			if pages > n/100+2 {
				t.Fatalf("auditLog does not end after %d pages", pages)
			}
			var log struct {
				AuditLog struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   *string
					}
					Edges []struct{ Node struct{ Detail string } }
				}
			}
			must(t, e, grace, `query($m:String,$a:Cursor){auditLog(first:100,after:$a,where:{mcid:$m}){
				totalCount pageInfo{hasNextPage endCursor} edges{node{detail}}}}`, map[string]any{"m": long, "a": after}, &log)
			if log.AuditLog.TotalCount != n {
				t.Fatalf("auditLog's totalCount for MCID %s: %d, want %d", long, log.AuditLog.TotalCount, n)
			}
			for _, ed := range log.AuditLog.Edges {
				seen[ed.Node.Detail] = true
			}
			if !log.AuditLog.PageInfo.HasNextPage {
				break
			}
			after = *log.AuditLog.PageInfo.EndCursor
		}
		if len(seen) != n {
			t.Fatalf("the audit log paged through %d of the MCID's %d events", len(seen), n)
		}
		if res, body := e.Get(grace, "/reports/audit.csv?mcid="+long); res.StatusCode != 200 ||
			strings.Count(strings.TrimSpace(string(body)), "\n") != n {
			t.Fatalf("audit.csv for MCID %s: status %d, %d lines after the header, want %d",
				long, res.StatusCode, strings.Count(strings.TrimSpace(string(body)), "\n"), n)
		}

		// The pages keep linkHistory's rule of who sees what, and its bounds.
		for _, tc := range []struct {
			name, tok, code string
			vars            map[string]any
		}{
			{"another organization's admin", sam, "NOT_FOUND", map[string]any{"m": long}},
			{"an empty MCID", grace, "INVALID_INPUT", map[string]any{"m": " "}},
			{"a page over 100", grace, "INVALID_INPUT", map[string]any{"m": long, "f": 101}},
		} {
			if r := e.Do(tc.tok, qHistoryPage, tc.vars); r.Code() != tc.code {
				t.Fatalf("%s: code %q, want %s (%+v)", tc.name, r.Code(), tc.code, r.Errors)
			}
		}

		// At the limit, the list form lists it all, in the paged form's order.
		want = seedLinkHistory(t, c, full, history.MaxLinkHistory)
		var h historyOut
		must(t, e, grace, qHistory, map[string]any{"m": full}, &h)
		if len(h.LinkHistory) != len(want) {
			t.Fatalf("linkHistory of %d events lists %d", len(want), len(h.LinkHistory))
		}
		for i, ev := range h.LinkHistory {
			if ev.Detail != want[i] {
				t.Fatalf("linkHistory's event %d is %q, want %q", i, ev.Detail, want[i])
			}
		}

		// A cursor of another MCID's history is not one of this one's.
		var p historyPage
		must(t, e, grace, qHistoryPage, map[string]any{"m": full, "f": 1}, &p)
		r = e.Do(grace, qHistoryPage, map[string]any{"m": long, "a": p.LinkHistoryEvents.Edges[0].Cursor})
		if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["argument"] != "after" {
			t.Fatalf("another MCID's cursor: %+v", r.Errors)
		}
		if c.AuditEvent.Query().Where(auditevent.McidIn(long, full)).CountX(sys()) != n+history.MaxLinkHistory {
			t.Fatal("the test's events are not all stored")
		}
	})
}
