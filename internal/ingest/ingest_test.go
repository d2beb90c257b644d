package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

type bulk struct {
	Accepted, Updated, Duplicates int
	Errors                        []struct {
		Line    int
		Message string
	}
}

func providerToken(t testing.TB, e *testenv.Env) string {
	t.Helper()
	var out struct{ CreateProviderToken struct{ Token string } }
	e.Do(e.Demo("ops@certlink.example"), `mutation{createProviderToken(name:"learn-directory"){token providerToken{name}}}`, nil).Decode(t, &out)
	return out.CreateProviderToken.Token
}

func securityCount(t testing.TB, e *testenv.Env, tok string) int {
	t.Helper()
	var out struct {
		CompetencyProgress []struct {
			Competency struct{ Key string }
			Levels     []struct {
				Level   string
				Options []struct {
					Requirements []struct {
						Key     string
						Current int
					}
				}
			}
		}
	}
	e.Do(tok, `{competencyProgress{competency{key} levels{level options{requirements{key current}}}}}`, nil).Decode(t, &out)
	for _, c := range out.CompetencyProgress {
		if c.Competency.Key == "security" {
			return c.Levels[0].Options[0].Requirements[1].Current // identity-administrators
		}
	}
	t.Fatal("no security competency")
	return 0
}

// L10 through GraphQL: provider tokens and operators; per-result errors by
// index; re-sending changes nothing; the result counts at once.
func TestIngestResults(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		mona := e.Demo("mona@contoso.example")
		if n := securityCount(t, e, mona); n != 0 {
			t.Fatalf("before: %d", n)
		}
		q := `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted duplicates errors{index message}}}`
		in := []map[string]any{
			{"mcid": "9900001", "skillNumber": "SC-300", "completedAt": "2026-10-01T10:00:00Z"},
			{"mcid": "1234567", "skillNumber": "SC-300", "completedAt": "2026-10-01T10:00:00Z"},
			{"mcid": "9900001", "skillNumber": "XX-999", "completedAt": "2026-10-01T10:00:00Z"},
			{"mcid": "9900001", "skillNumber": "SC-200", "completedAt": "2026-10-01T10:00:00Z", "expiresAt": "2026-09-01T00:00:00Z"},
			{"mcid": "9900003", "skillNumber": "sc-100", "completedAt": "2026-10-02T10:00:00.123456Z"},
		}
		type payload struct {
			IngestResults struct {
				Accepted, Duplicates int
				Errors               []struct {
					Index   int
					Message string
				}
			}
		}
		var out payload
		e.Do(prov, q, map[string]any{"in": in}).Decode(t, &out)
		got := out.IngestResults
		if got.Accepted != 2 || got.Duplicates != 0 || len(got.Errors) != 3 ||
			got.Errors[0].Index != 1 || !strings.Contains(got.Errors[0].Message, "no certification profile has MCID 1234567") ||
			got.Errors[1].Index != 2 || !strings.Contains(got.Errors[1].Message, `"XX-999" is not in the catalog`) ||
			got.Errors[2].Index != 3 || !strings.Contains(got.Errors[2].Message, "expiresAt must be after completedAt") {
			t.Fatalf("%+v", got)
		}
		if n := securityCount(t, e, mona); n != 1 {
			t.Fatalf("the ingested result does not count at once: %d", n)
		}
		e.Do(prov, q, map[string]any{"in": in}).Decode(t, &out)
		if out.IngestResults.Accepted != 0 || out.IngestResults.Duplicates != 2 {
			t.Fatalf("re-sent: %+v", out.IngestResults)
		}
		// The report shows the source and the moment of recognition.
		var rep struct {
			SkillsReport struct {
				Edges []struct {
					Node struct{ Source, RecognizedAt string }
				}
			}
		}
		e.Do(mona, `{skillsReport(where:{skillNumber:"SC-300"}){edges{node{source recognizedAt}}}}`, nil).Decode(t, &rep)
		if len(rep.SkillsReport.Edges) != 1 || rep.SkillsReport.Edges[0].Node.Source != "ingest:learn-directory" {
			t.Fatalf("report: %+v", rep)
		}
		for who, code := range map[string]string{"mona@contoso.example": "FORBIDDEN", "alex@contoso.example": "FORBIDDEN"} {
			if c := e.Do(e.Demo(who), q, map[string]any{"in": in[:1]}).Code(); c != code {
				t.Errorf("%s: %s", who, c)
			}
		}
		if c := e.Do("", q, map[string]any{"in": in[:1]}).Code(); c != "UNAUTHENTICATED" {
			t.Errorf("anonymous: %s", c)
		}
		// Operators may ingest; only they manage provider tokens.
		var ops payload
		e.Do(e.Demo("ops@certlink.example"), q, map[string]any{"in": in[4:]}).Decode(t, &ops)
		if ops.IngestResults.Duplicates != 1 {
			t.Fatalf("operator: %+v", ops)
		}
		if c := e.Do(mona, `mutation{createProviderToken(name:"x"){token}}`, nil).Code(); c != "FORBIDDEN" {
			t.Errorf("admin made a provider token: %s", c)
		}
		if c := e.Do(prov, `mutation{createProviderToken(name:"x"){token}}`, nil).Code(); c != "FORBIDDEN" {
			t.Errorf("provider made a provider token: %s", c)
		}
	})
}

