package designation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/metricvalue"
	"certlink/ent/notification"
	"certlink/ent/organization"
	"certlink/ent/outboxmessage"
	"certlink/ent/qualificationday"
	"certlink/internal/designation"
	"certlink/internal/ingest"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

func sys() context.Context { return viewer.System(context.Background()) }

const areaFields = `key name score qualified reason explanation dropsOn dropReason
  bestTrack{key}
  tracks{key score qualified reason categories{category maxPoints points
    metrics{key source unit weight value threshold points missing month people{email}}}}
  window{opensOn closesOn qualifiedDays holds lastQualifiedOn holdsUntil days{day qualified score live}}`

type metricView struct {
	Key, Source, Unit string
	Weight            int
	Value, Threshold  float64
	Points, Missing   float64
	Month             *string
	People            []struct{ Email string }
}

type areaView struct {
	Key, Name, Reason, Explanation string
	Score                          float64
	Qualified                      bool
	DropsOn                        *time.Time
	DropReason                     *string
	BestTrack                      struct{ Key string }
	Tracks                         []struct {
		Key        string
		Score      float64
		Qualified  bool
		Reason     string
		Categories []struct {
			Category  string
			MaxPoints int
			Points    float64
			Metrics   []metricView
		}
	}
	Window struct {
		OpensOn, ClosesOn time.Time
		QualifiedDays     int
		Holds             bool
		LastQualifiedOn   *time.Time
		HoldsUntil        *time.Time
		Days              []struct {
			Day       time.Time
			Qualified bool
			Score     float64
			Live      bool
		}
	}
}

func (a areaView) metric(t *testing.T, key string) metricView {
	t.Helper()
	for _, tr := range a.Tracks {
		if tr.Key != a.BestTrack.Key {
			continue
		}
		for _, c := range tr.Categories {
			for _, m := range c.Metrics {
				if m.Key == key {
					return m
				}
			}
		}
	}
	t.Fatalf("%s: no metric %q", a.Key, key)
	return metricView{}
}

func find(t *testing.T, list []areaView, key string) areaView {
	t.Helper()
	for _, a := range list {
		if a.Key == key {
			return a
		}
	}
	t.Fatalf("no solution area %q", key)
	return areaView{}
}

func areas(t *testing.T, e *testenv.Env, tok string) []areaView {
	t.Helper()
	var out struct{ SolutionAreas []areaView }
	e.Do(tok, `{solutionAreas{`+areaFields+`}}`, nil).Decode(t, &out)
	return out.SolutionAreas
}

func simulate(t *testing.T, e *testenv.Env, tok string, input map[string]any) []areaView {
	t.Helper()
	var out struct{ SimulateSolutionAreas []areaView }
	e.Do(tok, `query($in:SolutionAreasWhatIfInput!){simulateSolutionAreas(input:$in){`+areaFields+`}}`,
		map[string]any{"in": input}).Decode(t, &out)
	return out.SimulateSolutionAreas
}

