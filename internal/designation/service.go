package designation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/schema/designation"
	"certlink/internal/apperr"
	"certlink/internal/progress"
	"certlink/internal/viewer"
)

// DefaultHorizon is how far ahead the forecast looks for a drop.
const DefaultHorizon = 365 * 24 * time.Hour

// MaxHistoryDays bounds one qualificationHistory answer.
const MaxHistoryDays = 400

// Service answers an organization's admins about its solution areas, with
// progress's permissions (C7) and scenarios (B1).
type Service struct {
	Client   *ent.Client
	Progress *progress.Service
	// Counts reads who counts for the skilling metrics; nil: KeptCounts.
	Counts Counts
	// Horizon is how far ahead DropsOn is looked for; 0: DefaultHorizon.
	Horizon time.Duration
}

func (s *Service) counts() Counts {
	if s.Counts == nil {
		return KeptCounts{}
	}
	return s.Counts
}

func (s *Service) horizon() time.Duration {
	if s.Horizon <= 0 {
		return DefaultHorizon
	}
	return s.Horizon
}

// Options tune a computation.
type Options struct {
	// Override sets ingested values (a what-if).
	Override MetricOverrides
	// People lists the people each skilling metric counts (O(people): only
	// when a caller asks for them).
	People bool
	// Settle, when set, is the client through which the kept tallies a read
	// found carrying many lapsed people are settled afterwards (the live read).
	Settle *ent.Client
}

// Compute scores every area of orgID at the moment at from what c shows (c
// may be a rehearsal's transaction), with each area's window (from the
// recorded days) and forecast drop.
func Compute(ctx context.Context, c *ent.Client, counts Counts, orgID int, at time.Time, horizon time.Duration, opt Options) ([]*Area, error) {
	w, err := readWorld(ctx, c, counts, orgID, at)
	if err != nil {
		return nil, err
	}
	w.override, w.withPeople = opt.Override, opt.People
	areas, err := w.score(ctx, at)
	if err != nil {
		return nil, err
	}
	opens, _ := WindowBounds(at)
	_, byArea, err := readDays(ctx, c, orgID, "", opens, at)
	if err != nil {
		return nil, err
	}
	for _, a := range areas {
		a.Window = window(at, byArea[a.Key], a.Best)
	}
	if err := w.forecast(ctx, areas, at.Add(horizon)); err != nil {
		return nil, err
	}
	if st, ok := w.skilling.(settler); ok && opt.Settle != nil {
		st.settle(ctx, opt.Settle)
	}
	return areas, nil
}

