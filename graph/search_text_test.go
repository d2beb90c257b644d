package graph_test

import (
	"net/http"
	"testing"

	"certlink/internal/testenv"
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
