package catalog_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	shipped "certlink/catalog"
	"certlink/ent/schema/designation"
	"certlink/internal/catalog"
	"certlink/internal/testenv"
)

// The shipped framework: six areas, weights adding up to 100 in three
// categories, two tracks where the program has them.
func TestShippedSolutionAreas(t *testing.T) {
	doc, err := catalog.Parse(shipped.DefaultName, shipped.Default, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"data-ai-azure", "infrastructure-azure", "digital-app-innovation-azure", "business-applications", "modern-work", "security"}
	if len(doc.SolutionAreas) != len(want) {
		t.Fatalf("%d solution areas", len(doc.SolutionAreas))
	}
	for i, a := range doc.SolutionAreas {
		if a.Key != want[i] {
			t.Errorf("area %d: %s, want %s", i, a.Key, want[i])
		}
		tracks := 1
		if a.Key == "business-applications" || a.Key == "modern-work" {
			tracks = 2
		}
		if len(a.Tracks) != tracks || len(a.IntermediateSkills) == 0 || len(a.AdvancedSkills) == 0 {
			t.Errorf("%s: %d tracks, %v, %v", a.Key, len(a.Tracks), a.IntermediateSkills, a.AdvancedSkills)
		}
	}
}

func solutionDoc() catalog.Document {
	m := func(key, cat, src string, w int) designation.Metric {
		return designation.Metric{Key: key, Name: key, Category: cat, Source: src, Weight: w}
	}
	return catalog.Document{
		Skills: []catalog.Skill{{Number: "C1", Title: "Cert one", Type: "CERTIFICATION"}, {Number: "C2", Title: "Cert two", Type: "CERTIFICATION"}},
		SolutionAreas: []catalog.SolutionArea{{
			Key: "area", Name: "Area", IntermediateSkills: []string{"C1"}, AdvancedSkills: []string{"C2"},
			Metrics: []designation.Metric{
				m("nca", designation.Performance, designation.Ingested, 20),
				m("int", designation.Skilling, designation.IntermediateCertifications, 20),
				m("adv", designation.Skilling, designation.AdvancedCertifications, 20),
				m("dep", designation.CustomerSuccess, designation.Ingested, 40),
			},
			Tracks: []designation.Track{{Key: "t", Name: "T", Thresholds: map[string]float64{"nca": 1, "int": 2, "adv": 1, "dep": 5}}},
		}},
	}
}

