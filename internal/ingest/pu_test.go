package ingest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"certlink/internal/testenv"
)

// A Partner University account contributes assessments (L8): a review
// ingested an exam and a certification for alex's Partner University
// account, and alex counted for two requirements through an access that
// holds assessments only. They are refused, each with its line; an
// assessment in the same call is stored.
func TestPartnerUniversityAccountHoldsAssessmentsOnly(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		q := `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{index code message}}}`
		var out struct {
			IngestResults struct {
				Accepted int
				Errors   []struct {
					Index         int
					Code, Message string
				}
			}
		}
		e.Do(prov, q, map[string]any{"in": []map[string]any{
			{"mcid": "8800001", "skillNumber": "SC-300", "completedAt": "2026-11-01T00:00:00Z"},
			{"mcid": "8800001", "skillNumber": "MC-AZURE-SOLUTIONS-ARCHITECT", "completedAt": "2026-11-01T00:00:00Z", "expiresAt": "2027-11-01T00:00:00Z"},
			{"mcid": "8800001", "skillNumber": "ASMT-AZURE-SALES", "completedAt": "2026-11-01T00:00:00Z"},
		}}).Decode(t, &out)
		got := out.IngestResults
		if got.Accepted != 1 || len(got.Errors) != 2 {
			t.Fatalf("an exam and a certification for a Partner University account: %+v", got)
		}
		for i, re := range got.Errors {
			if re.Index != i || re.Code != "INVALID_INPUT" || !strings.Contains(re.Message, "holds assessments only") {
				t.Fatalf("refusal %d: %+v", i, re)
			}
		}
		if n := resultsOf(t, e, "8800001"); n != 2 { // the demo's assessment and this one
			t.Fatalf("alex's Partner University account holds %d results, want 2", n)
		}
	})
}

// An ingest of an assessment for a Partner University account and an
// operator's change of that skill to an exam come one after the other: never
// both (a recheck raced them and both went through in half the rounds, and
// the exam counted through the access).
func TestPartnerUniversityAssessmentRacingATypeChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov, ops := providerToken(t, e), e.Demo("ops@certlink.example")
		const (
			upsert = `mutation($n:String!,$t:SkillType!){upsertSkill(input:{number:$n,title:"Race",type:$t}){number}}`
			ingest = `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{code}}}`
		)
		for i := range 12 {
			n := fmt.Sprintf("ASMT-RACE-%d", i)
			if r := e.Do(ops, upsert, map[string]any{"n": n, "t": "ASSESSMENT"}); len(r.Errors) > 0 {
				t.Fatalf("%s: %+v", n, r.Errors)
			}
			var (
				wg       sync.WaitGroup
				typed    bool
				accepted int
			)
			wg.Add(2)
			go func() {
				defer wg.Done()
				typed = len(e.Do(ops, upsert, map[string]any{"n": n, "t": "EXAM"}).Errors) == 0
			}()
			go func() {
				defer wg.Done()
				var out struct{ IngestResults struct{ Accepted int } }
				e.Do(prov, ingest, map[string]any{"in": []map[string]any{{"mcid": "8800001", "skillNumber": n, "completedAt": "2026-11-01T00:00:00Z"}}}).Decode(t, &out)
				accepted = out.IngestResults.Accepted
			}()
			wg.Wait()
			if typed && accepted == 1 {
				t.Fatalf("round %d: %s became an exam and a Partner University account holds it", i, n)
			}
		}
	})
}