// The demo, as Contoso's admins see it: Infrastructure (Azure) at 65 with
// advanced certifications at zero, its window held by a fortnight two months
// ago; what-if alex passes the Solutions Architect Expert: 75, qualified,
// projected to drop when his Azure Administrator Associate expires.
func TestSolutionAreasDemo(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		list := areas(t, e, mona)
		if len(list) != 6 {
			t.Fatalf("want the six solution areas, got %d", len(list))
		}
		infra := find(t, list, "infrastructure-azure")
		if infra.Score != 65 || infra.Qualified || infra.Reason != "SCORE_BELOW_70_AND_METRIC_AT_ZERO" ||
			infra.Explanation != "65 points, below 70; at zero: Advanced certifications" || infra.DropsOn != nil {
			t.Fatalf("infrastructure: %+v", infra)
		}
		inter := infra.metric(t, "intermediate-certifications")
		if inter.Value != 1 || inter.Points != 5 || inter.Missing != 3 || len(inter.People) != 1 ||
			inter.People[0].Email != "alex@contoso.example" || inter.Source != "INTERMEDIATE_CERTIFICATIONS" || inter.Month != nil {
			t.Fatalf("intermediate: %+v", inter)
		}
		nca := infra.metric(t, "net-customer-adds")
		if nca.Value != 4 || nca.Points != 10 || nca.Month == nil || *nca.Month != designation.MonthOf(time.Now()) || len(nca.People) != 0 {
			t.Fatalf("net customer adds: %+v", nca)
		}
		w := infra.Window
		now := time.Now().UTC()
		opens, closes := designation.WindowBounds(now)
		if !w.Holds || w.QualifiedDays != 15 || !w.OpensOn.Equal(opens) || !w.ClosesOn.Equal(closes) ||
			w.LastQualifiedOn == nil || designation.DayOf(*w.LastQualifiedOn) != designation.DayOf(now.AddDate(0, 0, -61)) ||
			!w.HoldsUntil.Equal(designation.HoldsUntil(now.AddDate(0, 0, -61))) {
			t.Fatalf("window: %+v", w)
		}
		if last := w.Days[len(w.Days)-1]; designation.DayOf(last.Day) != designation.DayOf(now) || last.Qualified {
			t.Fatalf("today: %+v", last)
		}
		mw := find(t, list, "modern-work")
		if len(mw.Tracks) != 2 || mw.Qualified || mw.Window.Holds {
			t.Fatalf("modern work: %+v", mw)
		}
		if dai := find(t, list, "data-ai-azure"); dai.Score != 0 || dai.Reason != "SCORE_BELOW_70_AND_METRIC_AT_ZERO" {
			t.Fatalf("data & AI: %+v", dai)
		}

		// What if alex passes the expert certification.
		alexExpert := map[string]any{"addResults": []map[string]any{{"mcid": "9900001", "skillNumber": "MC-AZURE-SOLUTIONS-ARCHITECT"}}}
		wi := find(t, simulate(t, e, mona, alexExpert), "infrastructure-azure")
		if wi.Score != 75 || !wi.Qualified || wi.DropsOn == nil || wi.DropReason == nil ||
			!strings.Contains(*wi.DropReason, "MC-AZURE-ADMINISTRATOR") || wi.Window.QualifiedDays != 16 {
			t.Fatalf("what-if expert: %+v", wi)
		}
		if left := time.Until(*wi.DropsOn); left < 55*24*time.Hour || left > 63*24*time.Hour {
			t.Fatalf("drops on %v: want when alex's administrator certification expires (two months)", wi.DropsOn)
		}
		// Nothing was written.
		if again := find(t, areas(t, e, mona), "infrastructure-azure"); again.Score != 65 {
			t.Fatalf("a what-if changed the score: %v", again.Score)
		}
		// The same what-if at a moment after the expiry: intermediate at zero.
		after := wi.DropsOn.Add(time.Hour)
		alexExpert["at"] = after.Format(time.RFC3339)
		later := find(t, simulate(t, e, mona, alexExpert), "infrastructure-azure")
		if later.Qualified || later.metric(t, "intermediate-certifications").Value != 0 || later.Score != 70 {
			t.Fatalf("after the expiry: %+v", later)
		}
		// Leavers and metric values.
		var alexID string
		var me struct {
			Users struct {
				Edges []struct{ Node struct{ ID, Email string } }
			}
		}
		e.Do(mona, `{users(first:50){edges{node{id email}}}}`, nil).Decode(t, &me)
		for _, ed := range me.Users.Edges {
			if ed.Node.Email == "alex@contoso.example" {
				alexID = ed.Node.ID
			}
		}
		gone := find(t, simulate(t, e, mona, map[string]any{"removePeople": []string{alexID},
			"setMetrics": []map[string]any{{"area": "infrastructure-azure", "metric": "deployments", "value": 5}}}), "infrastructure-azure")
		if gone.metric(t, "intermediate-certifications").Value != 0 || gone.metric(t, "deployments").Points != 12.5 || gone.Score != 47.5 {
			t.Fatalf("alex gone, 5 deployments: %+v", gone)
		}
		for _, c := range []struct {
			in   map[string]any
			code string
		}{
			{map[string]any{"setMetrics": []map[string]any{{"area": "infrastructure-azure", "metric": "advanced-certifications", "value": 5}}}, "INVALID_INPUT"},
			{map[string]any{"setMetrics": []map[string]any{{"area": "nowhere", "metric": "deployments", "value": 5}}}, "INVALID_INPUT"},
			{map[string]any{"setMetrics": []map[string]any{{"area": "infrastructure-azure", "metric": "deployments", "value": -1}}}, "INVALID_INPUT"},
			{map[string]any{"at": now.AddDate(2, 0, 0).Format(time.RFC3339)}, "INVALID_INPUT"},
			{map[string]any{"at": now.AddDate(0, -1, 0).Format(time.RFC3339)}, "INVALID_INPUT"},
			{map[string]any{"removePeople": []string{e.ID(999999)}}, "NOT_FOUND"},
			{map[string]any{"removePeople": []string{"999999"}}, "INVALID_INPUT"},
		} {
			r := e.Do(mona, `query($in:SolutionAreasWhatIfInput!){simulateSolutionAreas(input:$in){key}}`, map[string]any{"in": c.in})
			if r.Code() != c.code {
				t.Errorf("what-if %v: %q, want %s", c.in, r.Code(), c.code)
			}
		}

		// C7: admins only.
		if c := e.Do(e.Demo("alex@contoso.example"), `{solutionAreas{key}}`, nil).Code(); c != "FORBIDDEN" {
			t.Errorf("a user read solution areas: %q", c)
		}
		if c := e.Do("", `{solutionAreas{key}}`, nil).Code(); c != "UNAUTHENTICATED" {
			t.Errorf("anonymous: %q", c)
		}
		if c := e.Do(e.Demo("sam@fabrikam.example"), `{solutionAreas{key score}}`, nil); c.Code() != "" {
			t.Errorf("fabrikam's admin: %+v", c.Errors)
		} else if fab := areas(t, e, e.Demo("sam@fabrikam.example")); find(t, fab, "infrastructure-azure").Score != 0 {
			t.Errorf("fabrikam sees another organization's values: %+v", find(t, fab, "infrastructure-azure"))
		}
	})
}

