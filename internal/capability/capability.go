// Package capability computes the capability score: the successor program's
// Skilling metric, the catalog's second kind (catalog/README.md). Each area
// gives points per distinct certified person of the organization, rule by rule
// (each capped), once its prerequisites are met, and caps the total. Who
// counts is progress's rule (progress.CountingResultsFrom): linked, not
// deleted, result valid, skill inside its validity.
package capability

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/capabilityarea"
	"certlink/ent/schema/skilling"
	"certlink/internal/progress"
	"certlink/internal/viewer"
)

// Area is one capability area's score.
type Area struct {
	ID                int
	Key, Name         string
	Description       string
	MaxPoints, Points int
	// PrerequisitesMet: every prerequisite holds, so the rules' points count.
	PrerequisitesMet bool
	Prerequisites    []*Prerequisite
	Rules            []*Rule
}

// Prerequisite is one prerequisite's state.
type Prerequisite struct {
	skilling.Prerequisite
	Current   int
	Met       bool
	PeopleIDs []int
}

// Rule is one scoring rule's state. Points is what it earns on its own
// (people × points, capped); it adds to the area only when the prerequisites
// are met.
type Rule struct {
	skilling.Rule
	Current   int
	Points    int
	PeopleIDs []int
}

// Score computes every area's score of orgID at the moment at, from what c
// shows (c may be a rehearsal's transaction, for what-if).
func Score(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]*Area, error) {
	areas, err := c.CapabilityArea.Query().Order(capabilityarea.ByPosition(), capabilityarea.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	var numbers []string
	for _, a := range areas {
		for _, p := range a.Prerequisites {
			numbers = append(numbers, p.Skills...)
		}
		for _, r := range a.Rules {
			numbers = append(numbers, r.Skills...)
		}
	}
	holders, err := holdersBySkill(ctx, c, orgID, at, numbers)
	if err != nil {
		return nil, err
	}
	out := make([]*Area, 0, len(areas))
	for _, a := range areas {
		out = append(out, score(a, holders))
	}
	return out, nil
}

func score(a *ent.CapabilityArea, holders map[string][]int) *Area {
	ar := &Area{ID: a.ID, Key: a.Key, Name: a.Name, Description: a.Description, MaxPoints: a.MaxPoints, PrerequisitesMet: true}
	for _, p := range a.Prerequisites {
		pp := &Prerequisite{Prerequisite: p, PeopleIDs: people(p.Skills, holders)}
		pp.Current = len(pp.PeopleIDs)
		pp.Met = pp.Current >= p.People
		ar.PrerequisitesMet = ar.PrerequisitesMet && pp.Met
		ar.Prerequisites = append(ar.Prerequisites, pp)
	}
	sum := 0
	for _, r := range a.Rules {
		rr := &Rule{Rule: r, PeopleIDs: people(r.Skills, holders)}
		rr.Current = len(rr.PeopleIDs)
		rr.Points = rr.Current * r.PointsPerPerson
		if r.MaxPoints > 0 {
			rr.Points = min(rr.Points, r.MaxPoints)
		}
		sum += rr.Points
		ar.Rules = append(ar.Rules, rr)
	}
	if ar.PrerequisitesMet {
		ar.Points = min(sum, a.MaxPoints)
	}
	return ar
}

// people returns the distinct holders of any of skills, in first-seen order
// (holders lists each skill's people by name).
func people(skills []string, holders map[string][]int) []int {
	seen := map[int]bool{}
	out := []int{}
	for _, s := range skills {
		for _, u := range holders[s] {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// holdersSQL lists, per skill named by a capability area, the people it counts
// for; %s is the list of placeholders.
const holdersSQL = `SELECT DISTINCT s.number, u.id, u.name ` + progress.CountingResultsFrom +
	` AND s.number IN (%s) ORDER BY u.name, u.id`

// holdersBySkill maps skill number → user ids (by name) of the organization's
// people holding a counting result of one of numbers (the skills the areas
// name: a catalog's handful of certifications).
func holdersBySkill(ctx context.Context, c *ent.Client, orgID int, at time.Time, numbers []string) (map[string][]int, error) {
	slices.Sort(numbers)
	numbers = slices.Compact(numbers)
	if len(numbers) == 0 {
		return map[string][]int{}, nil
	}
	args := progress.CountingArgs(orgID, at)
	for _, n := range numbers {
		args = append(args, n)
	}
	q := fmt.Sprintf(holdersSQL, strings.TrimSuffix(strings.Repeat("?,", len(numbers)), ","))
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing certified people: %w", err)
	}
	defer rows.Close()
	out := map[string][]int{}
	for rows.Next() {
		var (
			number, name string
			uid          int
		)
		if err := rows.Scan(&number, &uid, &name); err != nil {
			return nil, err
		}
		out[number] = append(out[number], uid)
	}
	return out, rows.Err()
}

// Service answers the viewer's questions about its organization's score, with
// progress's permissions (C7) and scenarios (B1).
type Service struct {
	Client   *ent.Client
	Progress *progress.Service
}

// Score returns the viewer's organization's capability score now.
func (s *Service) Score(ctx context.Context, v *viewer.Viewer) ([]*Area, error) {
	if err := progress.Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	return Score(viewer.System(ctx), s.Client, v.OrgID, s.Progress.Engine.Time())
}

// Simulate returns the score a what-if scenario would give (nothing is written).
func (s *Service) Simulate(ctx context.Context, v *viewer.Viewer, sc progress.Scenario) ([]*Area, error) {
	var out []*Area
	err := s.Progress.InScenario(ctx, v, sc, func(ctx context.Context, c *ent.Client, orgID int, at time.Time) error {
		var err error
		out, err = Score(ctx, c, orgID, at)
		return err
	})
	return out, err
}

// String says an area's score in words, e.g. "Azure Infrastructure: 8 of 20".
func (a *Area) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d", a.Name, a.Points, a.MaxPoints)
	if !a.PrerequisitesMet {
		b.WriteString(" (prerequisites not met)")
	}
	return b.String()
}
