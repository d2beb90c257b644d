package graph_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent/outboxmessage"
	"certlink/internal/app"
	"certlink/internal/testenv"
)

// TestCatalogEditThatTakesATickWarnsAtOnce (N1, C1): an operator's catalog
// edit that drops the only skill anyone held from a met requirement tells the
// organization's Global Admin and MPN Partner Admin at once — one
// notification and one mail each, naming the catalog change and the
// requirement — without the periodic risk check; an edit that changes
// nothing, or loading the same document again, tells nobody.
func TestCatalogEditThatTakesATickWarnsAtOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		// The periodic check runs once at start, then not for a day.
		e := testenv.Start(t, d, func(c *app.Config) { c.RiskCheckInterval = 24 * time.Hour })
		seedRequirement(t, e, nil)
		grace, mona, riley := e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example"), e.Demo("riley@contoso.example")
		ops := e.Demo("ops@certlink.example")
		const title = "The competency catalog changed: 1 requirement of Test Cloud Platform no longer met"
		told := func(tok string) int {
			n := 0
			for _, x := range notifications(t, e, tok) {
				if strings.HasPrefix(x.Title, "The competency catalog changed") {
					if x.Title != title || !strings.Contains(x.Body, `"1 person holding TEST-104"`) || !strings.Contains(x.Link, "test-cloud") {
						t.Fatalf("catalog notification: %+v", x)
					}
					n++
				}
			}
			return n
		}
		var doc struct{ CatalogDocument string }
		must(t, e, ops, `{catalogDocument}`, nil, &doc)
		const mLoad = `mutation($d:String!){loadCatalog(document:$d){summary}}`
		// The same document again: nothing changes, nobody hears.
		must(t, e, ops, mLoad, map[string]any{"d": doc.CatalogDocument}, nil)
		if n := told(grace); n != 0 {
			t.Fatalf("an unchanged catalog told grace %d times", n)
		}

		var cat map[string]any
		if err := json.Unmarshal([]byte(doc.CatalogDocument), &cat); err != nil {
			t.Fatal(err)
		}
		cat["skills"] = append(cat["skills"].([]any), map[string]any{"number": "TEST-900", "title": "Held by nobody", "type": "EXAM"})
		found := false
		for _, c := range cat["competencies"].([]any) {
			c := c.(map[string]any)
			if c["key"] != "test-cloud" {
				continue
			}
			req := c["options"].([]any)[0].(map[string]any)["requirements"].([]any)[0].(map[string]any)
			req["skills"] = []any{"TEST-900"} // TEST-104, alex's, no longer counts
			found = true
		}
		if !found {
			t.Fatalf("test-cloud not in the exported catalog")
		}
		edited, _ := json.Marshal(cat)
		must(t, e, ops, mLoad, map[string]any{"d": string(edited)}, nil)

		for _, who := range []struct {
			name, tok string
			want      int
		}{{"grace", grace, 1}, {"mona", mona, 1}, {"riley", riley, 0}} {
			if n := told(who.tok); n != who.want {
				t.Fatalf("%s heard of the catalog edit %d times, want %d", who.name, n, who.want)
			}
		}
		c := e.App.DB.Client
		testenv.Eventually(t, 10*time.Second, func() bool {
			return c.OutboxMessage.Query().Where(outboxmessage.SentAtNotNil(), outboxmessage.Subject(title)).CountX(sys()) == 2
		}, "the catalog at-risk mails sent")
		// Loading the edited catalog again is no new event.
		must(t, e, ops, mLoad, map[string]any{"d": string(edited)}, nil)
		if n := told(grace); n != 1 {
			t.Fatalf("loading the edit again: grace told %d times", n)
		}
		if n := c.OutboxMessage.Query().Where(outboxmessage.Subject(title)).CountX(sys()); n != 2 {
			t.Fatalf("catalog mails: %d, want 2", n)
		}
	})
}

// TestRetiringASkillThatTakesATickWarnsAtOnce: upsertSkill retiring the only
// skill a met requirement counted, with its validity already ended, warns
// like a catalog load does.
func TestRetiringASkillThatTakesATickWarnsAtOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) { c.RiskCheckInterval = 24 * time.Hour })
		seedRequirement(t, e, nil)
		grace, ops := e.Demo("grace@contoso.example"), e.Demo("ops@certlink.example")
		past := time.Now().UTC().AddDate(0, 0, -1).Format(time.RFC3339)
		must(t, e, ops, `mutation($r:Time,$v:Time){upsertSkill(input:{number:"TEST-104",title:"Test Azure Administrator",type:EXAM,retiredOn:$r,validUntil:$v}){number}}`,
			map[string]any{"r": past, "v": past}, nil)
		n := 0
		for _, x := range notifications(t, e, grace) {
			if x.Title == "The competency catalog changed: 1 requirement of Test Cloud Platform no longer met" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("grace heard of the retirement %d times, want 1: %+v", n, notifications(t, e, grace))
		}
	})
}

