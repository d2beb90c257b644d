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
	"certlink/internal/counting"
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

// Counts opens what the skilling metrics are read from for one organization
// at one moment: KeptCounts (the state internal/counting keeps on write, what
// the product reads) or SQLCounts (a scan of the organization's results, the
// tests' oracle).
type Counts interface {
	Open(ctx context.Context, c *ent.Client, orgID int, at time.Time, areas []*ent.SolutionArea) (Skilling, error)
}

// Skilling answers about the people counting for an area's intermediate or
// advanced certifications (level: counting.Intermediate, counting.Advanced),
// at the moment it was opened at or later. A person's end for a level is the
// latest end among their results of its certifications, and the
// certification giving it (the lowest number among equal ends).
type Skilling interface {
	// Count is how many people count at t.
	Count(ctx context.Context, areaID, level int, t time.Time) (int, error)
	// People are those counting at t, by name.
	People(ctx context.Context, areaID, level int, t time.Time) ([]int, error)
	// LastEnds: of the people counting at the opening moment, how many count
	// without end, and the latest k finite ends (ascending; all of them when
	// k < 0).
	LastEnds(ctx context.Context, areaID, level, k int) (forever int, ends []time.Time, err error)
	// Stopping: the people whose end for either level of the area is t, and
	// the certifications giving those ends (sorted).
	Stopping(ctx context.Context, areaID int, t time.Time) (people int, skills []string, err error)
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
// the ingested values and who counts for the skilling metrics.
type world struct {
	areas    []*ent.SolutionArea
	ingested ingested
	skilling Skilling
	at       time.Time
	// override sets ingested values (a what-if).
	override MetricOverrides
	// withPeople: list the people each skilling metric counts.
	withPeople bool
}

func readWorld(ctx context.Context, c *ent.Client, counts Counts, orgID int, at time.Time) (*world, error) {
	areas, err := c.SolutionArea.Query().Order(solutionarea.ByPosition(), solutionarea.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	sk, err := counts.Open(ctx, c, orgID, at, areas)
	if err != nil {
		return nil, err
	}
	ing, err := readIngested(ctx, c, orgID, MonthOf(at))
	if err != nil {
		return nil, err
	}
	return &world{areas: areas, ingested: ing, skilling: sk, at: at}, nil
}

// levelOf is the counting level a skilling source reads (false: ingested).
func levelOf(source string) (int, bool) {
	switch source {
	case designation.IntermediateCertifications:
		return counting.Intermediate, true
	case designation.AdvancedCertifications:
		return counting.Advanced, true
	}
	return 0, false
}

// inputs are an area's metric values at t, with the people skilling metrics
// count (when the world lists them).
func (w *world) inputs(ctx context.Context, a *ent.SolutionArea, t time.Time) (Inputs, map[string][]int, map[string]string, error) {
	in := Inputs{}
	people := map[string][]int{}
	months := map[string]string{}
	for _, m := range a.Metrics {
		if level, ok := levelOf(m.Source); ok {
			n, err := w.skilling.Count(ctx, a.ID, level, t)
			if err != nil {
				return nil, nil, nil, err
			}
			in[m.Key] = float64(n)
			if w.withPeople {
				if people[m.Key], err = w.skilling.People(ctx, a.ID, level, t); err != nil {
					return nil, nil, nil, err
				}
			}
			continue
		}
		if v, ok := w.override.value(a.Key, m.Key); ok {
			in[m.Key] = v
		} else if v := w.ingested[a.Key][m.Key]; v != nil {
			in[m.Key] = v.Value
			months[m.Key] = v.Month
		}
	}
	return in, people, months, nil
}

// score scores every area at t (the world's moment or later: ingested values
// are assumed to stay as they are).
func (w *world) score(ctx context.Context, t time.Time) ([]*Area, error) {
	out := make([]*Area, 0, len(w.areas))
	for _, a := range w.areas {
		ar, err := w.scoreArea(ctx, a, t)
		if err != nil {
			return nil, err
		}
		out = append(out, ar)
	}
	return out, nil
}

// scoreArea scores one area at t.
func (w *world) scoreArea(ctx context.Context, a *ent.SolutionArea, t time.Time) (*Area, error) {
	in, people, months, err := w.inputs(ctx, a, t)
	if err != nil {
		return nil, err
	}
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
	return ar, nil
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