// The forecast's drop is the first moment the counting rule, asked in SQL at
// that moment, says the area no longer qualifies (the oracle), and not a
// second earlier.
func TestDropMatchesCountingAtThatMoment(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops := e.Demo("ops@certlink.example")
		expires := time.Now().UTC().AddDate(0, 1, 10).Truncate(time.Second)
		r := e.Do(ops, `mutation($x:Time){ingestResults(input:[
			{mcid:"9900001",skillNumber:"MC-AZURE-SOLUTIONS-ARCHITECT",completedAt:"2025-01-10"},
			{mcid:"9900001",skillNumber:"MC-AZURE-SECURITY-ENGINEER",completedAt:"2025-01-10",expiresAt:$x}]){accepted errors{message}}}`,
			map[string]any{"x": expires.Format(time.RFC3339)})
		var res struct{ IngestResults struct{ Accepted int } }
		r.Decode(t, &res)
		if res.IngestResults.Accepted != 2 {
			t.Fatalf("ingest: %s", r.Data)
		}
		infra := find(t, areas(t, e, e.Demo("mona@contoso.example")), "infrastructure-azure")
		if !infra.Qualified || infra.DropsOn == nil {
			t.Fatalf("infrastructure: %+v", infra)
		}
		org := e.App.DB.Client.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
		at := func(t0 time.Time) bool {
			list, err := designation.Compute(sys(), e.App.DB.Client, designation.SQLCounts{}, org, t0, time.Hour, designation.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				if a.Key == "infrastructure-azure" {
					return a.Qualified()
				}
			}
			t.Fatal("no infrastructure-azure")
			return false
		}
		drop := *infra.DropsOn
		if !at(drop.Add(-time.Second)) || at(drop) {
			t.Fatalf("drop at %v: qualified a second before %v, at it %v", drop, at(drop.Add(-time.Second)), at(drop))
		}
		// Day by day up to the drop, the SQL agrees it qualifies.
		for day := time.Now().UTC(); day.Before(drop); day = day.AddDate(0, 0, 3) {
			if !at(day) {
				t.Fatalf("SQL says not qualified on %v, before the forecast drop %v", day, drop)
			}
		}
	})
}