// An offer in force names its option (C6): an operator's catalog that drops
// (or renames) that option is refused CONFLICT and changes nothing. A review
// renamed Data Analytics' Silver "Standard" after grace bought it: the offer
// named no level or option (an empty enum), the status went ACTIVE and the
// attested requirement lost its attestation.
func TestCatalogKeepsAnOptionWithAnOfferInForce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace, ops := e.Demo("grace@contoso.example"), e.Demo("ops@certlink.example")
		var comps struct {
			CompetencyProgress []struct {
				Competency struct{ ID, Key string }
				Status     string
				Offer      *struct{ Level, Option string }
			}
		}
		const qProgress = `{competencyProgress{competency{id key} status offer{level option}}}`
		must(t, e, grace, qProgress, nil, &comps)
		da := ""
		for _, c := range comps.CompetencyProgress {
			if c.Competency.Key == "data-analytics" {
				da = c.Competency.ID
			}
		}
		must(t, e, grace, `mutation($c:ID!){purchaseCompetencyOffer(input:{competency:$c,level:SILVER,option:"Standard"}){status}}`, map[string]any{"c": da}, nil)
		var doc struct{ CatalogDocument string }
		must(t, e, ops, `{catalogDocument}`, nil, &doc)
		edited := editCatalog(t, doc.CatalogDocument, func(cat map[string]any) {
			dataAnalytics(cat)["options"].([]any)[0].(map[string]any)["name"] = "Standard v2"
		})
		if got := call(t, e, ops, `mutation($d:String!){loadCatalog(document:$d){summary}}`, map[string]any{"d": edited}, nil); got != "CONFLICT" {
			t.Fatalf("renaming an option with an offer in force: %q", got)
		}
		must(t, e, grace, qProgress, nil, &comps)
		for _, c := range comps.CompetencyProgress {
			if c.Competency.Key == "data-analytics" && (c.Offer == nil || c.Offer.Level != "SILVER" || c.Offer.Option != "Standard") {
				t.Fatalf("grace's offer after a refused catalog: %+v", c)
			}
		}
	})
}

// A catalog edit never loses what organizations hold in it. A review lost
// Contoso's attestation of Data Analytics' customer references for good by
// renaming the requirement's key (or swapping the two options' levels) and
// loading the old document back; changed a competency's key and saw two
// "Data Analytics"; and turned an assessment that a Partner University
// account holds into an exam, which then counted (L8). Each is refused
// CONFLICT, and the catalog is as it was.
func TestCatalogEditsKeepWhatOrganizationsHold(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops, grace := e.Demo("ops@certlink.example"), e.Demo("grace@contoso.example")
		var doc struct{ CatalogDocument string }
		must(t, e, ops, `{catalogDocument}`, nil, &doc)
		edit := func(f func(da map[string]any)) string {
			return editCatalog(t, doc.CatalogDocument, func(cat map[string]any) { f(dataAnalytics(cat)) })
		}
		option := func(da map[string]any, i int) map[string]any { return da["options"].([]any)[i].(map[string]any) }
		for name, edited := range map[string]string{
			"requirement key renamed": edit(func(da map[string]any) {
				for _, r := range option(da, 0)["requirements"].([]any) {
					if r := r.(map[string]any); r["key"] == "customer-references" {
						r["key"] = "cust-refs"
					}
				}
			}),
			"levels swapped": edit(func(da map[string]any) {
				option(da, 0)["level"], option(da, 1)["level"] = "GOLD", "SILVER"
			}),
			"competency key changed": edit(func(da map[string]any) { da["key"] = "data-analytics-2" }),
			"attested requirement made a SKILL one": edit(func(da map[string]any) {
				for _, r := range option(da, 0)["requirements"].([]any) {
					if r := r.(map[string]any); r["key"] == "customer-references" {
						r["kind"], r["required"], r["skills"] = "SKILL", 1, []any{"DP-203"}
					}
				}
			}),
			"a second competency named alike": editCatalog(t, doc.CatalogDocument, func(cat map[string]any) {
				dup := maps.Clone(dataAnalytics(cat))
				dup["key"], dup["name"] = "second-of-its-name", strings.ToUpper(dup["name"].(string))
				cat["competencies"] = append(cat["competencies"].([]any), dup)
			}),
		} {
			if got := call(t, e, ops, `mutation($d:String!){loadCatalog(document:$d){summary}}`, map[string]any{"d": edited}, nil); got != "CONFLICT" {
				t.Fatalf("%s: %q, want CONFLICT", name, got)
			}
		}
		var after struct{ CatalogDocument string }
		must(t, e, ops, `{catalogDocument}`, nil, &after)
		if after.CatalogDocument != doc.CatalogDocument {
			t.Fatal("a refused catalog changed the catalog")
		}
		var prog struct {
			CompetencyProgress []struct {
				Competency struct{ Key string }
				Levels     []struct {
					Options []struct {
						Requirements []struct {
							Key         string
							Attestation *struct{ Met bool }
						}
					}
				}
			}
		}
		must(t, e, grace, `{competencyProgress{competency{key} levels{options{requirements{key attestation{met}}}}}}`, nil, &prog)
		attested := false
		for _, c := range prog.CompetencyProgress {
			for _, l := range c.Levels {
				for _, o := range l.Options {
					for _, r := range o.Requirements {
						if c.Competency.Key == "data-analytics" && r.Key == "customer-references" && r.Attestation != nil && r.Attestation.Met {
							attested = true
						}
					}
				}
			}
		}
		if !attested {
			t.Fatal("Contoso's attestation of customer references is gone")
		}
		if got := call(t, e, ops, `mutation{upsertSkill(input:{number:"ASMT-AZURE-SALES",title:"Azure Sales",type:EXAM}){number}}`, nil, nil); got != "CONFLICT" {
			t.Fatalf("an assessment Partner University accounts hold made an exam: %q", got)
		}
	})
}

