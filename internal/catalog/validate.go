package catalog

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"certlink/internal/text"
)

// MaxRequired bounds a SKILL requirement's count of people: no partner
// program asks for more, and the count is answered as a GraphQL Int.
const MaxRequired = 1_000_000

// Validate returns every problem of doc. known lists skill numbers already in
// the database that requirements may name besides the document's own skills.
func Validate(doc *Document, known map[string]bool) []Problem {
	var probs []Problem
	add := func(entry, field, format string, args ...any) {
		probs = append(probs, Problem{Entry: entry, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	text := func(entry, field, v string, max int) {
		switch {
		case strings.TrimSpace(v) == "":
			add(entry, field, "required")
		case utf8.RuneCountInString(v) > max:
			add(entry, field, "at most %d characters", max)
		case v != strings.TrimSpace(v):
			add(entry, field, "has leading or trailing spaces")
		default:
			// One line of text: it reaches reports, mail and spreadsheets.
			if i := strings.IndexFunc(v, text.Forbidden); i >= 0 {
				r, _ := utf8.DecodeRuneInString(v[i:])
				add(entry, field, "contains U+%04X: no control characters, line breaks or direction overrides", r)
			}
		}
	}
	oneOf := func(entry, field, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			add(entry, field, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}

	numbers := map[string]string{}
	for i, s := range doc.Skills {
		entry := fmt.Sprintf("skills[%d]", i)
		if s.Number != "" {
			entry += fmt.Sprintf(" %q", s.Number)
		}
		text(entry, "number", s.Number, 64)
		if msg := checkSkillNumber(s.Number); msg != "" && strings.TrimSpace(s.Number) != "" {
			add(entry, "number", "%s", msg)
		}
		text(entry, "title", s.Title, 300)
		oneOf(entry, "type", s.Type, skillTypes)
		if prev, dup := numbers[s.Number]; dup && s.Number != "" {
			add(entry, "number", "duplicate: %s has the same number", prev)
		}
		numbers[s.Number] = entry
		if s.RetiredOn != nil && s.ValidUntil != nil && s.ValidUntil.Before(s.RetiredOn.Time) {
			add(entry, "validUntil", "is before retiredOn")
		}
	}
	exists := func(n string) bool { _, ok := numbers[n]; return ok || known[n] }

	keys := map[string]string{}
	for i, c := range doc.Competencies {
		entry := fmt.Sprintf("competencies[%d]", i)
		if c.Key != "" {
			entry += fmt.Sprintf(" %q", c.Key)
		}
		text(entry, "key", c.Key, 100)
		text(entry, "name", c.Name, 200)
		if utf8.RuneCountInString(c.Description) > 2000 {
			add(entry, "description", "at most 2000 characters")
		}
		if prev, dup := keys[c.Key]; dup && c.Key != "" {
			add(entry, "key", "duplicate: %s has the same key", prev)
		}
		keys[c.Key] = entry
		if len(c.Options) == 0 {
			add(entry, "options", "a competency needs at least one option")
		}
		optNames := map[string]bool{}
		for j, o := range c.Options {
			oentry := fmt.Sprintf("%s → options[%d]", entry, j)
			if o.Name != "" {
				oentry += fmt.Sprintf(" %q", o.Name)
			}
			oneOf(oentry, "level", o.Level, levels)
			text(oentry, "name", o.Name, 200)
			if optNames[o.Level+"/"+o.Name] {
				add(oentry, "name", "duplicate: another %s option has this name", o.Level)
			}
			optNames[o.Level+"/"+o.Name] = true
			if len(o.Requirements) == 0 {
				add(oentry, "requirements", "an option needs at least one requirement")
			}
			reqKeys := map[string]bool{}
			for k, r := range o.Requirements {
				f := func(name string) string { return fmt.Sprintf("requirements[%d].%s", k, name) }
				text(oentry, f("key"), r.Key, 100)
				text(oentry, f("description"), r.Description, 500)
				oneOf(oentry, f("kind"), r.Kind, kinds)
				if reqKeys[r.Key] && r.Key != "" {
					add(oentry, f("key"), "duplicate key %q in this option", r.Key)
				}
				reqKeys[r.Key] = true
				switch r.Kind {
				case KindSkill:
					if r.Required < 1 {
						add(oentry, f("required"), "a SKILL requirement needs at least 1 person")
					}
					if r.Required > MaxRequired {
						// GraphQL's Int is 32 bits: a larger count cannot be answered.
						add(oentry, f("required"), "at most %d people", MaxRequired)
					}
					if len(r.Skills) == 0 {
						add(oentry, f("skills"), "a SKILL requirement lists at least one skill")
					}
					for n, num := range r.Skills {
						if !exists(num) {
							add(oentry, fmt.Sprintf("requirements[%d].skills[%d]", k, n), "unknown skill %q", num)
						}
					}
				case KindAttested:
					if r.Required > 1 {
						add(oentry, f("required"), "an ATTESTED requirement is met or not: omit required")
					}
					if len(r.Skills) > 0 {
						add(oentry, f("skills"), "an ATTESTED requirement lists no skills")
					}
				}
			}
		}
	}
	validateCapabilities(doc.Capabilities, exists, add, text, oneOf)
	validateSolutionAreas(doc.SolutionAreas, exists, add, text, oneOf)
	return probs
}

// validateCapabilities checks the capability areas (the Skilling metric).
func validateCapabilities(caps []Capability, exists func(string) bool, add func(entry, field, format string, args ...any),
	text func(entry, field, v string, max int), oneOf func(entry, field, v string, allowed []string)) {
	keys := map[string]string{}
	for i, c := range caps {
		entry := fmt.Sprintf("capabilities[%d]", i)
		if c.Key != "" {
			entry += fmt.Sprintf(" %q", c.Key)
		}
		text(entry, "key", c.Key, 100)
		text(entry, "name", c.Name, 200)
		if utf8.RuneCountInString(c.Description) > 2000 {
			add(entry, "description", "at most 2000 characters")
		}
		if prev, dup := keys[c.Key]; dup && c.Key != "" {
			add(entry, "key", "duplicate: %s has the same key", prev)
		}
		keys[c.Key] = entry
		if c.MaxPoints < 1 {
			add(entry, "maxPoints", "an area scores at most maxPoints (>= 1)")
		}
		if len(c.Rules) == 0 {
			add(entry, "rules", "an area needs at least one rule giving points")
		}
		skillsOf := func(field string, list []string) {
			if len(list) == 0 {
				add(entry, field, "lists at least one skill")
			}
			for n, num := range list {
				if !exists(num) {
					add(entry, fmt.Sprintf("%s[%d]", field, n), "unknown skill %q", num)
				}
			}
		}
		seen := map[string]bool{}
		for k, p := range c.Prerequisites {
			f := func(name string) string { return fmt.Sprintf("prerequisites[%d].%s", k, name) }
			text(entry, f("key"), p.Key, 100)
			text(entry, f("description"), p.Description, 500)
			if seen[p.Key] && p.Key != "" {
				add(entry, f("key"), "duplicate key %q in this area", p.Key)
			}
			seen[p.Key] = true
			if p.People < 1 {
				add(entry, f("people"), "a prerequisite needs at least 1 person")
			}
			skillsOf(f("skills"), p.Skills)
		}
		for k, r := range c.Rules {
			f := func(name string) string { return fmt.Sprintf("rules[%d].%s", k, name) }
			text(entry, f("key"), r.Key, 100)
			text(entry, f("description"), r.Description, 500)
			oneOf(entry, f("tier"), r.Tier, tiers)
			if seen[r.Key] && r.Key != "" {
				add(entry, f("key"), "duplicate key %q in this area", r.Key)
			}
			seen[r.Key] = true
			if r.PointsPerPerson < 1 {
				add(entry, f("pointsPerPerson"), "at least 1")
			}
			if r.MaxPoints < 0 {
				add(entry, f("maxPoints"), "must not be negative (0 or omitted: only the area's cap)")
			}
			skillsOf(f("skills"), r.Skills)
		}
	}
}
