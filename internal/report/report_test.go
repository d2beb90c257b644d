package report_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"certlink/ent/user"
	"certlink/internal/report"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

func sys() context.Context { return viewer.System(context.Background()) }

type row struct {
	Name, Email, Mcid, SkillType, SkillNumber, Title, Source string
	CompletedAt                                              time.Time
	ExpiresAt                                                *time.Time
	Competencies                                             []string
	AssociatedInPC, NeedsAssociation                         bool
}

type page struct {
	SkillsReport struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct{ Node row }
	}
}

const reportQuery = `query($first:Int,$after:Cursor,$where:SkillsReportWhere,$order:SkillsReportOrder){
  skillsReport(first:$first,after:$after,where:$where,orderBy:$order){totalCount pageInfo{hasNextPage endCursor}
  edges{node{name email mcid skillType skillNumber title completedAt expiresAt competencies associatedInPC source recognizedAt needsAssociation}}}}`

func fetch(t testing.TB, e *testenv.Env, tok string, vars map[string]any) page {
	t.Helper()
	var p page
	e.Do(tok, reportQuery, vars).Decode(t, &p)
	return p
}

// all walks every page of size n.
func all(t testing.TB, e *testenv.Env, tok string, n int, where, order map[string]any) []row {
	t.Helper()
	var out []row
	var after any
	for i := 0; ; i++ {
		p := fetch(t, e, tok, map[string]any{"first": n, "after": after, "where": where, "order": order})
		for _, ed := range p.SkillsReport.Edges {
			out = append(out, ed.Node)
		}
		if !p.SkillsReport.PageInfo.HasNextPage {
			return out
		}
		after = *p.SkillsReport.PageInfo.EndCursor
		if i > 10000 {
			t.Fatal("paging does not end")
		}
	}
}

// S1–S3 on the demo: alex's rows are associated; riley, credited through the
// legacy path only, is flagged "needs association".
func TestReportRowsFiltersAndPaging(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		p := fetch(t, e, mona, map[string]any{"first": 100})
		if p.SkillsReport.TotalCount != 9 || len(p.SkillsReport.Edges) != 9 || p.SkillsReport.PageInfo.HasNextPage {
			t.Fatalf("demo report: %+v", p)
		}
		for _, ed := range p.SkillsReport.Edges {
			n := ed.Node
			switch n.Mcid {
			case "9900001":
				if n.Name != "Alex Wilber" || n.Email != "alex@contoso.example" || !n.AssociatedInPC || n.NeedsAssociation || n.Source != "directory" {
					t.Errorf("alex row: %+v", n)
				}
			case "9900002":
				if n.AssociatedInPC || !n.NeedsAssociation || n.Email != "riley@learn.example" {
					t.Errorf("riley row: %+v", n)
				}
			default:
				t.Errorf("row of another person: %+v", n)
			}
			if n.SkillNumber == "AZ-104" && !strings.Contains(strings.Join(n.Competencies, "|"), "Cloud Platform: Silver (Standard)") {
				t.Errorf("competencies: %+v", n.Competencies)
			}
		}
		count := func(where map[string]any) int {
			return fetch(t, e, mona, map[string]any{"first": 0, "where": where}).SkillsReport.TotalCount
		}
		for name, c := range map[string]struct {
			where map[string]any
			want  int
		}{
			"needsAssociation":        {map[string]any{"needsAssociation": true}, 3},
			"associatedInPC":          {map[string]any{"associatedInPC": true}, 6},
			"skillType":               {map[string]any{"skillType": "CERTIFICATION"}, 2},
			"mcid":                    {map[string]any{"mcid": "9900002"}, 3},
			"skillNumberIn":           {map[string]any{"skillNumberIn": []string{"AZ-104", "AZ-204", "XX-1"}}, 2},
			"skillNumberIn, any case": {map[string]any{"skillNumberIn": []string{"az-104", " Az-204 "}}, 2},
			"skill filters combined":  {map[string]any{"skillType": "EXAM", "competency": "data-analytics", "validOnly": true}, 2},
			"competency":              {map[string]any{"competency": "data-analytics"}, 2},
			"search":                  {map[string]any{"search": "RILEY"}, 3},
			"search escapes":          {map[string]any{"search": "%"}, 0},
			"validOnly":               {map[string]any{"validOnly": true}, 8}, // MS-100 is past its validity
			"completedAfter":          {map[string]any{"completedAfter": time.Now().AddDate(0, -5, 0).Format(time.RFC3339)}, 2},
		} {
			if got := count(c.where); got != c.want {
				t.Errorf("%s: %d rows, want %d", name, got, c.want)
			}
		}
		if c := e.Do(mona, reportQuery, map[string]any{"where": map[string]any{"competency": "nope"}}).Code(); c != "NOT_FOUND" {
			t.Errorf("unknown competency: %s", c)
		}
		if c := e.Do(mona, reportQuery, map[string]any{"first": 101}).Code(); c != "INVALID_INPUT" {
			t.Errorf("first 101: %s", c)
		}
		// Paging by 2 in every order gives every row once, in order.
		for _, field := range []string{"NAME", "EMAIL", "MCID", "SKILL_NUMBER", "COMPLETED_AT", "EXPIRES_AT"} {
			for _, dir := range []string{"ASC", "DESC"} {
				order := map[string]any{"field": field, "direction": dir}
				whole := all(t, e, mona, 100, nil, order)
				paged := all(t, e, mona, 2, nil, order)
				if fmt.Sprint(whole) != fmt.Sprint(paged) || len(paged) != 9 {
					t.Errorf("%s %s: paged %d rows differ from whole %d", field, dir, len(paged), len(whole))
				}
				if field == "COMPLETED_AT" {
					for i := 1; i < len(whole); i++ {
						prev, cur := whole[i-1].CompletedAt, whole[i].CompletedAt
						if (dir == "ASC" && cur.Before(prev)) || (dir == "DESC" && cur.After(prev)) {
							t.Errorf("COMPLETED_AT %s out of order at %d", dir, i)
						}
					}
				}
			}
		}
		// A cursor of one ordering is refused in another.
		p = fetch(t, e, mona, map[string]any{"first": 1})
		if c := e.Do(mona, reportQuery, map[string]any{"first": 1, "after": *p.SkillsReport.PageInfo.EndCursor,
			"order": map[string]any{"field": "EMAIL"}}).Code(); c != "INVALID_INPUT" {
			t.Errorf("foreign cursor: %s", c)
		}
	})
}

