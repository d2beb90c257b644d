package report_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"certlink/ent/skill"
	"certlink/internal/testenv"
)

type shownRow struct {
	countingRow
	CompletedAt time.Time
	ExpiresAt   *time.Time
}

const shownQuery = `query($where:SkillsReportWhere){skillsReport(first:100,where:$where){totalCount edges{node{
  email skillNumber sourceLabel competencies counting needsAssociation countsUntil retiredOn completedAt expiresAt}}}}`

// shown returns the report's rows for the filter, by email/skill number,
// failing on two rows of one (person, skill) (S1).
func shown(t *testing.T, e *testenv.Env, tok string, where map[string]any) map[string]shownRow {
	t.Helper()
	var out struct {
		SkillsReport struct {
			TotalCount int
			Edges      []struct{ Node shownRow }
		}
	}
	e.Do(tok, shownQuery, map[string]any{"where": where}).Decode(t, &out)
	rows := map[string]shownRow{}
	for _, ed := range out.SkillsReport.Edges {
		k := ed.Node.Email + "/" + ed.Node.SkillNumber
		if _, twice := rows[k]; twice {
			t.Fatalf("two rows for %s", k)
		}
		rows[k] = ed.Node
	}
	if out.SkillsReport.TotalCount != len(rows) {
		t.Fatalf("totalCount %d, %d rows", out.SkillsReport.TotalCount, len(rows))
	}
	return rows
}

// csvRows returns the CSV download's rows for the query string, by skill
// number (one person), each as column → cell.
func csvRows(t *testing.T, e *testenv.Env, tok, query string) map[string]map[string]string {
	t.Helper()
	_, body := e.Get(tok, "/reports/skills.csv?"+query)
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, rec := range recs[1:] {
		cells := map[string]string{}
		for i, h := range recs[0] {
			cells[h] = rec[i]
		}
		if _, twice := out[cells["Skill number"]]; twice {
			t.Fatalf("two CSV rows for %s", cells["Skill number"])
		}
		out[cells["Skill number"]] = cells
	}
	return out
}

