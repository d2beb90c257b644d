package designation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/metricvalue"
	"certlink/ent/schema/designation"
	"certlink/ent/solutionarea"
	"certlink/internal/progress"
)

// Holding is one person holding a counting result of a skill, and until when
// it keeps counting (nil: not foreseen to end) — the latest end among their
// results of that skill.
type Holding struct {
	Skill  string
	UserID int
	Until  *time.Time
}

// Counts reads who holds which skills for an organization. The current read
// path asks the database (SQLCounts); the scale issue's kept state can answer
// the same question without touching results (item 6).
type Counts interface {
	Holdings(ctx context.Context, c *ent.Client, orgID int, at time.Time, numbers []string) ([]Holding, error)
}

// SQLCounts reads holdings with competencies' counting rule.
type SQLCounts struct{}

// holdingsSQL lists, per skill named by a solution area, the people it counts
// for with their results' ends; %s is the list of placeholders.
const holdingsSQL = `SELECT s.number, u.id, u.name, r.expires_at, s.valid_until ` + progress.CountingResultsFrom +
	` AND s.number IN (%s) ORDER BY u.name, u.id`

// Holdings implements Counts.
func (SQLCounts) Holdings(ctx context.Context, c *ent.Client, orgID int, at time.Time, numbers []string) ([]Holding, error) {
	slices.Sort(numbers)
	numbers = slices.Compact(numbers)
	if len(numbers) == 0 {
		return nil, nil
	}
	args := progress.CountingArgs(orgID, at)
	for _, n := range numbers {
		args = append(args, n)
	}
	q := fmt.Sprintf(holdingsSQL, strings.TrimSuffix(strings.Repeat("?,", len(numbers)), ","))
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing certified people: %w", err)
	}
	defer rows.Close()
	type key struct {
		skill string
		uid   int
	}
	at2 := map[key]int{}
	var out []Holding
	for rows.Next() {
		var (
			number, name         string
			uid                  int
			expiresRaw, validRaw any
		)
		if err := rows.Scan(&number, &uid, &name, &expiresRaw, &validRaw); err != nil {
			return nil, err
		}
		expires, err := progress.ScanTime(expiresRaw)
		if err != nil {
			return nil, err
		}
		validEnd, err := progress.ScanTime(validRaw)
		if err != nil {
			return nil, err
		}
		until := progress.CountsUntil(expires, validEnd)
		k := key{number, uid}
		if i, ok := at2[k]; ok {
			out[i].Until = later(out[i].Until, until)
			continue
		}
		at2[k] = len(out)
		out = append(out, Holding{Skill: number, UserID: uid, Until: until})
	}
	return out, rows.Err()
}

// later is the later of two ends, nil being "never".
func later(a, b *time.Time) *time.Time {
	if a == nil || b == nil {
		return nil
	}
	if a.After(*b) {
		return a
	}
	return b
}

// ingested are an organization's latest metric values: per area and metric
// key, the value of the latest month at or before the month asked about.
type ingested map[string]map[string]*ent.MetricValue

// readIngested reads the latest value per (area, metric) at or before month.
func readIngested(ctx context.Context, c *ent.Client, orgID int, month string) (ingested, error) {
	rows, err := c.MetricValue.Query().
		Where(metricvalue.OrganizationID(orgID), metricvalue.MonthLTE(month)).
		Order(ent.Desc(metricvalue.FieldMonth)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := ingested{}
	for _, r := range rows {
		m := out[r.AreaKey]
		if m == nil {
			m = map[string]*ent.MetricValue{}
			out[r.AreaKey] = m
		}
		if _, ok := m[r.MetricKey]; !ok {
			m[r.MetricKey] = r
		}
	}
	return out, nil
}

// MonthOf is t's calendar month, "YYYY-MM" (UTC).
func MonthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// DayOf is t's day, "YYYY-MM-DD" (UTC).
func DayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }

// world is what the areas are scored from at one moment: the catalog's areas,
// the ingested values and who holds which skill (with the ends).
type world struct {
	areas    []*ent.SolutionArea
	ingested ingested
	holdings []Holding
	at       time.Time
	// override sets ingested values (a what-if).
	override MetricOverrides
}

