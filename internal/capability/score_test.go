package capability

import (
	"testing"

	"certlink/ent"
	"certlink/ent/schema/skilling"
)

// The Skilling rules: no points before the prerequisites; a rule's own cap;
// the area's cap; a person counted once per rule even with two of its skills.
func TestScoreRules(t *testing.T) {
	area := &ent.CapabilityArea{Key: "azure-infrastructure", Name: "Azure Infrastructure", MaxPoints: 20,
		Prerequisites: []skilling.Prerequisite{{Key: "two-admins", People: 2, Skills: []string{"ADMIN"}}},
		Rules: []skilling.Rule{
			{Key: "admins", Tier: skilling.Intermediate, PointsPerPerson: 4, Skills: []string{"ADMIN"}},
			{Key: "experts", Tier: skilling.Advanced, PointsPerPerson: 5, MaxPoints: 10, Skills: []string{"ARCH", "DEVOPS"}},
		}}
	cases := []struct {
		name           string
		holders        map[string][]int
		points         int
		prereq         bool
		admins, expert int
	}{
		{"one admin: prerequisite unmet", map[string][]int{"ADMIN": {1}, "ARCH": {2}}, 0, false, 4, 5},
		{"two admins", map[string][]int{"ADMIN": {1, 2}}, 8, true, 8, 0},
		{"expert cap", map[string][]int{"ADMIN": {1, 2}, "ARCH": {3, 4}, "DEVOPS": {4, 5}}, 18, true, 8, 10},
		{"area cap", map[string][]int{"ADMIN": {1, 2, 3, 4}, "ARCH": {5, 6}}, 20, true, 16, 10},
	}
	for _, c := range cases {
		a := score(area, c.holders)
		if a.Points != c.points || a.PrerequisitesMet != c.prereq || a.Rules[0].Points != c.admins || a.Rules[1].Points != c.expert {
			t.Errorf("%s: points %d prereq %v rules %d/%d", c.name, a.Points, a.PrerequisitesMet, a.Rules[0].Points, a.Rules[1].Points)
		}
	}
	if a := score(area, map[string][]int{"ARCH": {3, 4}, "DEVOPS": {4}}); a.Rules[1].Current != 2 {
		t.Errorf("a person holding two skills of a rule counted %d times", a.Rules[1].Current)
	}
}