// TestReportShowsTheResultThatCounts (S1, C2, C3): of a person's results of
// one skill the report shows the one that makes them hold it the longest —
// never expiring beats any expiry, then the latest expiry or validity end,
// then the latest completion — so that a person progress counts through an
// older result that never expires is not shown with a newer one that has
// expired: the row counts, lists its competencies, and agrees with progress,
// in the connection, its filters and the CSV. A newer result that never
// expires is still shown over an older expired one; a retired skill's
// validity end caps both results, and the later completion is shown.
func TestReportShowsTheResultThatCounts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		mona, ops := e.Demo("mona@contoso.example"), e.Demo("ops@certlink.example")
		now := time.Now().UTC().Truncate(time.Second)
		day := func(t time.Time) string { return t.Format(time.DateOnly) }
		// The demo: alex's PL-300 (6 months ago), AZ-305 (3 months ago) and
		// DP-203 (20 months ago, retired, valid until 2027-03-31) never expire.
		before := shown(t, e, mona, map[string]any{"mcid": "9900001"})
		oldPL300, newAZ305 := before["alex@contoso.example/PL-300"], before["alex@contoso.example/AZ-305"]
		oldDP203 := before["alex@contoso.example/DP-203"]
		if !oldPL300.Counting || oldPL300.ExpiresAt != nil || !newAZ305.Counting || oldDP203.RetiredOn == nil {
			t.Fatalf("the demo changed: %+v %+v %+v", oldPL300, newAZ305, oldDP203)
		}
		validUntil := c.Skill.Query().Where(skill.Number("DP-203")).OnlyX(sys()).ValidUntil
		if validUntil == nil || !validUntil.After(now.AddDate(0, 1, 0)) {
			t.Fatalf("DP-203 valid until %v: the test needs it ahead", validUntil)
		}

		newPL300Done, newPL300Expired := now.AddDate(0, -2, 0), now.AddDate(0, 0, -1)
		newDP203Done := now.AddDate(0, -1, 0)
		var ing struct {
			IngestResults struct {
				Accepted int
				Errors   []struct{ Message string }
			}
		}
		e.Do(ops, `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{message}}}`, map[string]any{"in": []map[string]any{
			// Newer, expired yesterday: alex still counts through the older one.
			{"mcid": "9900001", "skillNumber": "PL-300", "completedAt": newPL300Done, "expiresAt": newPL300Expired},
			// Older, expired: the newer one that never expires stays shown.
			{"mcid": "9900001", "skillNumber": "AZ-305", "completedAt": now.AddDate(-3, 0, 0), "expiresAt": now.AddDate(-1, 0, 0)},
			// Newer, expiring after the skill's validity end: both count until
			// that end, and the later completion is shown.
			{"mcid": "9900001", "skillNumber": "DP-203", "completedAt": newDP203Done, "expiresAt": validUntil.AddDate(1, 0, 0)},
		}}).Decode(t, &ing)
		if ing.IngestResults.Accepted != 3 {
			t.Fatalf("ingest: %+v", ing.IngestResults)
		}

		rows := shown(t, e, mona, map[string]any{"mcid": "9900001"})
		pl300 := rows["alex@contoso.example/PL-300"]
		if !pl300.Counting || len(pl300.Competencies) == 0 || pl300.ExpiresAt != nil || pl300.CountsUntil != nil ||
			!pl300.CompletedAt.Equal(oldPL300.CompletedAt) {
			t.Fatalf("PL-300 shows the expired newer result, not the one alex counts through: %+v", pl300)
		}
		if az := rows["alex@contoso.example/AZ-305"]; !az.Counting || az.ExpiresAt != nil || !az.CompletedAt.Equal(newAZ305.CompletedAt) {
			t.Fatalf("AZ-305 does not show the newer result that never expires: %+v", az)
		}
		dp := rows["alex@contoso.example/DP-203"]
		if !dp.Counting || !dp.CompletedAt.Equal(newDP203Done) || dp.ExpiresAt == nil || dp.CountsUntil == nil || !dp.CountsUntil.Equal(*validUntil) {
			t.Fatalf("DP-203 does not show the later completion, both counting until the validity end: %+v", dp)
		}
		byKey := map[string]countingRow{}
		for k, r := range shown(t, e, mona, nil) {
			byKey[k] = r.countingRow
		}
		agreeWithProgress(t, e, mona, byKey)

		// The filters read the row shown.
		if _, ok := shown(t, e, mona, map[string]any{"mcid": "9900001", "validOnly": true})["alex@contoso.example/PL-300"]; !ok {
			t.Fatal("validOnly drops PL-300, which counts")
		}
		if _, ok := shown(t, e, mona, map[string]any{"mcid": "9900001", "expiresBefore": now})["alex@contoso.example/PL-300"]; ok {
			t.Fatal("expiresBefore now keeps PL-300, which never expires")
		}

		// The CSV says the same.
		cells := csvRows(t, e, mona, "mcid=9900001")
		if r := cells["PL-300"]; r["Completed"] != day(oldPL300.CompletedAt) || r["Expires"] != "" || r["Counting now"] != "Yes" ||
			r["Competencies"] == "" || r["Counts until"] != "" {
			t.Fatalf("PL-300 in the CSV: %v", r)
		}
		if r := cells["AZ-305"]; r["Completed"] != day(newAZ305.CompletedAt) || r["Expires"] != "" || r["Counting now"] != "Yes" {
			t.Fatalf("AZ-305 in the CSV: %v", r)
		}
		if r := cells["DP-203"]; r["Completed"] != day(newDP203Done) || r["Counts until"] != validUntil.UTC().Format(time.RFC3339) || r["Counting now"] != "Yes" {
			t.Fatalf("DP-203 in the CSV: %v", r)
		}

		// The newer PL-300 sent again without expiry now holds it as long
		// and was completed later: it is shown.
		e.Do(ops, `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{message}}}`, map[string]any{"in": []map[string]any{
			{"mcid": "9900001", "skillNumber": "PL-300", "completedAt": newPL300Done},
		}}).Decode(t, &ing)
		if pl := shown(t, e, mona, map[string]any{"mcid": "9900001"})["alex@contoso.example/PL-300"]; ing.IngestResults.Accepted != 1 ||
			!pl.Counting || pl.ExpiresAt != nil || !pl.CompletedAt.Equal(newPL300Done) {
			t.Fatalf("PL-300 after its newer result lost its expiry: %+v %+v", ing.IngestResults, pl)
		}

		// DP-203 without a validity end: the older result that never expires
		// holds it the longest again.
		c.Skill.Update().Where(skill.Number("DP-203")).ClearValidUntil().ExecX(sys())
		if dp := shown(t, e, mona, map[string]any{"mcid": "9900001"})["alex@contoso.example/DP-203"]; !dp.Counting || dp.ExpiresAt != nil ||
			!dp.CompletedAt.Equal(oldDP203.CompletedAt) {
			t.Fatalf("DP-203 without validity end: %+v", dp)
		}
	})
}