// L10 bulk: NDJSON and CSV streamed; line numbers; valid lines kept; re-sending
// changes nothing; a corrected expiry updates in place.
func TestIngestBulk(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		ndjson := strings.Join([]string{
			`{"mcid":"9900001","skillNumber":"SC-300","completedAt":"2026-10-01T10:00:00Z"}`,
			`{"mcid":"9900001","skillNumber":`,
			``,
			`{"mcid":9900003,"skillNumber":"AZ-500","completedAt":"2026-09-01","expiresAt":"2027-09-01"}`,
			`{"mcid":"9900003","skillNumber":"AZ-500","completedAt":"someday"}`,
			`{"mcid":"9900002","skillNumber":"SC-200","completedAt":"2099-01-01T00:00:00Z"}`,
		}, "\n") + "\n"
		post := func(ct, body string) (int, bulk) {
			res, b := e.Post(prov, "/ingest", ct, body)
			var out bulk
			if res.StatusCode == 200 {
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatalf("%s: %v", b, err)
				}
			}
			return res.StatusCode, out
		}
		status, out := post("application/x-ndjson", ndjson)
		if status != 200 || out.Accepted != 2 || out.Duplicates != 0 || len(out.Errors) != 3 ||
			out.Errors[0].Line != 2 || out.Errors[1].Line != 5 || out.Errors[2].Line != 6 ||
			!strings.Contains(out.Errors[1].Message, "completedAt") || !strings.Contains(out.Errors[2].Message, "future") {
			t.Fatalf("%d %+v", status, out)
		}
		if _, again := post("application/x-ndjson", ndjson); again.Accepted != 0 || again.Duplicates != 2 || len(again.Errors) != 3 {
			t.Fatalf("re-sent: %+v", again)
		}
		csvBody := "MCID,Skill_Number,Completed_At,Expires_At\r\n" +
			"9900003,AZ-500,2026-09-01,2028-01-01\r\n" + // expiry corrected
			"9900002,\"DP-300\",2026-08-15T08:30:00Z,\r\n" +
			"9900002,DP-300,not a date,\r\n" +
			"\"9900002,AZ-104,2026-08-15,\r\n"
		status, out = post("text/csv; charset=utf-8", csvBody)
		if status != 200 || out.Accepted != 2 || out.Updated != 1 || len(out.Errors) != 2 || out.Errors[0].Line != 4 || out.Errors[1].Line != 5 {
			t.Fatalf("CSV: %d %+v", status, out)
		}
		if status, _ := post("text/csv", "name,email\nx,y\n"); status != 400 {
			t.Fatalf("CSV without the columns: %d", status)
		}
		// A line or header that gives a field twice is refused, not read as
		// its last value (an outside review filed such a result under the
		// second MCID); so is a field certlink does not read, which would be
		// dropped (a misspelt "expires_at" stored a certification that never
		// expires).
		dup := strings.Join([]string{
			`{"mcid":"9900002","mcid":"9900001","skillNumber":"AZ-104","completedAt":"2026-05-04"}`,
			`{"mcid":"9900002","MCID":"9900001","skillNumber":"AZ-104","completedAt":"2026-05-04"}`,
			`{"mcid":"9900003","skillNumber":"AZ-204","completedAt":"2025-01-05","expires_at":"2025-06-01"}`,
			`{"mcid":"9900002","x":{"mcid":1},"skillNumber":"AZ-104","completedAt":"2026-05-05"}`,
			`{"MCID":"9900002","SkillNumber":"AZ-104","completedAt":"2026-05-05"}`,
		}, "\n") + "\n"
		if status, out := post("application/x-ndjson", dup); status != 200 || out.Accepted != 1 || len(out.Errors) != 4 ||
			!strings.Contains(out.Errors[0].Message, `"mcid" twice`) || !strings.Contains(out.Errors[1].Message, "twice") || out.Errors[1].Line != 2 ||
			!strings.Contains(out.Errors[2].Message, `"expires_at" is not a field`) || !strings.Contains(out.Errors[3].Message, `"x" is not a field`) {
			t.Fatalf("NDJSON with a repeated or unknown key: %d %+v", status, out)
		}
		for _, body := range []string{
			"mcid,mcid,skillNumber,completedAt\n9900002,9900001,AZ-104,2026-05-06\n",
			"mcid,skillNumber,completedAt,expiresAtt\n9900003,AZ-204,2025-01-05,2025-03-01\n",
		} {
			if status, _ := post("text/csv", body); status != 400 {
				t.Fatalf("CSV %q: %d", body, status)
			}
		}
		// A value under an empty heading (a trailing comma) or past the
		// header is a line error; an empty one is nothing.
		status, out = post("text/csv", "mcid,skillNumber,completedAt,\n9900003,AZ-204,2025-01-06,2025-03-01\n9900003,AZ-204,2025-01-07,\n9900003,AZ-204,2025-01-08,,x\n")
		if status != 200 || out.Accepted != 1 || len(out.Errors) != 2 || out.Errors[0].Line != 2 || out.Errors[1].Line != 4 {
			t.Fatalf("CSV with values under no heading: %d %+v", status, out)
		}
		// A compressed body or another charset is refused whole, saying
		// what to send, not read as UTF-8 text line by line.
		if status, _ := post("application/x-ndjson; charset=utf-16", ndjson); status != 400 {
			t.Fatalf("NDJSON in UTF-16: %d", status)
		}
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", strings.NewReader(ndjson))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("Authorization", "Bearer "+prov)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 400 {
			t.Fatalf("a gzip Content-Encoding: %v %v", res, err)
		} else {
			res.Body.Close()
		}
		if status, _ := post("application/xml", "<x/>"); status != 400 {
			t.Fatalf("XML: %d", status)
		}
		if res, _ := e.Post("", "/ingest", "text/csv", csvBody); res.StatusCode != 401 {
			t.Fatalf("anonymous: %d", res.StatusCode)
		}
		if res, _ := e.Post(e.Demo("grace@contoso.example"), "/ingest", "text/csv", csvBody); res.StatusCode != 403 {
			t.Fatalf("admin: %d", res.StatusCode)
		}
		// A revoked provider token stops at once.
		var list struct{ ProviderTokens []struct{ ID string } }
		ops := e.Demo("ops@certlink.example")
		e.Do(ops, `{providerTokens{id name}}`, nil).Decode(t, &list)
		e.Do(ops, `mutation($id:ID!){revokeProviderToken(id:$id){revokedAt}}`, map[string]any{"id": list.ProviderTokens[0].ID}).Decode(t, &struct{}{})
		if res, _ := e.Post(prov, "/ingest", "text/csv", csvBody); res.StatusCode != 401 {
			t.Fatalf("revoked token: %d", res.StatusCode)
		}
	})
}

