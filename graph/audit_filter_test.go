package graph_test

import (
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestAuditLogRefusesUnknownActions: an action the log never records — a
// typo, the wrong letter case — is INVALID_INPUT naming the actions, over
// GraphQL as in the CSV, never a filter that reads "no events" (review).
func TestAuditLogRefusesUnknownActions(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	for _, a := range []string{"NOPE", "linked", " LINKED"} {
		r := e.Do(grace, `query($a:[String!]){auditLog(first:1,where:{actions:$a}){totalCount}}`, map[string]any{"a": []string{"LINKED", a}})
		if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["field"] != "actions" || !strings.Contains(r.Errors[0].Message, "PROFILES_MERGED") {
			t.Fatalf("action %q: %+v", a, r.Errors)
		}
		if res, body := e.Get(grace, "/reports/audit.csv?action="+strings.ReplaceAll(a, " ", "+")); res.StatusCode != 400 || !strings.Contains(string(body), "INVALID_INPUT") {
			t.Fatalf("CSV action %q: %d %s", a, res.StatusCode, body)
		}
	}
	var log struct{ AuditLog struct{ TotalCount int } }
	must(t, e, grace, `{auditLog(first:1,where:{actions:["LINKED"]}){totalCount}}`, nil, &log)
	if log.AuditLog.TotalCount == 0 {
		t.Fatal("the demo's links are not in the audit log")
	}
}