// The report follows the active link: a moved MCID leaves the old organization's
// report and joins the new one's; a deleted work account leaves at once.
func TestReportFollowsActiveLink(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona, sam := e.Demo("mona@contoso.example"), e.Demo("sam@fabrikam.example")
		lee := e.Demo("lee@fabrikam.example")
		r := e.Do(lee, `mutation{associateLearningAccount(input:{email:"alex@learn.example",password:"learn-demo"}){user{email}}}`, nil)
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if n := fetch(t, e, mona, map[string]any{"first": 0, "where": map[string]any{"mcid": "9900001"}}).SkillsReport.TotalCount; n != 0 {
			t.Fatalf("Contoso still reports the moved MCID: %d rows", n)
		}
		rows := all(t, e, sam, 100, map[string]any{"mcid": "9900001"}, nil)
		if len(rows) != 6 || rows[0].Email != "lee@fabrikam.example" || !rows[0].AssociatedInPC {
			t.Fatalf("Fabrikam's rows: %+v", rows)
		}
		// riley associates: no longer "needs association".
		riley := e.Demo("riley@contoso.example")
		if r := e.Do(riley, `mutation{associateLearningAccount(input:{email:"riley@learn.example",password:"learn-demo"}){user{email}}}`, nil); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		rows = all(t, e, mona, 100, map[string]any{"mcid": "9900002"}, nil)
		if len(rows) != 3 || rows[0].NeedsAssociation || rows[0].Email != "riley@contoso.example" {
			t.Fatalf("riley after associating: %+v", rows)
		}
		// A deleted work account leaves the report at once (L9).
		u, _ := e.App.DB.Client.User.Query().Where(user.Email("riley@contoso.example")).Only(sys())
		e.App.DB.Client.User.UpdateOne(u).SetDeletedAt(time.Now()).ExecX(sys())
		if n := fetch(t, e, mona, map[string]any{"first": 0, "where": map[string]any{"mcid": "9900002"}}).SkillsReport.TotalCount; n != 0 {
			t.Fatalf("a deleted user's rows remain: %d", n)
		}
	})
}

