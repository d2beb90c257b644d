package progress_test

import (
	"net/http"
	"strings"
	"testing"

	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// C7, per role: only Global Admins and MPN Partner Admins of the organization
// (and its API tokens with the right scope) see progress, the report and the CSV.
func TestWhoSeesCompetencies(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops := e.Demo("ops@certlink.example")
		var prov struct{ CreateProviderToken struct{ Token string } }
		e.Do(ops, `mutation{createProviderToken(name:"directory"){token}}`, nil).Decode(t, &prov)
		cases := []struct {
			who          string
			token        string
			progress     string // "" = allowed, else the code
			report       string
			csv          int
			seesContoso  bool
			seesFabrikam bool
		}{
			{"grace (GLOBAL_ADMIN)", e.Demo("grace@contoso.example"), "", "", 200, true, false},
			{"mona (MPN_PARTNER_ADMIN)", e.Demo("mona@contoso.example"), "", "", 200, true, false},
			{"alex (user)", e.Demo("alex@contoso.example"), "FORBIDDEN", "FORBIDDEN", 403, false, false},
			{"riley (user)", e.Demo("riley@contoso.example"), "FORBIDDEN", "FORBIDDEN", 403, false, false},
			{"sam (Fabrikam GLOBAL_ADMIN)", e.Demo("sam@fabrikam.example"), "", "", 200, false, true},
			{"lee (Fabrikam user)", e.Demo("lee@fabrikam.example"), "FORBIDDEN", "FORBIDDEN", 403, false, false},
			{"operator", ops, "FORBIDDEN", "FORBIDDEN", 403, false, false},
			{"provider token", prov.CreateProviderToken.Token, "FORBIDDEN", "FORBIDDEN", 403, false, false},
			{"anonymous", "", "UNAUTHENTICATED", "UNAUTHENTICATED", 401, false, false},
			{"API token, both scopes", apiToken(t, e, "mona@contoso.example", viewer.ScopeProgressRead, viewer.ScopeReportRead), "", "", 200, true, false},
			{"API token, progress only", apiToken(t, e, "grace@contoso.example", viewer.ScopeProgressRead), "", "FORBIDDEN", 403, true, false},
			{"API token, report only", apiToken(t, e, "grace@contoso.example", viewer.ScopeReportRead), "FORBIDDEN", "", 200, true, false},
			{"API token of a user", apiToken(t, e, "alex@contoso.example", viewer.ScopeProgressRead, viewer.ScopeReportRead), "FORBIDDEN", "FORBIDDEN", 403, false, false},
		}
		for _, c := range cases {
			t.Run(c.who, func(t *testing.T) {
				r := e.Do(c.token, `{competencyProgress{status levels{options{requirements{people{email}}}}}}`, nil)
				if r.Code() != c.progress {
					t.Errorf("competencyProgress: code %q, want %q", r.Code(), c.progress)
				}
				body := string(r.Data)
				rep := e.Do(c.token, `{skillsReport(first:100){totalCount edges{node{email mcid}}}}`, nil)
				if rep.Code() != c.report {
					t.Errorf("skillsReport: code %q, want %q", rep.Code(), c.report)
				}
				body += string(rep.Data)
				res, csv := e.Get(c.token, "/reports/skills.csv")
				if res.StatusCode != c.csv {
					t.Errorf("CSV: status %d, want %d: %s", res.StatusCode, c.csv, csv)
				}
				if res.StatusCode == http.StatusOK {
					body += string(csv)
				} else if !strings.Contains(string(csv), `"code"`) {
					t.Errorf("CSV refusal without a code: %s", csv)
				}
				if got := strings.Contains(body, "alex@contoso.example"); got != (c.seesContoso && c.report == "") && got != (c.seesContoso && c.progress == "") {
					t.Errorf("sees Contoso's people: %v", got)
				}
				if strings.Contains(body, "contoso") && !c.seesContoso {
					t.Errorf("sees another organization's people: %s", body)
				}
				if strings.Contains(body, "9900001") && c.seesFabrikam {
					t.Errorf("Fabrikam sees Contoso's MCID: %s", body)
				}
			})
		}
	})
}
