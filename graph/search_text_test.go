package graph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"certlink/ent/organization"
	"certlink/internal/history"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// A search holding a NUL matched every row of the skills report on SQLite
// and none on MariaDB (review); one that is not UTF-8 answered an empty CSV.
// Both are INVALID_INPUT, in GraphQL, the CSV and the audit log, on both
// databases.
func TestSearchTextIsText(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		for _, s := range []string{"\u0000x", "\u0000", "a\tb", "\u202ex"} {
			if code := e.Do(grace, `query($s:String!){skillsReport(first:5, where:{search:$s}){totalCount}}`, map[string]any{"s": s}).Code(); code != "INVALID_INPUT" {
				t.Errorf("skillsReport search %q: %q", s, code)
			}
			if code := e.Do(grace, `query($s:String!){auditLog(first:5, where:{search:$s}){totalCount}}`, map[string]any{"s": s}).Code(); code != "INVALID_INPUT" {
				t.Errorf("auditLog search %q: %q", s, code)
			}
		}
		for _, q := range []string{"%00x", "%ff", "%00"} {
			if res, body := e.Get(grace, "/reports/skills.csv?search="+q); res.StatusCode != http.StatusBadRequest {
				t.Errorf("CSV search=%s: %d %s", q, res.StatusCode, body)
			}
		}
		if code := e.Do(grace, `{skillsReport(first:5, where:{search:"alex"}){totalCount}}`, nil).Code(); code != "" {
			t.Fatalf("a plain search: %q", code)
		}
	})
}

// A merge naming an empty MCID is INVALID_INPUT naming the field (a review
// met NOT_FOUND), as is one naming the same MCID twice.
func TestMergeNeedsTwoMCIDs(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	ops := e.Demo("ops@certlink.example")
	const merge = `mutation($s:String!,$d:String!){mergeCertificationProfiles(input:{survivorMcid:$s,duplicateMcid:$d}){linkMoved}}`
	for _, c := range [][2]string{{"", "9900001"}, {"9900001", "  "}, {"9900001", "9900001"}} {
		if code := e.Do(ops, merge, map[string]any{"s": c[0], "d": c[1]}).Code(); code != "INVALID_INPUT" {
			t.Errorf("merge %q into %q: %q", c[1], c[0], code)
		}
	}
}

// The audit log is newest first by the moment of each event, then by
// record, in GraphQL pages of any size and in the CSV: events recorded out
// of their moments' order (a race commits the earlier one later; a review
// saw 12 inversions) come out in moment order.
func TestAuditLogIsInMomentOrder(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		ctx := viewer.System(t.Context())
		c := e.App.DB.Client
		org := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyX(ctx)
		base := time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)
		// Recorded in this order, at these moments: later, earlier, latest.
		for i, at := range []time.Time{base.Add(2 * time.Second), base.Add(time.Second), base.Add(3 * time.Second)} {
			if err := history.Record(ctx, c, history.Event{Action: history.ProfilesMerged, OrgID: org.ID, MCID: "9900001",
				Detail: fmt.Sprintf("event %d", i), At: at}); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		var after *string
		for range 3 {
			var page struct {
				AuditLog struct {
					Edges    []struct{ Node struct{ Detail string } }
					PageInfo struct{ EndCursor *string }
				}
			}
			must(t, e, grace, `query($a:Cursor){auditLog(first:1,after:$a,where:{actions:["PROFILES_MERGED"]}){edges{node{detail}} pageInfo{endCursor}}}`,
				map[string]any{"a": after}, &page)
			for _, edge := range page.AuditLog.Edges {
				got = append(got, edge.Node.Detail)
			}
			after = page.AuditLog.PageInfo.EndCursor
		}
		if want := "event 2,event 0,event 1"; strings.Join(got, ",") != want {
			t.Fatalf("auditLog pages: %v, want %s", got, want)
		}
		res, body := e.Get(grace, "/reports/audit.csv?action=PROFILES_MERGED")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("audit.csv: %d %s", res.StatusCode, body)
		}
		i0, i1, i2 := strings.Index(string(body), "event 0"), strings.Index(string(body), "event 1"), strings.Index(string(body), "event 2")
		if !(i2 >= 0 && i2 < i0 && i0 < i1) {
			t.Fatalf("audit.csv order: %s", body)
		}
	})
}
