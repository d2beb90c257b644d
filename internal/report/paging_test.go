package report_test

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// TestPagingSurvivesNewResults (S2): a partner tool pages the report while
// the directory sends newer results of skills already in it. Every row keeps
// its place — its key is (profile, skill), not the result shown — so paging
// on from a cursor reads each row exactly once, as many as totalCount said
// (review: a re-recognized row jumped within its ties: ordered by MCID, a
// newer result of a row already read made it come again, one of a row not yet
// read made it never come).
func TestPagingSurvivesNewResults(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona, ops := e.Demo("mona@contoso.example"), e.Demo("ops@certlink.example")
		type row struct{ Email, Mcid, SkillNumber string }
		type page struct {
			SkillsReport struct {
				TotalCount int
				Edges      []struct{ Node row }
				PageInfo   struct {
					EndCursor   *string
					HasNextPage bool
				}
			}
		}
		const q = `query($o:SkillsReportOrder,$a:Cursor){skillsReport(first:2,after:$a,orderBy:$o){totalCount
		  edges{node{email mcid skillNumber}} pageInfo{endCursor hasNextPage}}}`
		at := 0
		renew := func(rows []row) {
			t.Helper()
			at++
			var in []map[string]any
			for _, r := range rows {
				// A newer result that never expires: the row shows it now.
				in = append(in, map[string]any{"mcid": r.Mcid, "skillNumber": r.SkillNumber,
					"completedAt": time.Now().UTC().Add(-time.Duration(at) * time.Minute).Truncate(time.Second)})
			}
			var out struct{ IngestResults struct{ Accepted int } }
			e.Do(ops, `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted}}`, map[string]any{"in": in}).Decode(t, &out)
			if out.IngestResults.Accepted != len(in) {
				t.Fatalf("ingest: %+v of %d", out, len(in))
			}
		}
		for _, order := range []map[string]any{{"field": "MCID", "direction": "ASC"}, {"field": "MCID", "direction": "DESC"},
			{"field": "NAME", "direction": "ASC"}, {"field": "SKILL_NUMBER", "direction": "DESC"}} {
			name := fmt.Sprint(order["field"], " ", order["direction"])
			// Everything, at rest: the rows in this order.
			var all []row
			var p page
			for after := any(nil); ; {
				e.Do(mona, q, map[string]any{"o": order, "a": after}).Decode(t, &p)
				for _, ed := range p.SkillsReport.Edges {
					all = append(all, ed.Node)
				}
				if !p.SkillsReport.PageInfo.HasNextPage {
					break
				}
				after = *p.SkillsReport.PageInfo.EndCursor
			}
			if len(all) < 6 || len(all) != p.SkillsReport.TotalCount {
				t.Fatalf("%s: %d rows, totalCount %d", name, len(all), p.SkillsReport.TotalCount)
			}
			// Again, renewing the rows of each page just read and the last
			// row not read yet.
			seen := map[row]int{}
			var read int
			for after := any(nil); ; {
				e.Do(mona, q, map[string]any{"o": order, "a": after}).Decode(t, &p)
				var mine []row
				for _, ed := range p.SkillsReport.Edges {
					seen[ed.Node]++
					mine = append(mine, ed.Node)
					read++
				}
				if !p.SkillsReport.PageInfo.HasNextPage {
					break
				}
				if last := all[len(all)-1]; seen[last] == 0 {
					mine = append(mine, last)
				}
				renew(mine)
				after = *p.SkillsReport.PageInfo.EndCursor
			}
			if read != len(all) || len(seen) != len(all) {
				t.Fatalf("%s: paged %d rows (%d different) while new results arrived, of %d: %v", name, read, len(seen), len(all), seen)
			}
			for _, r := range all {
				if seen[r] != 1 {
					t.Fatalf("%s: %+v read %d times", name, r, seen[r])
				}
			}
		}
	})
}

// TestPagingByExpiryEnds (S2): a result expiring at the last moment a date
// may name, 9999-12-31T00:00:00Z, is a real expiry, not "none": paging by
// expiry with one row a page reads every row once and ends, both ways
// (review: the cursor wrote "no expiry" as that moment; descending paged
// forever, ascending skipped the rows without expiry). A cursor names the
// row's skill by its API ID, never its row number.
func TestPagingByExpiryEnds(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona, ops := e.Demo("mona@contoso.example"), e.Demo("ops@certlink.example")
	var out struct{ IngestResults struct{ Accepted int } }
	e.Do(ops, `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted}}`, map[string]any{"in": []map[string]any{
		{"mcid": "9900001", "skillNumber": "MC-AZURE-DEVELOPER", "completedAt": "2026-10-01T00:00:00Z", "expiresAt": "9999-12-31T00:00:00Z"}}}).Decode(t, &out)
	if out.IngestResults.Accepted != 1 {
		t.Fatalf("ingest: %+v", out)
	}
	raw := map[string]int{}
	for _, sk := range e.App.DB.Client.Skill.Query().AllX(sys()) {
		raw[sk.Number] = sk.ID
	}
	type page struct {
		SkillsReport struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ Email, SkillNumber string }
			}
			PageInfo struct {
				EndCursor   *string
				HasNextPage bool
			}
		}
	}
	for _, dir := range []string{"ASC", "DESC"} {
		seen := map[string]int{}
		var p page
		n := 0
		for after := any(nil); ; n++ {
			if n > 100 {
				t.Fatalf("%s: paging by expiry does not end: %v", dir, seen)
			}
			e.Do(mona, `query($d:OrderDirection!,$a:Cursor){skillsReport(first:1,after:$a,orderBy:{field:EXPIRES_AT,direction:$d}){totalCount
			  edges{cursor node{email skillNumber}} pageInfo{endCursor hasNextPage}}}`, map[string]any{"d": dir, "a": after}).Decode(t, &p)
			for _, ed := range p.SkillsReport.Edges {
				seen[ed.Node.Email+"/"+ed.Node.SkillNumber]++
				body, _, _ := strings.Cut(ed.Cursor, ".")
				dec, err := base64.StdEncoding.DecodeString(body)
				if err != nil {
					dec, _ = base64.RawURLEncoding.DecodeString(body)
				}
				if id := strconv.Itoa(raw[ed.Node.SkillNumber]); strings.Contains(string(dec), "|"+id+"|") {
					t.Fatalf("%s: the cursor of %s names skill row %s: %q", dir, ed.Node.SkillNumber, id, dec)
				}
			}
			if !p.SkillsReport.PageInfo.HasNextPage {
				break
			}
			after = *p.SkillsReport.PageInfo.EndCursor
		}
		if len(seen) != p.SkillsReport.TotalCount {
			t.Fatalf("%s: %d rows paged of %d: %v", dir, len(seen), p.SkillsReport.TotalCount, seen)
		}
		for k, c := range seen {
			if c != 1 {
				t.Fatalf("%s: %s read %d times", dir, k, c)
			}
		}
	}
}
