package catalog

import (
	"context"
	"fmt"

	"slices"
	"sort"
	"unicode/utf8"

	"certlink/ent"
	"certlink/ent/schema/designation"
	"certlink/ent/solutionarea"
)

// SolutionArea is a Solutions Partner solution area scored by the partner
// capability score (catalog/README.md, "Solution areas").
type SolutionArea struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// IntermediateSkills and AdvancedSkills are the certifications the
	// skilling metrics count (a person counts once per metric).
	IntermediateSkills []string             `json:"intermediateSkills,omitempty"`
	AdvancedSkills     []string             `json:"advancedSkills,omitempty"`
	Metrics            []designation.Metric `json:"metrics"`
	Tracks             []designation.Track  `json:"tracks"`
}

// MaxAreaPoints is what every area scores at most: the weights add up to it.
const MaxAreaPoints = 100

// MaxThreshold bounds a threshold (and, in ingest, a value).
const MaxThreshold = 1e12

// validateSolutionAreas checks the solution areas: keys, categories, sources,
// weights adding up to 100 with every category present, skills known, and a
// positive threshold for every metric in every track.
func validateSolutionAreas(areas []SolutionArea, exists func(string) bool, add func(entry, field, format string, args ...any),
	text func(entry, field, v string, max int), oneOf func(entry, field, v string, allowed []string)) {
	keys := map[string]string{}
	for i, a := range areas {
		entry := fmt.Sprintf("solutionAreas[%d]", i)
		if a.Key != "" {
			entry += fmt.Sprintf(" %q", a.Key)
		}
		text(entry, "key", a.Key, 100)
		text(entry, "name", a.Name, 200)
		if utf8.RuneCountInString(a.Description) > 2000 {
			add(entry, "description", "at most 2000 characters")
		}
		if prev, dup := keys[a.Key]; dup && a.Key != "" {
			add(entry, "key", "duplicate: %s has the same key", prev)
		}
		keys[a.Key] = entry
		skillList := func(field string, list []string) {
			seen := map[string]bool{}
			for n, num := range list {
				if !exists(num) {
					add(entry, fmt.Sprintf("%s[%d]", field, n), "unknown skill %q", num)
				}
				if seen[num] {
					add(entry, fmt.Sprintf("%s[%d]", field, n), "%q is listed twice", num)
				}
				seen[num] = true
			}
		}
		skillList("intermediateSkills", a.IntermediateSkills)
		skillList("advancedSkills", a.AdvancedSkills)
		for _, n := range a.AdvancedSkills {
			if slices.Contains(a.IntermediateSkills, n) {
				add(entry, "advancedSkills", "%q is also an intermediate skill: a certification is one or the other", n)
			}
		}
		if len(a.Metrics) == 0 {
			add(entry, "metrics", "an area needs metrics in every category (%s)", "PERFORMANCE, SKILLING, CUSTOMER_SUCCESS")
		}
		metricKeys := map[string]bool{}
		total := 0
		categories := map[string]bool{}
		for k, m := range a.Metrics {
			f := func(name string) string { return fmt.Sprintf("metrics[%d].%s", k, name) }
			text(entry, f("key"), m.Key, 100)
			text(entry, f("name"), m.Name, 200)
			if utf8.RuneCountInString(m.Unit) > 50 {
				add(entry, f("unit"), "at most 50 characters")
			}
			oneOf(entry, f("category"), m.Category, designation.Categories)
			oneOf(entry, f("source"), m.Source, designation.Sources)
			if metricKeys[m.Key] && m.Key != "" {
				add(entry, f("key"), "duplicate key %q in this area", m.Key)
			}
			metricKeys[m.Key] = true
			categories[m.Category] = true
			if m.Weight < 1 || m.Weight > MaxAreaPoints {
				add(entry, f("weight"), "from 1 to %d points", MaxAreaPoints)
			} else {
				total += m.Weight
			}
			switch {
			case m.Category == designation.Skilling && m.Source == designation.Ingested:
				add(entry, f("source"), "a SKILLING metric counts certifications: INTERMEDIATE_CERTIFICATIONS or ADVANCED_CERTIFICATIONS")
			case m.Category != designation.Skilling && m.Source != designation.Ingested && slices.Contains(designation.Sources, m.Source):
				add(entry, f("source"), "only SKILLING metrics count certifications; %s metrics are INGESTED", m.Category)
			case m.Source == designation.IntermediateCertifications && len(a.IntermediateSkills) == 0:
				add(entry, "intermediateSkills", "metric %q counts intermediate certifications: list them", m.Key)
			case m.Source == designation.AdvancedCertifications && len(a.AdvancedSkills) == 0:
				add(entry, "advancedSkills", "metric %q counts advanced certifications: list them", m.Key)
			}
		}
		for _, c := range designation.Categories {
			if len(a.Metrics) > 0 && !categories[c] {
				add(entry, "metrics", "no %s metric: every area is scored in all three categories", c)
			}
		}
		if len(a.Metrics) > 0 && total != MaxAreaPoints {
			add(entry, "metrics", "the weights add up to %d, not %d", total, MaxAreaPoints)
		}
		if len(a.Tracks) == 0 {
			add(entry, "tracks", "an area needs at least one track (its thresholds)")
		}
		trackKeys := map[string]bool{}
		for k, t := range a.Tracks {
			f := func(name string) string { return fmt.Sprintf("tracks[%d].%s", k, name) }
			text(entry, f("key"), t.Key, 100)
			text(entry, f("name"), t.Name, 200)
			if trackKeys[t.Key] && t.Key != "" {
				add(entry, f("key"), "duplicate key %q in this area", t.Key)
			}
			trackKeys[t.Key] = true
			for _, m := range a.Metrics {
				v, ok := t.Thresholds[m.Key]
				switch {
				case !ok && m.Key != "":
					add(entry, f("thresholds"), "no threshold for metric %q", m.Key)
				case ok && !(v > 0 && v <= MaxThreshold):
					add(entry, f("thresholds."+m.Key), "a threshold is above 0 and at most %g", MaxThreshold)
				}
			}
			unknown := []string{}
			for mk := range t.Thresholds {
				if !metricKeys[mk] {
					unknown = append(unknown, mk)
				}
			}
			sort.Strings(unknown)
			for _, mk := range unknown {
				add(entry, f("thresholds."+mk), "no metric %q in this area", mk)
			}
		}
	}
}