// Many lines: several batches, every valid line kept once.
func TestIngestManyLines(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		var b strings.Builder
		b.WriteString("mcid,skillNumber,completedAt\n")
		n := 0
		for day := 0; day < 400; day++ {
			for _, m := range []string{"9900001", "9900002", "9900003"} {
				b.WriteString(m + ",AZ-900,2025-" + []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}[day%12] +
					"-" + []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28"}[day/12%28] + "T" +
					[]string{"08", "09"}[day/336] + ":00:00Z\n")
				n++
			}
		}
		res, body := e.Post(prov, "/ingest", "text/csv", b.String())
		var out bulk
		_ = json.Unmarshal(body, &out)
		if res.StatusCode != 200 || out.Accepted != n || len(out.Errors) != 0 {
			t.Fatalf("%d: %s", res.StatusCode, body)
		}
		res, body = e.Post(prov, "/ingest", "text/csv", b.String())
		_ = json.Unmarshal(body, &out)
		if out.Accepted != 0 || out.Duplicates != n {
			t.Fatalf("re-sent: %s", body)
		}
	})
}

// S1: the report shows one row per person and skill, the latest completion,
// whatever order retakes arrive in (one batch or several).
func TestReportShowsTheLatestRetake(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		mona := e.Demo("mona@contoso.example")
		q := `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{message}}}`
		send := func(dates ...string) {
			t.Helper()
			var in []map[string]any
			for _, d := range dates {
				in = append(in, map[string]any{"mcid": "9900001", "skillNumber": "SC-300", "completedAt": d})
			}
			var out struct {
				IngestResults struct {
					Accepted int
					Errors   []struct{ Message string }
				}
			}
			e.Do(prov, q, map[string]any{"in": in}).Decode(t, &out)
			if out.IngestResults.Accepted != len(dates) || len(out.IngestResults.Errors) != 0 {
				t.Fatalf("%v: %+v", dates, out.IngestResults)
			}
		}
		shown := func() []string {
			t.Helper()
			var rep struct {
				SkillsReport struct {
					TotalCount int
					Edges      []struct{ Node struct{ CompletedAt string } }
				}
			}
			e.Do(mona, `{skillsReport(where:{skillNumberIn:["SC-300"]}){totalCount edges{node{completedAt}}}}`, nil).Decode(t, &rep)
			var out []string
			for _, ed := range rep.SkillsReport.Edges {
				out = append(out, ed.Node.CompletedAt)
			}
			if rep.SkillsReport.TotalCount != len(out) {
				t.Fatalf("totalCount %d for %d rows", rep.SkillsReport.TotalCount, len(out))
			}
			return out
		}
		send("2025-06-01T00:00:00Z", "2026-06-01T00:00:00Z", "2025-01-01T00:00:00Z")
		if got := shown(); len(got) != 1 || got[0] != "2026-06-01T00:00:00Z" {
			t.Fatalf("after one batch of three: %v", got)
		}
		send("2024-01-01T00:00:00Z") // an older retake arriving late changes nothing
		if got := shown(); len(got) != 1 || got[0] != "2026-06-01T00:00:00Z" {
			t.Fatalf("after an older one: %v", got)
		}
		send("2026-09-01T00:00:00Z")
		if got := shown(); len(got) != 1 || got[0] != "2026-09-01T00:00:00Z" {
			t.Fatalf("after a newer one: %v", got)
		}
		// The CSV agrees with the connection.
		_, body := e.Get(mona, "/reports/skills.csv?skillNumber=SC-300")
		if csv := string(body); strings.Count(csv, "\n") != 2 || !strings.Contains(csv, ",2026-09-01,") {
			t.Fatalf("CSV: %q", csv)
		}
	})
}