// forecast sets each qualified area's DropsOn: the first moment up to until
// at which, as results expire and retired skills lose validity, the area no
// longer qualifies (ingested values assumed to stay as they are). Each person
// counts for a skilling metric until their end for its level, so the counts
// only fall at those ends, walked in order with the tracks rescored at each.
// Only the last ends matter: while a level's count is at or above every
// track's threshold of its metrics its points are full, so of the people with
// a finite end only the latest ⌈highest threshold⌉ are read (a few index
// entries however many count; forecastBrute in the tests is the obvious
// version it is held to).
func (w *world) forecast(ctx context.Context, areas []*Area, until time.Time) error {
	for _, a := range areas {
		if !a.Qualified() {
			continue
		}
		sa := w.areaByKey(a.Key)
		in, _, _, err := w.inputs(ctx, sa, w.at)
		if err != nil {
			return err
		}
		type event struct {
			at     time.Time
			source string
		}
		var events []event
		for _, src := range []string{designation.IntermediateCertifications, designation.AdvancedCertifications} {
			level, _ := levelOf(src)
			need := 0.0
			used := false
			for _, m := range sa.Metrics {
				if m.Source != src {
					continue
				}
				used = true
				for _, tr := range sa.Tracks {
					need = max(need, tr.Thresholds[m.Key])
				}
			}
			if !used {
				continue
			}
			forever, ends, err := w.skilling.LastEnds(ctx, sa.ID, level, int(min(math.Ceil(need), maxReadEnds)))
			if err != nil {
				return err
			}
			// Before the ends read, the count stays at or above need: the
			// walk starts from the count those ends leave.
			for _, m := range sa.Metrics {
				if m.Source == src {
					in[m.Key] = min(in[m.Key], float64(forever+len(ends)))
				}
			}
			for _, end := range ends {
				if end.After(w.at) && !end.After(until) {
					events = append(events, event{end, src})
				}
			}
		}
		slices.SortStableFunc(events, func(x, y event) int { return x.at.Compare(y.at) })
		for i := 0; i < len(events); {
			t := events[i].at
			for ; i < len(events) && events[i].at.Equal(t); i++ {
				for _, m := range sa.Metrics {
					if m.Source == events[i].source {
						in[m.Key]--
					}
				}
			}
			var tracks []*TrackScore
			for _, tr := range sa.Tracks {
				tracks = append(tracks, ScoreTrack(sa.Metrics, tr, in))
			}
			best := Best(tracks)
			if best.Qualified {
				continue
			}
			drop := t
			a.DropsOn = &drop
			if a.DropReason, err = w.dropCause(ctx, sa, best, t); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// maxReadEnds bounds the ends the forecast reads per level (a threshold of
// more people than that is not reached by any organization certlink serves;
// above it the forecast would start late, never wrongly early).
const maxReadEnds = 100000

// dropCause says why an area stops qualifying at t: its state then and who
// stops counting at that moment.
func (w *world) dropCause(ctx context.Context, sa *ent.SolutionArea, later *TrackScore, t time.Time) (string, error) {
	n, skills, err := w.skilling.Stopping(ctx, sa.ID, t)
	if err != nil {
		return "", err
	}
	cause := later.Explain()
	if n > 0 {
		cause += fmt.Sprintf(" (%d certification(s) stop counting: %s)", n, strings.Join(skills, ", "))
	}
	return cause, nil
}

func (w *world) areaByKey(key string) *ent.SolutionArea {
	for _, a := range w.areas {
		if a.Key == key {
			return a
		}
	}
	return nil
}

// Areas returns the viewer's organization's solution areas now; people: list
// the people each skilling metric counts.
func (s *Service) Areas(ctx context.Context, v *viewer.Viewer, people bool) ([]*Area, error) {
	if err := progress.Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	return s.orgAreas(ctx, v.OrgID, people)
}

// OrgAreas scores organization orgID's solution areas now, for no viewer in
// particular: the value a live feed shares among the organization's
// subscribers, each authorized when it subscribes.
func (s *Service) OrgAreas(ctx context.Context, orgID int) ([]*Area, error) {
	return s.orgAreas(ctx, orgID, true)
}

// orgAreas is OrgAreas, listing the people skilling metrics count only when
// people is set.
func (s *Service) orgAreas(ctx context.Context, orgID int, people bool) ([]*Area, error) {
	return Compute(viewer.System(ctx), s.Client, s.counts(), orgID, s.Progress.Engine.Time(), s.horizon(),
		Options{People: people, Settle: s.Client})
}

// WhatIf is a hypothetical change for the solution areas: progress's
// scenario (people leaving, planned certifications), ingested values set, and
// a later moment to score at (certifications expiring by then).
type WhatIf struct {
	progress.Scenario
	Metrics MetricOverrides
	// At, when set, scores at that later moment (at most the horizon ahead).
	At *time.Time
	// People lists the people each skilling metric counts.
	People bool
}

// MetricOverride sets an ingested metric's value in a what-if.
type MetricOverride struct {
	AreaKey, MetricKey string
	Value              float64
}

// MetricOverrides are a what-if's ingested values.
type MetricOverrides []MetricOverride

func (o MetricOverrides) value(area, metric string) (float64, bool) {
	for _, m := range o {
		if m.AreaKey == area && m.MetricKey == metric {
			return m.Value, true
		}
	}
	return 0, false
}

// MaxOverrides bounds a what-if's metric values.
const MaxOverrides = 100

// Simulate returns the areas a what-if would give; nothing is written.
func (s *Service) Simulate(ctx context.Context, v *viewer.Viewer, wi WhatIf) ([]*Area, error) {
	if err := progress.Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	if len(wi.Metrics) > MaxOverrides {
		return nil, apperr.New(apperr.InvalidInput, "A what-if sets at most %d metric values.", MaxOverrides).With("field", "setMetrics")
	}
	now := s.Progress.Engine.Time()
	if err := s.checkOverrides(viewer.System(ctx), wi.Metrics); err != nil {
		return nil, err
	}
	if wi.At != nil && (wi.At.Before(now.Add(-time.Minute)) || wi.At.After(now.Add(s.horizon()))) {
		return nil, apperr.New(apperr.InvalidInput, "A what-if looks from now to %d days ahead; %s is outside.",
			int(s.horizon().Hours()/24), wi.At.UTC().Format("2006-01-02")).With("field", "at")
	}
	// A scenario's rows are written unkept (progress.InScenario: no lock on
	// the kept state, so a what-if never conflicts with writers): with people
	// leaving or planned results the skilling metrics come from the scan of
	// links and results in the rehearsal; without, the kept counts hold.
	counts := s.counts()
	if len(wi.Scenario.RemoveUserIDs)+len(wi.Scenario.AddResults) > 0 {
		counts = SQLCounts{}
	}
	var out []*Area
	err := s.Progress.InScenario(ctx, v, wi.Scenario, func(ctx context.Context, c *ent.Client, orgID int, at time.Time) error {
		var err error
		if wi.At == nil || !wi.At.After(at) {
			out, err = Compute(ctx, c, counts, orgID, at, s.horizon(), Options{Override: wi.Metrics, People: wi.People})
			return err
		}
		w, err := readWorld(ctx, c, counts, orgID, at)
		if err != nil {
			return err
		}
		w.override, w.withPeople = wi.Metrics, wi.People
		if out, err = w.score(ctx, *wi.At); err != nil {
			return err
		}
		opens, _ := WindowBounds(*wi.At)
		_, byArea, err := readDays(ctx, c, orgID, "", opens, at)
		if err != nil {
			return err
		}
		for _, a := range out {
			a.Window = window(*wi.At, byArea[a.Key], a.Best)
		}
		return nil
	})
	return out, err
}

func (s *Service) checkOverrides(ctx context.Context, in MetricOverrides) error {
	if len(in) == 0 {
		return nil
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return err
	}
	for i, m := range in {
		field := fmt.Sprintf("setMetrics[%d]", i)
		if msg := cat.checkIngested(m.AreaKey, m.MetricKey); msg != "" {
			return apperr.New(apperr.InvalidInput, "%s: %s", field, msg).With("field", field)
		}
		if !(m.Value >= 0 && m.Value <= maxValue) {
			return apperr.New(apperr.InvalidInput, "%s: a value is from 0 to %g.", field, maxValue).With("field", field)
		}
	}
	return nil
}

// History returns an area's recorded days between two days (inclusive, at
// most MaxHistoryDays apart), for the viewer's organization.
func (s *Service) History(ctx context.Context, v *viewer.Viewer, areaKey string, from, to time.Time) ([]*Day, error) {
	if err := progress.Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	from, to = dayStart(from), dayStart(to)
	if to.Before(from) {
		return nil, apperr.New(apperr.InvalidInput, "to (%s) is before from (%s).", DayOf(to), DayOf(from)).With("field", "to")
	}
	if to.Sub(from) > MaxHistoryDays*24*time.Hour {
		return nil, apperr.New(apperr.InvalidInput, "Ask for at most %d days at a time.", MaxHistoryDays).With("field", "to")
	}
	sys := viewer.System(ctx)
	cat, err := s.catalog(sys)
	if err != nil {
		return nil, err
	}
	if cat.areas[areaKey] == nil {
		return nil, apperr.New(apperr.NotFound, "No solution area has key %q (known: %s).", echo(areaKey), strings.Join(cat.keys, ", ")).With("field", "area")
	}
	days, _, err := readDays(sys, s.Client, v.OrgID, areaKey, from, to)
	return days, err
}

// catalogView is the areas by key, for checking input.
type catalogView struct {
	areas map[string]*ent.SolutionArea
	keys  []string
}

func (s *Service) catalog(ctx context.Context) (*catalogView, error) {
	return readCatalog(ctx, s.Client)
}

func readCatalog(ctx context.Context, c *ent.Client) (*catalogView, error) {
	areas, err := c.SolutionArea.Query().All(ctx)
	if err != nil {
		return nil, err
	}
	cv := &catalogView{areas: map[string]*ent.SolutionArea{}}
	for _, a := range areas {
		cv.areas[a.Key] = a
		cv.keys = append(cv.keys, a.Key)
	}
	sort.Strings(cv.keys)
	return cv, nil
}

// checkIngested returns what is wrong with naming (area, metric) as an
// ingested metric, or "".
func (cv *catalogView) checkIngested(area, metric string) string {
	a := cv.areas[area]
	if a == nil {
		return fmt.Sprintf("no solution area has key %q (known: %s)", echo(area), strings.Join(cv.keys, ", "))
	}
	var ingestedKeys []string
	for _, m := range a.Metrics {
		if m.Source == designation.Ingested {
			ingestedKeys = append(ingestedKeys, m.Key)
		}
		if m.Key == metric {
			if m.Source != designation.Ingested {
				return fmt.Sprintf("metric %q of %q counts certifications of linked people; it is not sent", metric, area)
			}
			return ""
		}
	}
	return fmt.Sprintf("solution area %q has no metric %q (ingested metrics: %s)", area, echo(metric), strings.Join(ingestedKeys, ", "))
}
