package catalog_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	shipped "certlink/catalog"
	"certlink/internal/catalog"
)

// The shipped catalog is what the demo and the issue promise (C1–C3).
func TestShippedCatalog(t *testing.T) {
	doc, err := catalog.Parse(shipped.DefaultName, shipped.Default, nil)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	numbers := map[string]catalog.Skill{}
	for _, s := range doc.Skills {
		numbers[s.Number] = s
	}
	for _, n := range []string{"AZ-104", "AZ-204", "AZ-305", "AZ-400", "AZ-500", "DP-203", "DP-300", "PL-300", "MS-102", "SC-200", "AI-102"} {
		if numbers[n].Type != "EXAM" {
			t.Errorf("exam %s missing", n)
		}
	}
	types := map[string]int{}
	retiredValid, retiredEnded := 0, 0
	for _, s := range doc.Skills {
		types[s.Type]++
		if s.RetiredOn != nil && s.ValidUntil != nil {
			if s.ValidUntil.After(today) {
				retiredValid++
			} else {
				retiredEnded++
			}
		}
	}
	if types["CERTIFICATION"] == 0 || types["ASSESSMENT"] == 0 {
		t.Errorf("want certifications and assessments, got %v", types)
	}
	if retiredValid == 0 || retiredEnded == 0 {
		t.Errorf("want a retired skill within its validity and one past it, got %d and %d", retiredValid, retiredEnded)
	}
	both, twoOptions, attested := 0, false, 0
	for _, c := range doc.Competencies {
		perLevel := map[string]int{}
		for _, o := range c.Options {
			perLevel[o.Level]++
			for _, r := range o.Requirements {
				if r.Kind == catalog.KindAttested {
					attested++
				}
			}
		}
		if perLevel["SILVER"] > 0 && perLevel["GOLD"] > 0 {
			both++
		}
		twoOptions = twoOptions || perLevel["SILVER"] > 1 || perLevel["GOLD"] > 1
	}
	if both < 3 || !twoOptions || attested == 0 {
		t.Errorf("want >=3 competencies with Silver and Gold (%d), a level with two options (%v), attested requirements (%d)", both, twoOptions, attested)
	}
}

// Every problem names the file, the entry and the field; nothing passes silently.
func TestValidationNamesFileEntryAndField(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"unknown skill", `{"skills":[{"number":"AZ-104","title":"Admin","type":"EXAM"}],
			"competencies":[{"key":"cp","name":"Cloud","options":[{"level":"SILVER","name":"Standard",
			"requirements":[{"key":"a","kind":"SKILL","required":1,"description":"d","skills":["AZ-104","AZ-999"]}]}]}]}`,
			`my.json: competencies[0] "cp" → options[0] "Standard" → requirements[0].skills[1]: unknown skill "AZ-999"`},
		{"bad type", `{"skills":[{"number":"AZ-104","title":"Admin","type":"EXAMEN"}],"competencies":[]}`,
			`my.json: skills[0] "AZ-104" → type: "EXAMEN" is not one of EXAM, CERTIFICATION, ASSESSMENT`},
		{"unknown field", `{"skills":[{"number":"AZ-104","title":"Admin","type":"EXAM","requried":1}]}`,
			`my.json: requried: unknown field`},
		{"syntax", "{\"skills\": [\n  {\"number\": \"AZ-104\",}\n]}", `my.json: line 2, column`},
		{"bad date", `{"skills":[{"number":"AZ-104","title":"Admin","type":"EXAM","validUntil":"31/03/2027"}]}`,
			`want a date YYYY-MM-DD`},
		{"duplicate", `{"skills":[{"number":"AZ-104","title":"A","type":"EXAM"},{"number":"AZ-104","title":"B","type":"EXAM"}]}`,
			`my.json: skills[1] "AZ-104" → number: duplicate: skills[0] "AZ-104" has the same number`},
		{"attested with skills", `{"skills":[],"competencies":[{"key":"cp","name":"Cloud","options":[{"level":"GOLD","name":"S",
			"requirements":[{"key":"r","kind":"ATTESTED","description":"Revenue","skills":["AZ-104"]}]}]}]}`,
			`requirements[0].skills: an ATTESTED requirement lists no skills`},
		{"required too large", `{"skills":[{"number":"AZ-104","title":"Admin","type":"EXAM"}],
			"competencies":[{"key":"cp","name":"Cloud","options":[{"level":"SILVER","name":"Standard",
			"requirements":[{"key":"a","kind":"SKILL","required":1000000000000,"description":"d","skills":["AZ-104"]}]}]}]}`,
			`requirements[0].required: at most 1000000 people`},
		{"level", `{"skills":[],"competencies":[{"key":"cp","name":"Cloud","options":[{"level":"PLATINUM","name":"S",
			"requirements":[{"key":"r","kind":"ATTESTED","description":"Revenue"}]}]}]}`,
			`options[0] "S" → level: "PLATINUM" is not one of SILVER, GOLD`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := catalog.Parse("my.json", []byte(c.doc), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant it to contain %s", err, c.want)
			}
		})
	}
}

// A partial document may name skills already loaded.
func TestPartialDocumentUsesKnownSkills(t *testing.T) {
	doc := `{"competencies":[{"key":"cp","name":"Cloud","options":[{"level":"SILVER","name":"S",
		"requirements":[{"key":"a","kind":"SKILL","required":1,"description":"d","skills":["AZ-104"]}]}]}]}`
	if _, err := catalog.Parse("p.json", []byte(doc), map[string]bool{"AZ-104": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Parse("p.json", []byte(doc), nil); err == nil {
		t.Fatal("an unknown skill passed")
	}
}

func TestDatesRoundTrip(t *testing.T) {
	var d catalog.Date
	if err := json.Unmarshal([]byte(`"2027-03-31"`), &d); err != nil {
		t.Fatal(err)
	}
	if !d.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatal(d)
	}
	b, _ := json.Marshal(d)
	if string(b) != `"2027-03-31"` {
		t.Fatal(string(b))
	}
}
