package graph_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent/requirement"
	"certlink/internal/testenv"
)

const mAttest = `mutation($r:ID!,$m:Boolean!,$n:String){setAttestation(input:{requirement:$r,met:$m,note:$n}){status}}`

// attestOrder compares, for Contoso and requirement reqID, the attestation in
// force (attestationHistory, newest first by time) with the audit log's latest
// ATTESTATION_SET (newest first by insertion, that is by commit): they must
// name the same admin and the same state.
func attestOrder(t *testing.T, e *testenv.Env, tok, reqID string) (inForce, logged string) {
	t.Helper()
	var p struct {
		CompetencyProgress []struct {
			Levels []struct {
				Options []struct {
					Requirements []struct {
						ID                 string
						AttestationHistory []struct {
							Met bool
							By  *struct{ Email string }
						}
					}
				}
			}
		}
	}
	must(t, e, tok, `{competencyProgress{levels{options{requirements{id attestationHistory{met by{email}}}}}}}`, nil, &p)
	for _, cp := range p.CompetencyProgress {
		for _, l := range cp.Levels {
			for _, o := range l.Options {
				for _, r := range o.Requirements {
					if r.ID == reqID && len(r.AttestationHistory) > 0 {
						h := r.AttestationHistory[0]
						state := "not met"
						if h.Met {
							state = "met"
						}
						inForce = h.By.Email + " " + state
					}
				}
			}
		}
	}
	var log struct {
		AuditLog struct {
			Edges []struct{ Node struct{ Detail string } }
		}
	}
	must(t, e, tok, `{auditLog(first:1,where:{actions:["ATTESTATION_SET"]}){edges{node{detail}}}}`, nil, &log)
	if len(log.AuditLog.Edges) == 1 {
		d := log.AuditLog.Edges[0].Node.Detail
		who := d[:strings.Index(d, " ")]
		state := "met"
		if strings.Contains(d, "\" not met") {
			state = "not met"
		}
		logged = who + " " + state
	}
	return inForce, logged
}

// TestAttestationHistoryFollowsCommitOrder: two admins attest one requirement
// through two processes. The attestation in force is always the one the audit
// log lists last: at the same moment (the organization is held, the time read
// after), and when the second server's clock is a second behind.
func TestAttestationHistoryFollowsCommitOrder(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		behind := e.Second(testenv.Clock(func() time.Time { return time.Now().Add(-time.Second) }))
		reqID := e.ID(e.App.DB.Client.Requirement.Query().Where(requirement.KindEQ(requirement.KindATTESTED)).FirstIDX(sys()))
		grace, mona := e.Demo("grace@contoso.example"), behind.Demo("mona@contoso.example")

		// In turn: mona's server is a second behind, her attestation is still the newest.
		must(t, e, grace, mAttest, map[string]any{"r": reqID, "m": true, "n": "revenue 1M"}, nil)
		must(t, behind, mona, mAttest, map[string]any{"r": reqID, "m": false, "n": "figure withdrawn"}, nil)
		if inForce, logged := attestOrder(t, e, grace, reqID); inForce != "mona@contoso.example not met" || logged != inForce {
			t.Fatalf("after grace then mona: in force %q, audit log's latest %q", inForce, logged)
		}

		// At once, many times.
		for round := 0; round < 15; round++ {
			var wg sync.WaitGroup
			errs := make([]string, 2)
			for i, c := range []struct {
				env *testenv.Env
				tok string
				met bool
			}{{e, grace, true}, {behind, mona, false}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := c.env.Do(c.tok, mAttest, map[string]any{"r": reqID, "m": c.met, "n": "revenue figure"})
					if len(r.Errors) > 0 || r.Status != 200 {
						errs[i] = fmt.Sprintf("status %d, errors %+v", r.Status, r.Errors)
					}
				}()
			}
			wg.Wait()
			for _, msg := range errs {
				if msg != "" {
					t.Fatalf("round %d: %s", round, msg)
				}
			}
			if inForce, logged := attestOrder(t, e, grace, reqID); inForce == "" || logged != inForce {
				t.Fatalf("round %d: in force %q, audit log's latest %q", round, inForce, logged)
			}
		}
	})
}