type metricPayload struct {
	IngestMetrics struct {
		Accepted, Updated, Duplicates, ErrorsOmitted int
		Errors                                       []struct {
			Index   int
			Message string
		}
	}
}

const ingestQuery = `mutation($in:[MetricValueInput!]!){ingestMetrics(input:$in){accepted updated duplicates errorsOmitted errors{index message}}}`

// Item 2: values arrive per organization, metric and month; re-sending
// changes nothing, a correction updates; every bad value is refused by
// position with the reason; the score shows it at once.
func TestIngestMetrics(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops := e.Demo("ops@certlink.example")
		mona := e.Demo("mona@contoso.example")
		month := designation.MonthOf(time.Now())
		v := func(mpn, area, metric, m string, value float64) map[string]any {
			return map[string]any{"mpnId": mpn, "area": area, "metric": metric, "month": m, "value": value}
		}
		in := []map[string]any{
			v("4100001", "data-ai-azure", "deployments", month, 4),
			v("4100001", "data-ai-azure", "net-customer-adds", month, 2),
			v("4100009", "data-ai-azure", "deployments", month, 4),
			v("4100001", "data-ai", "deployments", month, 4),
			v("4100001", "data-ai-azure", "intermediate-certifications", month, 4),
			v("4100001", "data-ai-azure", "deployments", "2099-01", 4),
			v("4100001", "data-ai-azure", "deployments", "2026-13", 4),
			v("4100001", "data-ai-azure", "deployments", month, -1),
			v("41000", "data-ai-azure", "deployments", month, 1),
		}
		var out metricPayload
		e.Do(ops, ingestQuery, map[string]any{"in": in}).Decode(t, &out)
		got := out.IngestMetrics
		if got.Accepted != 2 || got.Duplicates != 0 || len(got.Errors) != 7 {
			t.Fatalf("first send: %+v", got)
		}
		for i, want := range []string{"no organization has MPN ID 4100009", `no solution area has key "data-ai"`,
			"counts certifications of linked people", "is in the future", "not a month", "outside 0 to", "not an MPN ID"} {
			if got.Errors[i].Index != i+2 || !strings.Contains(got.Errors[i].Message, want) {
				t.Errorf("error %d: %+v, want index %d and %q", i, got.Errors[i], i+2, want)
			}
		}
		dai := find(t, areas(t, e, mona), "data-ai-azure")
		if m := dai.metric(t, "deployments"); m.Value != 4 || m.Points != 10 || *m.Month != month {
			t.Fatalf("deployments shown: %+v", m)
		}
		// Again: duplicates. A correction: updated in place.
		e.Do(ops, ingestQuery, map[string]any{"in": in[:2]}).Decode(t, &out)
		if out.IngestMetrics.Duplicates != 2 || out.IngestMetrics.Accepted != 0 {
			t.Fatalf("re-send: %+v", out.IngestMetrics)
		}
		e.Do(ops, ingestQuery, map[string]any{"in": []map[string]any{v("4100001", "data-ai-azure", "deployments", month, 10)}}).Decode(t, &out)
		if out.IngestMetrics.Updated != 1 || out.IngestMetrics.Accepted != 1 {
			t.Fatalf("correction: %+v", out.IngestMetrics)
		}
		if n := e.App.DB.Client.MetricValue.Query().Where(metricvalue.AreaKey("data-ai-azure")).CountX(sys()); n != 2 {
			t.Fatalf("%d rows for two values", n)
		}
		if m := find(t, areas(t, e, mona), "data-ai-azure").metric(t, "deployments"); m.Points != 25 {
			t.Fatalf("corrected deployments: %+v", m)
		}
		// Only providers and operators send.
		for _, tok := range []string{mona, e.Demo("grace@contoso.example")} {
			if c := e.Do(tok, ingestQuery, map[string]any{"in": in[:1]}).Code(); c != "FORBIDDEN" {
				t.Errorf("an admin sent metrics: %q", c)
			}
		}
		if c := e.Do("", ingestQuery, map[string]any{"in": in[:1]}).Code(); c != "UNAUTHENTICATED" {
			t.Errorf("anonymous: %q", c)
		}
		many := make([]map[string]any, 1001)
		for i := range many {
			many[i] = in[0]
		}
		if c := e.Do(ops, ingestQuery, map[string]any{"in": many}).Code(); c != "INVALID_INPUT" {
			t.Errorf("1001 values: %q", c)
		}
	})
}