// S2: cells a spreadsheet would run are neutralized; header, file name, UTF-8.
func TestCSVInjectionAndFormat(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		alex, _ := c.User.Query().Where(user.Email("alex@contoso.example")).Only(sys())
		c.User.UpdateOne(alex).SetName(`=HYPERLINK("http://evil.example","Zoë")`).ExecX(sys())
		c.Result.Update().SetSource("+cmd|' /C calc'!A0").ExecX(sys())
		res, body := e.Get(e.Demo("grace@contoso.example"), "/reports/skills.csv?mcid=9900001&orderBy=skill_number")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%d %s", res.StatusCode, res.Header)
		}
		today := time.Now().UTC().Format("2006-01-02")
		if cd := res.Header.Get("Content-Disposition"); cd != "attachment; filename=skills-report-4100001-"+today+".csv" {
			t.Fatalf("Content-Disposition %q", cd)
		}
		recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(report.CSVHeader, ",") || len(recs) != 7 {
			t.Fatalf("header/rows: %v", recs)
		}
		if recs[1][0] != `'=HYPERLINK("http://evil.example","Zoë")` || recs[1][10] != "'+cmd|' /C calc'!A0" || recs[1][4] != "AZ-104" {
			t.Fatalf("not neutralized: %q", recs[1])
		}
		for _, cell := range []string{"-1+1", "@SUM(A1)", "\tx", "\rx", "=1"} {
			if report.Neutralize(cell) != "'"+cell {
				t.Errorf("Neutralize(%q)", cell)
			}
		}
		if report.Neutralize("AZ-104") != "AZ-104" || report.Neutralize("") != "" {
			t.Error("harmless cells changed")
		}
		if res, body := e.Get(e.Demo("grace@contoso.example"), "/reports/skills.csv?associatedInPC=maybe"); res.StatusCode != 400 || !strings.Contains(string(body), "INVALID_INPUT") {
			t.Fatalf("bad filter: %d %s", res.StatusCode, body)
		}
	})
}

// S2: the CSV streams in keyset chunks; across several chunks it holds every
// row once, in the same order as the GraphQL pages.
func TestCSVStreamsInChunks(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e.App.Report.ChunkSize = 400
		n := 2*e.App.Report.ChunkSize + 150
		testenv.AddPeople(t, e.App.DB.Client, "4100001", n, []string{"AZ-104", "MC-AZURE-ADMINISTRATOR"})
		grace := e.Demo("grace@contoso.example")
		res, body := e.Get(grace, "/reports/skills.csv")
		if res.StatusCode != 200 {
			t.Fatal(res.StatusCode)
		}
		recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := 2*n + 9
		if len(recs)-1 != want {
			t.Fatalf("%d rows, want %d", len(recs)-1, want)
		}
		seen := map[string]bool{}
		for _, r := range recs[1:] {
			k := r[2] + "/" + r[4]
			if seen[k] {
				t.Fatalf("row twice: %s", k)
			}
			seen[k] = true
		}
		rows := all(t, e, grace, 100, nil, nil)
		if len(rows) != want || fetch(t, e, grace, map[string]any{"first": 1}).SkillsReport.TotalCount != want {
			t.Fatalf("GraphQL: %d rows", len(rows))
		}
		for i, r := range rows {
			if recs[i+1][2] != r.Mcid || recs[i+1][4] != r.SkillNumber {
				t.Fatalf("row %d differs: CSV %v, GraphQL %+v", i, recs[i+1], r)
			}
		}
	})
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("the client went away")
	}
	return len(p), nil
}

// A download that fails half-way, on the writing side (the client went away)
// or the reading side (the request was cancelled), returns the error and
// leaves no reader behind.
func TestCSVStopsCleanlyHalfWay(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		testenv.AddPeople(t, e.App.DB.Client, "4100001", 1500, []string{"AZ-104", "MC-AZURE-ADMINISTRATOR"})
		grace, err := e.App.DB.Client.User.Query().Where(user.Email("grace@contoso.example")).Only(sys())
		if err != nil {
			t.Fatal(err)
		}
		v := &viewer.Viewer{Kind: viewer.KindUser, UserID: grace.ID, OrgID: *grace.OrganizationID, Roles: []viewer.Role{viewer.GlobalAdmin}}
		before := runtime.NumGoroutine()

		err = e.App.Report.WriteCSV(context.Background(), v, &failingWriter{n: 100 << 10}, report.Filter{}, report.Order{}, nil)
		if err == nil || !strings.Contains(err.Error(), "went away") {
			t.Fatalf("writer failing: %v", err)
		}

		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err = e.App.Report.Each(ctx, v, report.Filter{}, report.Order{}, func(report.Row) error {
			if n++; n == 700 {
				cancel()
			}
			return nil
		}, nil)
		if !errors.Is(err, context.Canceled) || n >= 3009 {
			t.Fatalf("cancelled after 700 rows: %v after %d rows", err, n)
		}

		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if g := runtime.NumGoroutine(); g > before {
			t.Fatalf("%d goroutines left behind", g-before)
		}
	})
}