// Validation names the entry and field of every problem; nothing is applied.
func TestSolutionAreaValidation(t *testing.T) {
	if probs := catalog.Validate(ptr(solutionDoc()), nil); len(probs) != 0 {
		t.Fatalf("a valid area: %v", probs)
	}
	for _, c := range []struct {
		name  string
		edit  func(d *catalog.Document)
		wants []string
	}{
		{"weights", func(d *catalog.Document) { d.SolutionAreas[0].Metrics[3].Weight = 30 }, []string{"the weights add up to 90, not 100"}},
		{"category missing", func(d *catalog.Document) {
			d.SolutionAreas[0].Metrics[0].Category = designation.CustomerSuccess
		}, []string{"no PERFORMANCE metric"}},
		{"skilling ingested", func(d *catalog.Document) { d.SolutionAreas[0].Metrics[1].Source = designation.Ingested },
			[]string{"metrics[1].source: a SKILLING metric counts certifications"}},
		{"ingested counts people", func(d *catalog.Document) { d.SolutionAreas[0].Metrics[0].Source = designation.AdvancedCertifications },
			[]string{"only SKILLING metrics count certifications"}},
		{"threshold missing", func(d *catalog.Document) { delete(d.SolutionAreas[0].Tracks[0].Thresholds, "dep") },
			[]string{`tracks[0].thresholds: no threshold for metric "dep"`}},
		{"threshold zero and unknown", func(d *catalog.Document) {
			d.SolutionAreas[0].Tracks[0].Thresholds["int"] = 0
			d.SolutionAreas[0].Tracks[0].Thresholds["nope"] = 3
		}, []string{"tracks[0].thresholds.int: a threshold is above 0", `tracks[0].thresholds.nope: no metric "nope" in this area`}},
		{"unknown skill", func(d *catalog.Document) { d.SolutionAreas[0].AdvancedSkills = []string{"C9"} }, []string{`advancedSkills[0]: unknown skill "C9"`}},
		{"both tiers", func(d *catalog.Document) { d.SolutionAreas[0].AdvancedSkills = []string{"C1"} }, []string{`"C1" is also an intermediate skill`}},
		{"duplicates", func(d *catalog.Document) {
			d.SolutionAreas = append(d.SolutionAreas, d.SolutionAreas[0])
			d.SolutionAreas[0].Tracks = append(d.SolutionAreas[0].Tracks, d.SolutionAreas[0].Tracks[0])
		}, []string{`solutionAreas[1] "area" → key: duplicate`, `tracks[1].key: duplicate key "t"`}},
		{"no tracks", func(d *catalog.Document) { d.SolutionAreas[0].Tracks = nil }, []string{"an area needs at least one track"}},
		{"bad weight", func(d *catalog.Document) { d.SolutionAreas[0].Metrics[0].Weight = 0 }, []string{"metrics[0].weight: from 1 to 100"}},
	} {
		d := solutionDoc()
		// Thresholds are maps: copy before editing.
		tr := map[string]float64{}
		for k, v := range d.SolutionAreas[0].Tracks[0].Thresholds {
			tr[k] = v
		}
		d.SolutionAreas[0].Tracks[0].Thresholds = tr
		c.edit(&d)
		raw, _ := json.Marshal(d)
		_, err := catalog.Parse("catalog.json", raw, nil)
		var ce *catalog.Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(ce.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, ce.Error(), w)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// An operator changes a threshold: the score follows at once; the export
// carries the areas and loads back as no change.
func TestOperatorEditsSolutionAreas(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops := e.Demo("ops@certlink.example")
		var doc struct{ CatalogDocument string }
		e.Do(ops, `{catalogDocument}`, nil).Decode(t, &doc)
		var parsed catalog.Document
		if err := json.Unmarshal([]byte(doc.CatalogDocument), &parsed); err != nil || len(parsed.SolutionAreas) != 6 {
			t.Fatalf("export: %d areas, %v", len(parsed.SolutionAreas), err)
		}
		for i, a := range parsed.SolutionAreas {
			if a.Key == "infrastructure-azure" {
				parsed.SolutionAreas[i].Tracks[0].Thresholds["advanced-certifications"] = 1
				parsed.SolutionAreas[i].Tracks[0].Thresholds["intermediate-certifications"] = 1
			}
		}
		edited, _ := json.Marshal(parsed)
		load := `mutation($d:String!){loadCatalog(document:$d){summary}}`
		var out struct{ LoadCatalog struct{ Summary string } }
		e.Do(ops, load, map[string]any{"d": string(edited)}).Decode(t, &out)
		if out.LoadCatalog.Summary != "1 solution areas updated" {
			t.Fatalf("edit: %q", out.LoadCatalog.Summary)
		}
		var sa struct {
			SolutionAreas []struct {
				Key   string
				Score float64
			}
		}
		e.Do(e.Demo("mona@contoso.example"), `{solutionAreas{key score}}`, nil).Decode(t, &sa)
		for _, a := range sa.SolutionAreas {
			// Alex is now the full intermediate threshold: 10 + 20 + 0 + 25 + 25.
			if a.Key == "infrastructure-azure" && a.Score != 80 {
				t.Fatalf("after the edit: %v", a.Score)
			}
		}
		e.Do(ops, load, map[string]any{"d": string(edited)}).Decode(t, &out)
		if out.LoadCatalog.Summary != "no change" {
			t.Fatalf("again: %q", out.LoadCatalog.Summary)
		}
	})
}