// Retakes of one skill arriving at once from several providers' batches: the
// report still shows one row, the latest (on MariaDB the batches run in
// parallel transactions).
func TestConcurrentRetakesKeepOneLatest(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		mona := e.Demo("mona@contoso.example")
		q := `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{message}}}`
		const n = 12
		var wg sync.WaitGroup
		codes := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := []map[string]any{
					{"mcid": "9900001", "skillNumber": "SC-300", "completedAt": fmt.Sprintf("2025-%02d-01T00:00:00Z", i+1)},
					{"mcid": "9900001", "skillNumber": "SC-200", "completedAt": fmt.Sprintf("2024-%02d-01T00:00:00Z", n-i)},
				}
				var out struct {
					IngestResults struct {
						Accepted int
						Errors   []struct{ Message string }
					}
				}
				r := e.Do(prov, q, map[string]any{"in": in})
				if codes[i] = r.Code(); codes[i] == "" {
					r.Decode(t, &out)
					if out.IngestResults.Accepted != 2 {
						codes[i] = fmt.Sprintf("%+v", out.IngestResults)
					}
				}
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != "" {
				t.Fatalf("batch %d: %s", i, c)
			}
		}
		var rep struct {
			SkillsReport struct {
				Edges []struct {
					Node struct{ SkillNumber, CompletedAt string }
				}
			}
		}
		e.Do(mona, `{skillsReport(where:{mcid:"9900001",skillNumberIn:["SC-300","SC-200"]},orderBy:{field:SKILL_NUMBER}){edges{node{skillNumber completedAt}}}}`, nil).Decode(t, &rep)
		got := fmt.Sprint(rep.SkillsReport.Edges)
		if want := "[{{SC-200 2024-12-01T00:00:00Z}} {{SC-300 2025-12-01T00:00:00Z}}]"; got != want {
			t.Fatalf("report after concurrent retakes: %s, want %s", got, want)
		}
	})
}

