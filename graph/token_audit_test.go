package graph_test

import (
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestTokenCreationReadsInWordsInTheAuditLog: the audit log says what a new
// API token may do in words, with its name as given (a review read "with
// scopes REPORT_READ" and a name quoted with an escaped \").
func TestTokenCreationReadsInWordsInTheAuditLog(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	must(t, e, grace, `mutation{createApiToken(input:{name:"Grace's \"BI\" tool",scopes:[PROGRESS_READ,REPORT_READ]}){secret}}`, nil, nil)
	var out struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Action, Detail string }
			}
		}
	}
	must(t, e, grace, `{auditLog(first:20){edges{node{action detail}}}}`, nil, &out)
	for _, ed := range out.AuditLog.Edges {
		if ed.Node.Action != "API_TOKEN_CREATED" {
			continue
		}
		d := ed.Node.Detail
		if !strings.Contains(d, `“Grace's "BI" tool”`) || !strings.Contains(d, "which may read") ||
			!strings.Contains(d, "read competency progress") || !strings.Contains(d, "read the skills report") ||
			strings.Contains(d, "REPORT_READ") || strings.Contains(d, `\"`) {
			t.Fatalf("the token's audit detail: %s", d)
		}
		return
	}
	t.Fatalf("no API_TOKEN_CREATED event: %+v", out)
}
