package capability_test

import (
	"strings"
	"testing"

	"certlink/internal/testenv"
)

const scoreFields = `key name maxPoints points prerequisitesMet
  prerequisites{key required current met people{email} skills}
  rules{key tier pointsPerPerson maxPoints current points people{email} skills}`

type areaView struct {
	Key, Name        string
	MaxPoints        int
	Points           int
	PrerequisitesMet bool
	Prerequisites    []struct {
		Key               string
		Required, Current int
		Met               bool
		People            []struct{ Email string }
	}
	Rules []struct {
		Key, Tier       string
		PointsPerPerson int
		MaxPoints       *int
		Current, Points int
		People          []struct{ Email string }
	}
}

func area(t *testing.T, list []areaView, key string) areaView {
	t.Helper()
	for _, a := range list {
		if a.Key == key {
			return a
		}
	}
	t.Fatalf("no capability area %q", key)
	return areaView{}
}

// The shipped example: Contoso's alex is one Azure Administrator of the two
// Azure Infrastructure needs first. Linking jordan (a Solutions Architect) and
// planning his administrator certification gives 2 × 4 + 5 = 13 of 20 — in the
// what-if only.
func TestCapabilityScore(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		var out struct{ CapabilityScore []areaView }
		e.Do(mona, `{capabilityScore{`+scoreFields+`}}`, nil).Decode(t, &out)
		infra := area(t, out.CapabilityScore, "azure-infrastructure")
		if infra.Points != 0 || infra.PrerequisitesMet || infra.MaxPoints != 20 || infra.Prerequisites[0].Current != 1 ||
			infra.Rules[0].Points != 4 || infra.Rules[0].People[0].Email != "alex@contoso.example" {
			t.Fatalf("azure-infrastructure: %+v", infra)
		}
		if infra.Rules[1].MaxPoints == nil || *infra.Rules[1].MaxPoints != 10 || infra.Rules[0].MaxPoints != nil {
			t.Fatalf("rule caps: %+v", infra.Rules)
		}

		riley := e.Demo("riley@contoso.example")
		r := e.Do(riley, `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{email}}}`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("linking jordan: %+v", r.Errors)
		}
		var sim struct{ SimulateCapabilityScore []areaView }
		e.Do(mona, `query($in:WhatIfInput!){simulateCapabilityScore(input:$in){`+scoreFields+`}}`, map[string]any{"in": map[string]any{
			"addResults": []map[string]any{{"mcid": "9900003", "skillNumber": "MC-AZURE-ADMINISTRATOR"}},
		}}).Decode(t, &sim)
		infra = area(t, sim.SimulateCapabilityScore, "azure-infrastructure")
		if !infra.PrerequisitesMet || infra.Points != 13 || infra.Rules[1].Current != 1 {
			t.Fatalf("what-if: %+v", infra)
		}
		e.Do(mona, `{capabilityScore{`+scoreFields+`}}`, nil).Decode(t, &out)
		if a := area(t, out.CapabilityScore, "azure-infrastructure"); a.Points != 0 || a.Rules[1].Points != 5 {
			t.Fatalf("after the what-if, real score: %+v", a)
		}
		if r := e.Do(riley, `{capabilityScore{key}}`, nil); r.Code() != "FORBIDDEN" {
			t.Fatalf("a default user saw the score: %+v", r.Errors)
		}
	})
}

// The catalog format: capability areas are validated, exported and loaded back.
func TestCapabilityCatalog(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	ops := e.SignIn("ops@certlink.example", "certlink-demo")
	var doc struct{ CatalogDocument string }
	e.Do(ops, `{catalogDocument}`, nil).Decode(t, &doc)
	r := e.Do(ops, `mutation($d:String!){loadCatalog(document:$d){summary}}`, map[string]any{"d": doc.CatalogDocument})
	var load struct{ LoadCatalog struct{ Summary string } }
	r.Decode(t, &load)
	if load.LoadCatalog.Summary != "no change" {
		t.Fatalf("reloading the export changed %q", load.LoadCatalog.Summary)
	}
	bad := `{"skills":[],"competencies":[],"capabilities":[{"key":"x","name":"X","maxPoints":0,
	  "rules":[{"key":"r","description":"d","tier":"EXPERT","pointsPerPerson":0,"skills":["NOPE"]}]}]}`
	r = e.Do(ops, `mutation($d:String!){loadCatalog(document:$d){summary}}`, map[string]any{"d": bad})
	if r.Code() != "INVALID_INPUT" {
		t.Fatalf("bad capability area: %+v", r.Errors)
	}
	for _, want := range []string{"maxPoints", "tier", "pointsPerPerson", `unknown skill "NOPE"`} {
		if !strings.Contains(r.Errors[0].Message, want) {
			t.Errorf("message lacks %q: %s", want, r.Errors[0].Message)
		}
	}
}
