package designation

import (
	"context"
	"fmt"
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
	// Counts reads who holds which skill; nil: SQLCounts.
	Counts Counts
	// Horizon is how far ahead DropsOn is looked for; 0: DefaultHorizon.
	Horizon time.Duration
}

func (s *Service) counts() Counts {
	if s.Counts == nil {
		return SQLCounts{}
	}
	return s.Counts
}

func (s *Service) horizon() time.Duration {
	if s.Horizon <= 0 {
		return DefaultHorizon
	}
	return s.Horizon
}

// Compute scores every area of orgID at the moment at from what c shows (c
// may be a rehearsal's transaction), with each area's window (from the
// recorded days) and forecast drop.
func Compute(ctx context.Context, c *ent.Client, counts Counts, orgID int, at time.Time, horizon time.Duration, override MetricOverrides) ([]*Area, error) {
	w, err := readWorld(ctx, c, counts, orgID, at)
	if err != nil {
		return nil, err
	}
	w.override = override
	areas := w.score(at)
	opens, _ := WindowBounds(at)
	_, byArea, err := readDays(ctx, c, orgID, "", opens, at)
	if err != nil {
		return nil, err
	}
	for _, a := range areas {
		a.Window = window(at, byArea[a.Key], a.Best)
	}
	w.forecast(areas, at.Add(horizon))
	return areas, nil
}

// forecast sets each qualified area's DropsOn: the first moment up to until
// at which, as results expire and retired skills lose validity, the area no
// longer qualifies (ingested values assumed to stay as they are). Each person
// counts for a skilling metric until the latest end among their results of
// its certifications, so the counts only fall at those ends: they are walked
// in order, the tracks rescored at each (O(people · log people) per area,
// not a rescoring of everyone at every moment; forecastBrute in the tests is
// the obvious version it is held to).
func (w *world) forecast(areas []*Area, until time.Time) {
	for _, a := range areas {
		if !a.Qualified() {
			continue
		}
		sa := w.areaByKey(a.Key)
		in, _, _ := w.inputs(sa, w.at)
		type event struct {
			at     time.Time
			source string
		}
		var events []event
		for _, src := range []string{designation.IntermediateCertifications, designation.AdvancedCertifications} {
			skills := sa.IntermediateSkills
			if src == designation.AdvancedCertifications {
				skills = sa.AdvancedSkills
			}
			for _, end := range w.ends(skills) {
				if end != nil && end.After(w.at) && !end.After(until) {
					events = append(events, event{*end, src})
				}
			}
		}
		slices.SortFunc(events, func(x, y event) int { return x.at.Compare(y.at) })
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
			a.DropReason = w.dropCause(a, &Area{Key: a.Key, Best: best}, t)
			break
		}
	}
}

// ends returns, per person holding one of skills now, when they stop
// counting for it (nil: not foreseen).
func (w *world) ends(skills []string) []*time.Time {
	idx := map[int]int{}
	var out []*time.Time
	for _, h := range w.holdings {
		if !slices.Contains(skills, h.Skill) || (h.Until != nil && !h.Until.After(w.at)) {
			continue
		}
		if i, ok := idx[h.UserID]; ok {
			out[i] = later(out[i], h.Until)
			continue
		}
		idx[h.UserID] = len(out)
		out = append(out, h.Until)
	}
	return out
}

// dropCause says why an area stops qualifying at t: its state then and who
// stops counting at that moment.
func (w *world) dropCause(now, later *Area, t time.Time) string {
	var who []string
	seen := map[int]bool{}
	sa := w.areaByKey(now.Key)
	for _, h := range w.holdings {
		if h.Until == nil || !h.Until.Equal(t) || seen[h.UserID] {
			continue
		}
		if slices.Contains(sa.IntermediateSkills, h.Skill) || slices.Contains(sa.AdvancedSkills, h.Skill) {
			seen[h.UserID] = true
			who = append(who, h.Skill)
		}
	}
	cause := later.Best.Explain()
	if len(who) > 0 {
		slices.Sort(who)
		cause += fmt.Sprintf(" (%d certification(s) stop counting: %s)", len(who), strings.Join(slices.Compact(who), ", "))
	}
	return cause
}

func (w *world) areaByKey(key string) *ent.SolutionArea {
	for _, a := range w.areas {
		if a.Key == key {
			return a
		}
	}
	return nil
}

// Areas returns the viewer's organization's solution areas now.
func (s *Service) Areas(ctx context.Context, v *viewer.Viewer) ([]*Area, error) {
	if err := progress.Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	return s.OrgAreas(ctx, v.OrgID)
}

// OrgAreas scores organization orgID's solution areas now, for no viewer in
// particular: the value a live feed shares among the organization's
// subscribers, each authorized when it subscribes.
func (s *Service) OrgAreas(ctx context.Context, orgID int) ([]*Area, error) {
	return Compute(viewer.System(ctx), s.Client, s.counts(), orgID, s.Progress.Engine.Time(), s.horizon(), nil)
}

// WhatIf is a hypothetical change for the solution areas: progress's
// scenario (people leaving, planned certifications), ingested values set, and
// a later moment to score at (certifications expiring by then).
type WhatIf struct {
	progress.Scenario
	Metrics MetricOverrides
	// At, when set, scores at that later moment (at most the horizon ahead).
	At *time.Time
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
	var out []*Area
	err := s.Progress.InScenario(ctx, v, wi.Scenario, func(ctx context.Context, c *ent.Client, orgID int, at time.Time) error {
		var err error
		if wi.At == nil || !wi.At.After(at) {
			out, err = Compute(ctx, c, s.counts(), orgID, at, s.horizon(), wi.Metrics)
			return err
		}
		w, err := readWorld(ctx, c, s.counts(), orgID, at)
		if err != nil {
			return err
		}
		w.override = wi.Metrics
		out = w.score(*wi.At)
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