type bulkOut struct {
	Accepted, Updated, Duplicates int
	Errors                        []struct {
		Line    int
		Message string
	}
	NotReadFromLine int
}

// POST /ingest/metrics with a provider token: NDJSON and CSV, line errors.
func TestIngestMetricsBulk(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		var tok struct{ CreateProviderToken struct{ Token string } }
		e.Do(e.Demo("ops@certlink.example"), `mutation{createProviderToken(name:"partner-center"){token}}`, nil).Decode(t, &tok)
		prov := tok.CreateProviderToken.Token
		month := designation.MonthOf(time.Now())
		ndjson := strings.Join([]string{
			`{"mpnId":"4100002","area":"security","metric":"net-customer-adds","month":"` + month + `","value":3}`,
			`{"mpnId":4100002,"area":"security","metric":"deployments","month":"` + month + `","value":"7"}`,
			`{"mpnId":"4100002","area":"security",`,
			``,
			`{"mpnId":"4100002","area":"security","metric":"usage-growth","month":"` + month + `","value":"lots"}`,
		}, "\n")
		post := func(ct, body string) bulkOut {
			res, b := e.Post(prov, "/ingest/metrics", ct, body)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", ct, res.StatusCode, b)
			}
			var out bulkOut
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		out := post("application/x-ndjson", ndjson)
		if out.Accepted != 2 || len(out.Errors) != 2 || out.Errors[0].Line != 3 || out.Errors[1].Line != 5 ||
			!strings.Contains(out.Errors[1].Message, `value "lots" is not a number`) {
			t.Fatalf("ndjson: %+v", out)
		}
		csv := "mpnId,area,metric,month,value\n4100002,security,net-customer-adds," + month + ",3\n" +
			"4100002,security,usage-growth," + month + ",500\n4100002,security,usage-growth,last month,1\n"
		out = post("text/csv", csv)
		if out.Accepted != 1 || out.Duplicates != 1 || len(out.Errors) != 1 || out.Errors[0].Line != 4 {
			t.Fatalf("csv: %+v", out)
		}
		sec := find(t, areas(t, e, e.Demo("sam@fabrikam.example")), "security")
		if sec.metric(t, "usage-growth").Points != 12.5 || sec.metric(t, "deployments").Value != 7 {
			t.Fatalf("security: %+v", sec)
		}
		for _, c := range []struct {
			tok, ct, body string
			status        int
		}{
			{"", "text/csv", csv, 401},
			{e.Demo("sam@fabrikam.example"), "text/csv", csv, 403},
			{prov, "application/json", "{}", 400},
			{prov, "text/csv", "", 400},
			{prov, "text/csv", "mpnId,area,metric,month\n", 400},
		} {
			if res, b := e.Post(c.tok, "/ingest/metrics", c.ct, c.body); res.StatusCode != c.status {
				t.Errorf("%s %q: %d %s, want %d", c.ct, c.body, res.StatusCode, b, c.status)
			}
		}
	})
}

