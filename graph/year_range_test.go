package graph_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestDatesOutsideYears1To9999AreRefused: Go reads "0000-01-01" and an
// offset can carry a time past year 9999 in UTC; SQLite would store such a
// time and MariaDB's driver refuses it (an outside review got INTERNAL, a 500
// and an empty 200 CSV out of it, and the two databases disagreed). Every
// date a caller gives — the Time scalar, the report's and the audit's query
// parameters, an ingested line — is refused as bad input on both.
func TestDatesOutsideYears1To9999AreRefused(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		sam := e.Demo("sam@fabrikam.example")
		ops := e.Demo("ops@certlink.example")
		bad := []string{"0000-01-01", "0000-06-30T12:00:00Z", "0001-01-01", "0001-01-01T00:00:00Z", "0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"}
		for _, day := range bad {
			for _, c := range []struct {
				tok, q string
			}{
				{sam, `query($t:Time){skillsReport(first:1,where:{completedAfter:$t}){totalCount}}`},
				{sam, `query($t:Time){auditLog(first:1,where:{from:$t}){totalCount}}`},
				{ops, `mutation($t:Time){upsertSkill(input:{number:"TEST-YEAR",title:"Year test",type:EXAM,retiredOn:$t}){number}}`},
				{ops, `mutation($t:Time!){ingestResults(input:[{mcid:"9900001",skillNumber:"AZ-900",completedAt:$t}]){accepted}}`},
			} {
				r := e.Do(c.tok, c.q, map[string]any{"t": day})
				if r.Code() != "INVALID_INPUT" {
					t.Errorf("%s with %s: %s %+v, want INVALID_INPUT", c.q, day, r.Data, r.Errors)
				}
			}
			for _, path := range []string{"/reports/skills.csv?completedAfter=", "/reports/skills.csv?expiresBefore=", "/reports/audit.csv?from="} {
				res, body := e.Get(sam, path+url.QueryEscape(day))
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "INVALID_INPUT") {
					t.Errorf("GET %s%s: %d %q, want 400 INVALID_INPUT", path, day, res.StatusCode, body)
				}
			}
		}
		// An ingested line with such a date is that line's error; the others are stored.
		body := `{"mcid":"9900001","skillNumber":"AZ-900","completedAt":"0000-01-01"}` + "\n" +
			`{"mcid":"9900001","skillNumber":"AZ-900","completedAt":"2020-02-02"}` + "\n"
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+ops)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Accepted, Duplicates int
			Errors               []struct {
				Line    int
				Message string
			}
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 || out.Accepted+out.Duplicates != 1 || len(out.Errors) != 1 || out.Errors[0].Line != 1 ||
			!strings.Contains(out.Errors[0].Message, "years 1 to 9999") {
			t.Fatalf("ingest with a year-0 line: %d %+v", res.StatusCode, out)
		}
	})
}

// TestDemoLinkHasItsHistory: the demo's seeded link (alex, MCID 9900001) is
// started the way every link is, so its history and the audit log have the
// event (an outside review found linkHistory NOT_FOUND for it).
func TestDemoLinkHasItsHistory(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	var out struct {
		LinkHistory []struct{ Action, Mcid string }
	}
	must(t, e, grace, `{linkHistory(mcid:"9900001"){action mcid}}`, nil, &out)
	if len(out.LinkHistory) != 1 || out.LinkHistory[0].Action != "LINKED" {
		t.Fatalf("alex's seeded link's history: %+v", out.LinkHistory)
	}
}