// An MCID merge and a batch for the duplicate MCID at the same moment: the
// result lands on the survivor, never on the merged profile (where no report
// would show it). On MariaDB merge and batch run in parallel transactions.
func TestIngestDuringMergeReachesTheSurvivor(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		ops := e.Demo("ops@certlink.example")
		c := e.App.DB.Client
		ctx := viewer.System(context.Background())
		const n = 8
		for i := range n {
			acc := c.DirectoryAccount.Create().SetEmail(fmt.Sprintf("dup%d@learn.example", i)).SetName("Alex Wilber").SaveX(ctx)
			c.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(fmt.Sprintf("990100%d", i)).SetAccount(acc).SaveX(ctx)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 2*n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				q := fmt.Sprintf(`mutation{mergeCertificationProfiles(input:{survivorMcid:"9900001",duplicateMcid:"990100%d"}){resultsMoved}}`, i)
				if code := e.Do(ops, q, nil).Code(); code != "" {
					errs <- "merge: " + code
				}
			}()
			go func() {
				defer wg.Done()
				in := []map[string]any{{"mcid": fmt.Sprintf("990100%d", i), "skillNumber": "SC-300",
					"completedAt": fmt.Sprintf("2025-%02d-01T00:00:00Z", i+1)}}
				r := e.Do(prov, `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{message}}}`, map[string]any{"in": in})
				if code := r.Code(); code != "" {
					errs <- "ingest: " + code
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		stranded := c.Result.Query().Where(result.HasProfileWith(profile.MergedIntoIDNotNil())).CountX(ctx)
		held := c.Result.Query().Where(result.HasProfileWith(profile.Mcid("9900001")), result.HasSkillWith(skill.Number("SC-300"))).CountX(ctx)
		if stranded != 0 || held != n {
			t.Fatalf("%d results on merged profiles, the survivor holds %d of %d SC-300 results", stranded, held, n)
		}
	})
}