// Concurrent senders of the same (organization, area, metric, month): one
// row, nothing refused, the value one of those sent.
func TestIngestMetricsRace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops := e.Demo("ops@certlink.example")
		month := designation.MonthOf(time.Now())
		var wg sync.WaitGroup
		errs := make(chan string, 16)
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := []map[string]any{{"mpnId": "4100002", "area": "modern-work", "metric": "deployments", "month": month, "value": float64(i % 3)}}
				r := e.Do(ops, ingestQuery, map[string]any{"in": in})
				if len(r.Errors) > 0 {
					errs <- fmt.Sprint(r.Errors)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Error(msg)
		}
		rows := e.App.DB.Client.MetricValue.Query().Where(metricvalue.AreaKey("modern-work"), metricvalue.MetricKey("deployments"),
			metricvalue.Month(month)).AllX(sys())
		fab := e.App.DB.Client.Organization.Query().Where(organization.MpnID("4100002")).OnlyIDX(sys())
		n := 0
		for _, r := range rows {
			if r.OrganizationID == fab {
				n++
				if r.Value < 0 || r.Value > 2 {
					t.Errorf("value %v was never sent", r.Value)
				}
			}
		}
		if n != 1 {
			t.Fatalf("%d rows for one (organization, area, metric, month)", n)
		}
	})
}

// The daily record: one row per organization, area and day, written by the
// periodic job (concurrent runs included); a day once qualified stays so; a
// projected drop is told once to every admin (N1, in-app and mail), and so
// is the drop itself.
func TestDailyRecordAndWarnings(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		c := a.DB.Client
		org := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
		// Alex becomes a Solutions Architect Expert: Infrastructure qualifies
		// until his Azure Administrator Associate expires (about two months).
		b, err := a.Ingest.Begin(sys(), &viewer.Viewer{Kind: viewer.KindUser, Roles: []viewer.Role{viewer.Operator}, Email: "ops@certlink.example"})
		if err != nil {
			t.Fatal(err)
		}
		if err := addResult(b, "9900001", "MC-AZURE-SOLUTIONS-ARCHITECT"); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := a.Daily.Check(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		today := c.QualificationDay.Query().Where(qualificationday.OrganizationID(org), qualificationday.Day(designation.DayOf(now))).AllX(sys())
		if len(today) != 6 {
			t.Fatalf("%d rows for six areas today", len(today))
		}
		var infra *ent.QualificationDay
		for _, r := range today {
			if r.AreaKey == "infrastructure-azure" {
				infra = r
			}
		}
		if infra == nil || !infra.Qualified || infra.Score != 75 || infra.TrackKey != "standard" {
			t.Fatalf("infrastructure today: %+v", infra)
		}
		titles := func() []string {
			var out []string
			for _, n := range c.Notification.Query().Where(notification.TitleContains("Infrastructure (Azure)")).AllX(sys()) {
				out = append(out, n.Title)
			}
			return out
		}
		if got := titles(); len(got) != 2 || !strings.Contains(got[0], "projected to stop qualifying") {
			t.Fatalf("projected-drop notifications (grace and mona): %q", got)
		}
		mails := c.OutboxMessage.Query().Where(outboxmessage.SubjectContains("Infrastructure (Azure) projected")).AllX(sys())
		if len(mails) != 2 || !strings.Contains(mails[0].Body, "MC-AZURE-ADMINISTRATOR") || !strings.Contains(mails[0].Body, "window still holds until") {
			t.Fatalf("mails: %+v", mails)
		}
		// Run again: nothing new.
		if _, err := a.Daily.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := titles(); len(got) != 2 {
			t.Fatalf("told twice: %q", got)
		}
		// A later check the same day that is not qualified keeps the day qualified.
		if err := designation.Record(sys(), c, false, org, "infrastructure-azure", designation.DayOf(now),
			&designation.TrackScore{Key: "standard", Score: 40, Reason: designation.ReasonBelow70}, now); err != nil {
			t.Fatal(err)
		}
		if r := c.QualificationDay.GetX(sys(), infra.ID); !r.Qualified || r.Score != 75 {
			t.Fatalf("a qualified day was overwritten: %+v", r)
		}
		// The day before the expiry is recorded qualified; the day after it
		// is not, and the admins are told.
		list, err := designation.Compute(sys(), c, designation.SQLCounts{}, org, now, designation.DefaultHorizon, designation.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var drop time.Time
		for _, ar := range list {
			if ar.Key == "infrastructure-azure" && ar.DropsOn != nil {
				drop = *ar.DropsOn
			}
		}
		if drop.IsZero() {
			t.Fatal("no drop foreseen")
		}
		a.Daily.Now = func() time.Time { return drop.Add(-2 * time.Hour) }
		if _, err := a.Daily.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		a.Daily.Now = func() time.Time { return drop.Add(24 * time.Hour) }
		if _, err := a.Daily.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		dropped := c.Notification.Query().Where(notification.TitleContains("no longer qualifies")).AllX(sys())
		if len(dropped) != 2 || !strings.Contains(dropped[0].Body, "window holds until") {
			t.Fatalf("drop notifications: %+v", dropped)
		}
		if r := c.QualificationDay.Query().Where(qualificationday.OrganizationID(org), qualificationday.AreaKey("infrastructure-azure"),
			qualificationday.Day(designation.DayOf(drop.Add(24*time.Hour)))).OnlyX(sys()); r.Qualified || !strings.Contains(r.Reason, "Intermediate certifications") {
			t.Fatalf("the day after the drop: %+v", r)
		}
	})
}

