package notify

import (
	"strings"
	"testing"

	"certlink/ent/association"
)

// A link that moved away after a requirement it met again had been told
// unmet (its follow-up not yet out) leaves that requirement unmet: the
// move's notice names it as still unmet, never "every requirement that was
// met still is" (review: nine requirements were gone when it said so).
func TestMoveNoticeNamesRequirementsStillUnmet(t *testing.T) {
	cause := endCauses{{who: "Pat First", email: "pat@contoso.example", account: "Microsoft Learning account (MCID 9900002)",
		kind: association.KindLEARNING, reason: association.EndReasonMOVED, away: true}}
	req := RequirementState{Key: "7", Competency: "Test Cloud Platform", CompetencyKey: "test-cloud", Level: "SILVER",
		Option: "Standard option", Requirement: "1 person holding TEST-104", Required: 1}
	al := lossAlert(1, "k", cause, nil, []RequirementState{req})
	if !strings.Contains(al.Title, "1 requirement of Test Cloud Platform still unmet") ||
		!strings.Contains(al.Body, "Still unmet, as you were told before:\n- Test Cloud Platform") ||
		strings.Contains(al.Body, "Every requirement that was met still is") || !strings.Contains(al.Link, "test-cloud") || len(al.Requirements) != 0 {
		t.Fatalf("still unmet: %+v", al)
	}
	al = lossAlert(1, "k", cause, nil, nil)
	if !strings.Contains(al.Title, "no requirement lost its tick") || !strings.Contains(al.Body, "Every requirement that was met still is") {
		t.Fatalf("nothing lost: %+v", al)
	}
	al = lossAlert(1, "k", cause, []RequirementState{req}, nil)
	if !strings.Contains(al.Title, "no longer met") || strings.Contains(al.Body, "Still unmet") || len(al.Requirements) != 1 {
		t.Fatalf("lost: %+v", al)
	}
}
