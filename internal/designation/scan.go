package designation

import (
	"context"
	"slices"
	"time"

	"certlink/ent"
	"certlink/internal/counting"
)

// Open implements Counts by scanning the organization's counting results of
// the areas' certifications (Holdings): what every read cost before the
// counts were kept, now the oracle the kept state is held to.
func (SQLCounts) Open(ctx context.Context, c *ent.Client, orgID int, at time.Time, areas []*ent.SolutionArea) (Skilling, error) {
	var numbers []string
	for _, a := range areas {
		numbers = append(numbers, a.IntermediateSkills...)
		numbers = append(numbers, a.AdvancedSkills...)
	}
	holdings, err := SQLCounts{}.Holdings(ctx, c, orgID, at, numbers)
	if err != nil {
		return nil, err
	}
	return scanOf(at, areas, holdings), nil
}

// scanOf builds the scan's answers from holdings (ordered by name).
func scanOf(at time.Time, areas []*ent.SolutionArea, holdings []Holding) *scanSkilling {
	sc := &scanSkilling{at: at, spans: map[int][]scanSpan{}}
	for _, a := range areas {
		for level, skills := range [][]string{a.IntermediateSkills, a.AdvancedSkills} {
			key := counting.AreaLevel(a.ID, level)
			idx := map[int]int{}
			for _, h := range holdings { // by name
				if !slices.Contains(skills, h.Skill) {
					continue
				}
				i, ok := idx[h.UserID]
				if !ok {
					idx[h.UserID] = len(sc.spans[key])
					sc.spans[key] = append(sc.spans[key], scanSpan{user: h.UserID, until: h.Until, skill: h.Skill})
					continue
				}
				sp := &sc.spans[key][i]
				if counting.EndsLater(h.Until, h.Skill, sp.until, sp.skill) {
					sp.until, sp.skill = h.Until, h.Skill
				}
			}
		}
	}
	return sc
}

type scanSpan struct {
	user  int
	until *time.Time
	skill string
}

func (s scanSpan) countsAt(t time.Time) bool { return s.until == nil || s.until.After(t) }

// scanSkilling answers from the scanned holdings, in memory.
type scanSkilling struct {
	at    time.Time
	spans map[int][]scanSpan // by area level, people by name
}

func (s *scanSkilling) Count(_ context.Context, areaID, level int, t time.Time) (int, error) {
	n := 0
	for _, sp := range s.spans[counting.AreaLevel(areaID, level)] {
		if sp.countsAt(t) {
			n++
		}
	}
	return n, nil
}

func (s *scanSkilling) People(_ context.Context, areaID, level int, t time.Time) ([]int, error) {
	out := []int{}
	for _, sp := range s.spans[counting.AreaLevel(areaID, level)] {
		if sp.countsAt(t) {
			out = append(out, sp.user)
		}
	}
	return out, nil
}

// LastEnds returns every finite end (k is not needed by a scan).
func (s *scanSkilling) LastEnds(_ context.Context, areaID, level, _ int) (int, []time.Time, error) {
	forever := 0
	var ends []time.Time
	for _, sp := range s.spans[counting.AreaLevel(areaID, level)] {
		switch {
		case sp.until == nil:
			forever++
		case sp.until.After(s.at):
			ends = append(ends, *sp.until)
		}
	}
	slices.SortFunc(ends, func(a, b time.Time) int { return a.Compare(b) })
	return forever, ends, nil
}

func (s *scanSkilling) Stopping(_ context.Context, areaID int, t time.Time) (int, []string, error) {
	people := map[int]bool{}
	var skills []string
	for level := range 2 {
		for _, sp := range s.spans[counting.AreaLevel(areaID, level)] {
			if sp.until != nil && sp.until.Equal(t) {
				people[sp.user] = true
				skills = append(skills, sp.skill)
			}
		}
	}
	slices.Sort(skills)
	return len(people), slices.Compact(skills), nil
}