// An attestation and a catalog edit that removes its requirement come one
// after the other: never both told they succeeded (a recheck raced them and
// the admin's "met" vanished with the requirement). A requirement attested
// once, met or not, keeps its history: removing it is refused too.
func TestAttestationRacingACatalogEdit(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops, grace := e.Demo("ops@certlink.example"), e.Demo("grace@contoso.example")
		var doc struct{ CatalogDocument string }
		must(t, e, ops, `{catalogDocument}`, nil, &doc)
		withRequirement := func(key string) string {
			return editCatalog(t, doc.CatalogDocument, func(cat map[string]any) {
				if key != "" {
					o := dataAnalytics(cat)["options"].([]any)[0].(map[string]any)
					o["requirements"] = append(o["requirements"].([]any), map[string]any{"key": key, "kind": "ATTESTED", "description": "Race " + key})
				}
			})
		}
		const load = `mutation($d:String!){loadCatalog(document:$d){summary}}`
		const attest = `mutation($r:ID!,$m:Boolean!){setAttestation(input:{requirement:$r,met:$m,note:"signed"}){status}}`
		requirementID := func(key string) string {
			var prog struct {
				CompetencyProgress []struct {
					Levels []struct {
						Options []struct {
							Requirements []struct{ ID, Key string }
						}
					}
				}
			}
			must(t, e, grace, `{competencyProgress{levels{options{requirements{id key}}}}}`, nil, &prog)
			for _, c := range prog.CompetencyProgress {
				for _, l := range c.Levels {
					for _, o := range l.Options {
						for _, r := range o.Requirements {
							if r.Key == key {
								return r.ID
							}
						}
					}
				}
			}
			t.Fatalf("no requirement %s", key)
			return ""
		}
		for i := range 8 {
			key := fmt.Sprintf("race-%d", i)
			must(t, e, ops, load, map[string]any{"d": withRequirement(key)}, nil)
			id := requirementID(key)
			var wg sync.WaitGroup
			var attested, removed bool
			wg.Add(2)
			go func() {
				defer wg.Done()
				attested = len(e.Do(grace, attest, map[string]any{"r": id, "m": true}).Errors) == 0
			}()
			go func() {
				defer wg.Done()
				removed = len(e.Do(ops, load, map[string]any{"d": withRequirement("")}).Errors) == 0
			}()
			wg.Wait()
			if attested && removed {
				t.Fatalf("round %d: the attestation and the removal of its requirement both succeeded", i)
			}
			if !removed { // attested: it stays, with its history, even once unmet
				must(t, e, grace, attest, map[string]any{"r": id, "m": false}, nil)
				if got := call(t, e, ops, load, map[string]any{"d": withRequirement("")}, nil); got != "CONFLICT" {
					t.Fatalf("round %d: removing a requirement with attestation history: %q", i, got)
				}
				// The next round starts from a catalog that holds it.
				doc.CatalogDocument = withRequirement(key)
			}
		}
	})
}

// editCatalog is the catalog document doc after f changed it.
func editCatalog(t *testing.T, doc string, f func(cat map[string]any)) string {
	t.Helper()
	var cat map[string]any
	if err := json.Unmarshal([]byte(doc), &cat); err != nil {
		t.Fatal(err)
	}
	f(cat)
	b, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dataAnalytics is the data-analytics competency of a catalog document.
func dataAnalytics(cat map[string]any) map[string]any {
	for _, c := range cat["competencies"].([]any) {
		if c := c.(map[string]any); c["key"] == "data-analytics" {
			return c
		}
	}
	panic("no data-analytics competency in the catalog")
}
