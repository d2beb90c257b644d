package graph_test

import (
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestPeopleOfProgressResolveTheirOwnFields: the people an answer read in
// its snapshot (store.ReadSnapshot) are work accounts like any other — their
// organization, their Learning account — however they were reached. A
// review found every person of competencyProgress answering INTERNAL for
// organization: the account, read in the snapshot's transaction, asked for
// it through that transaction after it had ended.
func TestPeopleOfProgressResolveTheirOwnFields(t *testing.T) {
	const person = `email organization{name} learningAccount{mcid}`
	queries := map[string]string{
		"competencyProgress.people":           `{competencyProgress{levels{options{requirements{people{` + person + `}}}}}}`,
		"competencyProgress.peopleConnection": `{competencyProgress{levels{options{requirements{peopleConnection(first:5){edges{node{` + person + `}}}}}}}}`,
		"simulateProgress.people":             `{simulateProgress(input:{}){levels{options{requirements{people{` + person + `}}}}}}`,
		"forecast.carriers":                   `{forecast{requirements{carriers{user{` + person + `}} requirement{people{` + person + `}} changes{stopCounting{user{` + person + `}}}}}}`,
		"solutionAreas.metrics.people":        `{solutionAreas{tracks{categories{metrics{people{` + person + `}}}}}}`,
		"capabilityScore.people":              `{capabilityScore{rules{people{` + person + `}} prerequisites{people{` + person + `}}}}`,
	}
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		for name, q := range queries {
			r := e.Do(grace, q, nil)
			if len(r.Errors) > 0 {
				t.Errorf("%s: %+v", name, r.Errors)
				continue
			}
			if (strings.Contains(name, "competencyProgress") || strings.Contains(name, "forecast") || strings.Contains(name, "simulate")) && !strings.Contains(string(r.Data), `"Contoso Ltd"`) {
				t.Errorf("%s names no person of Contoso: %.300s", name, r.Data)
			}
		}
	})
}