func readWorld(ctx context.Context, c *ent.Client, counts Counts, orgID int, at time.Time) (*world, error) {
	areas, err := c.SolutionArea.Query().Order(solutionarea.ByPosition(), solutionarea.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	var numbers []string
	for _, a := range areas {
		numbers = append(numbers, a.IntermediateSkills...)
		numbers = append(numbers, a.AdvancedSkills...)
	}
	holdings, err := counts.Holdings(ctx, c, orgID, at, numbers)
	if err != nil {
		return nil, err
	}
	ing, err := readIngested(ctx, c, orgID, MonthOf(at))
	if err != nil {
		return nil, err
	}
	return &world{areas: areas, ingested: ing, holdings: holdings, at: at}, nil
}

// people returns the distinct holders of any of skills still counting at t
// (t at or after the world's moment), in the holdings' order (by name).
func (w *world) people(skills []string, t time.Time) []int {
	seen := map[int]bool{}
	out := []int{}
	for _, h := range w.holdings {
		if seen[h.UserID] || !slices.Contains(skills, h.Skill) {
			continue
		}
		if h.Until != nil && !h.Until.After(t) {
			continue
		}
		seen[h.UserID] = true
		out = append(out, h.UserID)
	}
	return out
}

// inputs are an area's metric values at t, with the people skilling metrics count.
func (w *world) inputs(a *ent.SolutionArea, t time.Time) (Inputs, map[string][]int, map[string]string) {
	in := Inputs{}
	people := map[string][]int{}
	months := map[string]string{}
	for _, m := range a.Metrics {
		switch m.Source {
		case designation.IntermediateCertifications:
			people[m.Key] = w.people(a.IntermediateSkills, t)
			in[m.Key] = float64(len(people[m.Key]))
		case designation.AdvancedCertifications:
			people[m.Key] = w.people(a.AdvancedSkills, t)
			in[m.Key] = float64(len(people[m.Key]))
		default:
			if v, ok := w.override.value(a.Key, m.Key); ok {
				in[m.Key] = v
			} else if v := w.ingested[a.Key][m.Key]; v != nil {
				in[m.Key] = v.Value
				months[m.Key] = v.Month
			}
		}
	}
	return in, people, months
}

// score scores every area at t (the world's moment or later: ingested values
// are assumed to stay as they are).
func (w *world) score(t time.Time) []*Area {
	out := make([]*Area, 0, len(w.areas))
	for _, a := range w.areas {
		out = append(out, w.scoreArea(a, t))
	}
	return out
}

// scoreArea scores one area at t.
func (w *world) scoreArea(a *ent.SolutionArea, t time.Time) *Area {
	{
		in, people, months := w.inputs(a, t)
		ar := &Area{ID: a.ID, Key: a.Key, Name: a.Name, Description: a.Description,
			IntermediateSkills: a.IntermediateSkills, AdvancedSkills: a.AdvancedSkills}
		for _, tr := range a.Tracks {
			ts := ScoreTrack(a.Metrics, tr, in)
			for _, c := range ts.Categories {
				for _, m := range c.Metrics {
					m.PeopleIDs = people[m.Key]
					m.Month = months[m.Key]
				}
			}
			ar.Tracks = append(ar.Tracks, ts)
		}
		ar.Best = Best(ar.Tracks)
		return ar
	}
}

// Area is one solution area's score at one moment.
type Area struct {
	ID        int
	Key, Name string
	// Description is the catalog's.
	Description string
	// IntermediateSkills and AdvancedSkills are the certifications its
	// skilling metrics count.
	IntermediateSkills, AdvancedSkills []string
	Tracks                             []*TrackScore
	// Best is the track that counts.
	Best *TrackScore
	// Window is the qualification window (nil in a what-if at a later moment).
	Window *Window
	// DropsOn is when a qualified area is projected to stop qualifying as
	// certifications expire and retired skills lose validity (nil: not
	// within the forecast's horizon); DropReason says why.
	DropsOn    *time.Time
	DropReason string
}

// Qualified reports whether the best track qualifies.
func (a *Area) Qualified() bool { return a.Best != nil && a.Best.Qualified }
