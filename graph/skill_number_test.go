package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"certlink/ent/skill"
	"certlink/internal/testenv"
)

// TestSkillNumbersHaveOneSpelling: a skill number differing from a real one
// by case or by a compatibility form (full-width) is refused, not made a
// second skill that the real one's results are then filed under (an outside
// review's case: upsertSkill "az-104", then ingestResults "AZ-104" stored the
// result under the look-alike and it stopped counting). Ingest and the
// report's filter read any spelling as the one skill.
func TestSkillNumbersHaveOneSpelling(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops, grace := e.Demo("ops@certlink.example"), e.Demo("grace@contoso.example")
		before := e.App.DB.Client.Skill.Query().CountX(sys())
		for _, c := range []struct{ number, says string }{
			{"az-104", `write it "AZ-104"`},
			{"ＡＺ-104", `write it "AZ-104"`},
			{"Az-104", `write it "AZ-104"`},
			{"AZ 104", "capital letters A–Z, digits"},
			{"AZ_104", "capital letters A–Z, digits and hyphens"},
			{"AZ-104\u202e", "capital letters A–Z, digits and hyphens"},
			{"АZ-104", "capital letters A–Z, digits"}, // a Cyrillic А
		} {
			r := e.Do(ops, `mutation($n:String!){upsertSkill(input:{number:$n,title:"t",type:EXAM}){number}}`, map[string]any{"n": c.number})
			if r.Code() != "INVALID_INPUT" || !strings.Contains(fmt.Sprint(r.Errors), c.says) {
				t.Fatalf("upsertSkill %q: %q %+v", c.number, r.Code(), r.Errors)
			}
		}
		if n := e.App.DB.Client.Skill.Query().CountX(sys()); n != before {
			t.Fatalf("%d skills after the refusals, want %d", n, before)
		}
		// A title is one line: no direction override to turn a report round.
		if r := e.Do(ops, `mutation{upsertSkill(input:{number:"AZ-104",title:"Azure \u202eAdministrator",type:EXAM}){number}}`, nil); r.Code() != "INVALID_INPUT" {
			t.Fatalf("a title with a direction override: %q %+v", r.Code(), r.Errors)
		}
		doc := `{"skills":[{"number":"dp-900x","title":"t","type":"EXAM"}],"competencies":[]}`
		if r := e.Do(ops, `mutation($d:String!){loadCatalog(document:$d){skillsCreated}}`, map[string]any{"d": doc}); r.Code() != "INVALID_INPUT" {
			t.Fatalf("loadCatalog with a lower-case number: %q %+v", r.Code(), r.Errors)
		}
		// Any spelling a provider sends is the one skill.
		for i, n := range []string{"az-104", "ＡＺ-104", " AZ-104 "} {
			var out struct{ IngestResults struct{ Accepted int } }
			must(t, e, ops, `mutation($n:String!,$c:Time!){ingestResults(input:[{mcid:"9900002",skillNumber:$n,completedAt:$c}]){accepted}}`,
				map[string]any{"n": n, "c": fmt.Sprintf("2026-05-0%dT00:00:00Z", i+1)}, &out)
			if out.IngestResults.Accepted != 1 {
				t.Fatalf("ingesting %q: %+v", n, out)
			}
		}
		az := e.App.DB.Client.Skill.Query().Where(skill.Number("AZ-104")).OnlyX(sys())
		var rep struct {
			SkillsReport struct {
				TotalCount int
				Edges      []struct {
					Node struct{ SkillNumber, Mcid string }
				}
			}
		}
		must(t, e, grace, `{skillsReport(first:50, where:{skillNumberIn:["ａｚ-104"]}){totalCount edges{node{skillNumber mcid}}}}`, nil, &rep)
		if rep.SkillsReport.TotalCount == 0 {
			t.Fatalf("the report's filter by a full-width lower-case number found nothing: %+v", rep)
		}
		for _, ed := range rep.SkillsReport.Edges {
			if ed.Node.SkillNumber != az.Number {
				t.Fatalf("a row of another skill: %+v", ed)
			}
		}
	})
}