// qualificationHistory: the recorded days, bounded, admins only.
func TestQualificationHistory(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		now := time.Now().UTC()
		var out struct {
			QualificationHistory []struct {
				Day       time.Time
				Qualified bool
				Score     float64
				Reason    string
			}
		}
		q := `query($a:String!,$f:Time!,$t:Time!){qualificationHistory(area:$a,from:$f,to:$t){day qualified score reason}}`
		vars := map[string]any{"a": "infrastructure-azure", "f": now.AddDate(0, 0, -80).Format("2006-01-02"), "t": now.AddDate(0, 0, -2).Format("2006-01-02")}
		e.Do(mona, q, vars).Decode(t, &out)
		h := out.QualificationHistory
		if len(h) != 74 || !h[0].Qualified || h[0].Score != 75 || h[len(h)-1].Qualified || designation.DayOf(h[0].Day) != designation.DayOf(now.AddDate(0, 0, -75)) {
			t.Fatalf("history: %d days, first %+v", len(h), h[0])
		}
		for _, c := range []struct {
			vars map[string]any
			code string
		}{
			{map[string]any{"a": "nowhere", "f": "2026-01-01", "t": "2026-02-01"}, "NOT_FOUND"},
			{map[string]any{"a": "security", "f": "2026-02-01", "t": "2026-01-01"}, "INVALID_INPUT"},
			{map[string]any{"a": "security", "f": "2024-01-01", "t": "2026-01-01"}, "INVALID_INPUT"},
		} {
			if got := e.Do(mona, q, c.vars).Code(); got != c.code {
				t.Errorf("%v: %q, want %s", c.vars, got, c.code)
			}
		}
		if got := e.Do(e.Demo("riley@contoso.example"), q, vars).Code(); got != "FORBIDDEN" {
			t.Errorf("a user read the history: %q", got)
		}
	})
}

func addResult(b *ingest.Batch, mcid, skill string) error {
	if err := b.Add(ingest.Raw{Pos: 0, MCID: mcid, SkillNumber: skill, CompletedAt: time.Now().UTC().AddDate(0, 0, -10).Format("2006-01-02")}); err != nil {
		return err
	}
	out, err := b.Finish()
	if err != nil {
		return err
	}
	if out.Accepted != 1 {
		return fmt.Errorf("ingest: %+v", out)
	}
	return nil
}