// applySolutionAreas upserts solution areas by key; areas the document does
// not list are left as they are, like competencies.
func applySolutionAreas(ctx context.Context, tx *ent.Tx, in []SolutionArea, sum *Summary) error {
	existing, err := tx.SolutionArea.Query().All(ctx)
	if err != nil {
		return err
	}
	byKey := map[string]*ent.SolutionArea{}
	for _, a := range existing {
		byKey[a.Key] = a
	}
	for i, a := range in {
		inter, adv := nonNil(a.IntermediateSkills), nonNil(a.AdvancedSkills)
		cur, ok := byKey[a.Key]
		switch {
		case !ok:
			err = tx.SolutionArea.Create().SetKey(a.Key).SetName(a.Name).SetDescription(a.Description).
				SetPosition(i).SetIntermediateSkills(inter).SetAdvancedSkills(adv).
				SetMetrics(a.Metrics).SetTracks(a.Tracks).Exec(ctx)
			sum.SolutionAreasCreated++
		case cur.Name != a.Name || cur.Description != a.Description || cur.Position != i ||
			!sameJSON(cur.IntermediateSkills, inter) || !sameJSON(cur.AdvancedSkills, adv) ||
			!sameJSON(cur.Metrics, a.Metrics) || !sameJSON(cur.Tracks, a.Tracks):
			err = cur.Update().SetName(a.Name).SetDescription(a.Description).SetPosition(i).
				SetIntermediateSkills(inter).SetAdvancedSkills(adv).
				SetMetrics(a.Metrics).SetTracks(a.Tracks).Exec(ctx)
			sum.SolutionAreasUpdated++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// exportSolutionAreas adds the stored areas to an exported document.
func exportSolutionAreas(ctx context.Context, c *ent.Client, doc *Document) error {
	areas, err := c.SolutionArea.Query().Order(solutionarea.ByPosition(), solutionarea.ByID()).All(ctx)
	if err != nil {
		return err
	}
	for _, a := range areas {
		doc.SolutionAreas = append(doc.SolutionAreas, SolutionArea{Key: a.Key, Name: a.Name, Description: a.Description,
			IntermediateSkills: a.IntermediateSkills, AdvancedSkills: a.AdvancedSkills, Metrics: a.Metrics, Tracks: a.Tracks})
	}
	return nil
}
