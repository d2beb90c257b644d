// Package designation computes the Solutions Partner designations' partner
// capability score (issue 15): per solution area and track, each metric's
// points from its value and threshold, the area's score out of 100, whether it
// qualifies (score >= 70 and every metric above zero, the better track
// counting), the qualification window (at least one qualified day in the
// current month and the previous five full months), what-if and forecast.
//
// Skilling metrics count linked people exactly as competencies count them
// (linked, not deleted, result valid, skill inside its validity), read from
// the counts internal/counting keeps on write (kept.go, KeptCounts); the scan
// of results (scan.go, SQLCounts) is the tests' oracle. The other metrics are
// ingested per organization and month (ingest.go).
package designation

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"certlink/ent/schema/designation"
)

// QualifyingScore is the score an area needs (and every metric above zero).
const QualifyingScore = 70

// Reasons an area is not qualified.
const (
	ReasonQualified  = "QUALIFIED"
	ReasonBelow70    = "SCORE_BELOW_70"
	ReasonMetricZero = "METRIC_AT_ZERO"
	ReasonBoth       = "SCORE_BELOW_70_AND_METRIC_AT_ZERO"
)

// Inputs are the values an area is scored from: per metric key, the value
// (ingested metrics: the month's value; skilling metrics: people counted).
type Inputs map[string]float64

// MetricScore is one metric of one track.
type MetricScore struct {
	designation.Metric
	Value     float64
	Threshold float64
	// Points = Weight × min(Value/Threshold, 1), cut to two decimals.
	Points float64
	// Missing is what the metric lacks to its full weight (0 when reached).
	Missing float64
	// Month is the month ("YYYY-MM") an ingested value is from; "" when none
	// was sent (the value is then 0) or for skilling metrics.
	Month string
	// PeopleIDs are the people a skilling metric counts, by name.
	PeopleIDs []int
}

// CategoryScore sums a category's metrics.
type CategoryScore struct {
	Category  string
	MaxPoints int
	Points    float64
	Metrics   []*MetricScore
}

// TrackScore is an area scored with one track's thresholds.
type TrackScore struct {
	Key, Name  string
	Score      float64
	Qualified  bool
	Reason     string
	Categories []*CategoryScore
	// ZeroMetrics are the keys of metrics at zero points.
	ZeroMetrics []string
}

// points is weight × min(value/threshold, 1), cut to two decimals (never
// rounded up: 69.996 points do not qualify) so that sums compare exactly
// with 70.
func points(weight int, value, threshold float64) float64 {
	if value <= 0 || threshold <= 0 {
		return 0
	}
	p := float64(weight) * math.Min(value/threshold, 1)
	return math.Floor(p*100+1e-9) / 100
}

// ScoreTrack scores the metrics with t's thresholds.
func ScoreTrack(metrics []designation.Metric, t designation.Track, in Inputs) *TrackScore {
	ts := &TrackScore{Key: t.Key, Name: t.Name}
	for _, cat := range designation.Categories {
		cs := &CategoryScore{Category: cat}
		for _, m := range metrics {
			if m.Category != cat {
				continue
			}
			th := t.Thresholds[m.Key]
			v := in[m.Key]
			ms := &MetricScore{Metric: m, Value: v, Threshold: th, Points: points(m.Weight, v, th)}
			ms.Missing = math.Max(th-v, 0)
			cs.MaxPoints += m.Weight
			cs.Points += ms.Points
			if ms.Points <= 0 {
				ts.ZeroMetrics = append(ts.ZeroMetrics, m.Key)
			}
			cs.Metrics = append(cs.Metrics, ms)
		}
		cs.Points = math.Round(cs.Points*100) / 100
		ts.Score += cs.Points
		ts.Categories = append(ts.Categories, cs)
	}
	ts.Score = math.Round(ts.Score*100) / 100
	below, zero := ts.Score < QualifyingScore, len(ts.ZeroMetrics) > 0
	switch {
	case below && zero:
		ts.Reason = ReasonBoth
	case below:
		ts.Reason = ReasonBelow70
	case zero:
		ts.Reason = ReasonMetricZero
	default:
		ts.Reason, ts.Qualified = ReasonQualified, true
	}
	return ts
}

// Best returns the track that counts: a qualified track before one that is
// not, then the higher score, then the catalog's order.
func Best(tracks []*TrackScore) *TrackScore {
	var best *TrackScore
	for _, t := range tracks {
		if best == nil || (t.Qualified && !best.Qualified) ||
			(t.Qualified == best.Qualified && t.Score > best.Score) {
			best = t
		}
	}
	return best
}

// Explain says in words why a track is or is not qualified, e.g.
// "62.5 points, below 70; at zero: Advanced certifications".
func (t *TrackScore) Explain() string {
	var parts []string
	if t.Score < QualifyingScore {
		parts = append(parts, fmt.Sprintf("%s points, below %d", formatPoints(t.Score), QualifyingScore))
	} else {
		parts = append(parts, fmt.Sprintf("%s points", formatPoints(t.Score)))
	}
	if len(t.ZeroMetrics) > 0 {
		var names []string
		for _, c := range t.Categories {
			for _, m := range c.Metrics {
				if slices.Contains(t.ZeroMetrics, m.Key) {
					names = append(names, m.Name)
				}
			}
		}
		parts = append(parts, "at zero: "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

func formatPoints(p float64) string {
	s := fmt.Sprintf("%.2f", p)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// maxValue bounds an ingested (or what-if) value.
const maxValue = 1e12
