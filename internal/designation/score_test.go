package designation

import (
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/schema/designation"
)

var testMetrics = []designation.Metric{
	{Key: "nca", Name: "Net customer adds", Category: designation.Performance, Source: designation.Ingested, Weight: 10},
	{Key: "int", Name: "Intermediate certifications", Category: designation.Skilling, Source: designation.IntermediateCertifications, Weight: 20},
	{Key: "adv", Name: "Advanced certifications", Category: designation.Skilling, Source: designation.AdvancedCertifications, Weight: 20},
	{Key: "use", Name: "Usage growth", Category: designation.CustomerSuccess, Source: designation.Ingested, Weight: 25},
	{Key: "dep", Name: "Deployments", Category: designation.CustomerSuccess, Source: designation.Ingested, Weight: 25},
}

var testTrack = designation.Track{Key: "standard", Name: "Standard",
	Thresholds: map[string]float64{"nca": 3, "int": 4, "adv": 2, "use": 25000, "dep": 10}}

// Full points at the threshold, the proportional part below it, no more
// above it; qualified = score >= 70 and every metric above zero.
func TestScoreTrack(t *testing.T) {
	for _, c := range []struct {
		name      string
		in        Inputs
		score     float64
		reason    string
		qualified bool
	}{
		{"everything at threshold", Inputs{"nca": 3, "int": 4, "adv": 2, "use": 25000, "dep": 10}, 100, ReasonQualified, true},
		{"above thresholds counts no more", Inputs{"nca": 30, "int": 40, "adv": 20, "use": 1e9, "dep": 100}, 100, ReasonQualified, true},
		{"exactly 70", Inputs{"nca": 3, "int": 2, "adv": 1, "use": 25000, "dep": 6}, 70, ReasonQualified, true},
		{"69.99 is below", Inputs{"nca": 3, "int": 2, "adv": 1, "use": 24996, "dep": 6}, 69.99, ReasonBelow70, false},
		{"65 with a metric at zero", Inputs{"nca": 4, "int": 1, "use": 31500, "dep": 12}, 65, ReasonBoth, false},
		{"75 with a metric at zero", Inputs{"nca": 4, "int": 4, "use": 31500, "dep": 12}, 80, ReasonMetricZero, false},
		{"below 70, every metric above zero", Inputs{"nca": 1, "int": 1, "adv": 1, "use": 1000, "dep": 1}, 3.33 + 5 + 10 + 1 + 2.5, ReasonBelow70, false},
		{"nothing", Inputs{}, 0, ReasonBoth, false},
	} {
		got := ScoreTrack(testMetrics, testTrack, c.in)
		if got.Score != c.score || got.Reason != c.reason || got.Qualified != c.qualified {
			t.Errorf("%s: score %v reason %s qualified %v; want %v %s %v (%s)", c.name, got.Score, got.Reason, got.Qualified,
				c.score, c.reason, c.qualified, got.Explain())
		}
	}
}

// Every metric's points, category sums, missing and the words.
func TestScoreTrackDetail(t *testing.T) {
	got := ScoreTrack(testMetrics, testTrack, Inputs{"nca": 4, "int": 1, "use": 12500, "dep": 12})
	want := map[string][2]float64{"nca": {10, 0}, "int": {5, 3}, "adv": {0, 2}, "use": {12.5, 12500}, "dep": {25, 0}}
	for _, c := range got.Categories {
		sum := 0.0
		for _, m := range c.Metrics {
			if w := want[m.Key]; m.Points != w[0] || m.Missing != w[1] {
				t.Errorf("%s: points %v missing %v, want %v", m.Key, m.Points, m.Missing, w)
			}
			sum += m.Points
		}
		if sum != c.Points {
			t.Errorf("%s: %v points, metrics add up to %v", c.Category, c.Points, sum)
		}
	}
	if got.Categories[1].MaxPoints != 40 || got.Explain() != "52.5 points, below 70; at zero: Advanced certifications" {
		t.Errorf("skilling max %d, explain %q", got.Categories[1].MaxPoints, got.Explain())
	}
}

// The better track counts: a qualified one before a higher score that is not.
func TestBestTrack(t *testing.T) {
	smb := designation.Track{Key: "smb", Thresholds: map[string]float64{"nca": 10, "int": 3, "adv": 1, "use": 300, "dep": 12}}
	ent := designation.Track{Key: "enterprise", Thresholds: map[string]float64{"nca": 5, "int": 8, "adv": 2, "use": 1000, "dep": 6}}
	in := Inputs{"nca": 5, "int": 3, "adv": 1, "use": 300, "dep": 6}
	e, s := ScoreTrack(testMetrics, ent, in), ScoreTrack(testMetrics, smb, in)
	if b := Best([]*TrackScore{e, s}); b.Key != "smb" || !b.Qualified {
		t.Fatalf("best %s (%v %v); enterprise %v smb %v", b.Key, b.Score, b.Qualified, e.Score, s.Score)
	}
	q := &TrackScore{Key: "q", Score: 70, Qualified: true}
	hi := &TrackScore{Key: "hi", Score: 95, Reason: ReasonMetricZero}
	if b := Best([]*TrackScore{hi, q}); b.Key != "q" {
		t.Fatalf("a qualified track counts before a higher score that is not, got %s", b.Key)
	}
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// The window: this month and the five full months before it; it holds a
// qualified day until the end of the fifth month after it.
func TestWindow(t *testing.T) {
	opens, closes := WindowBounds(date("2026-12-03").Add(15 * time.Hour))
	if !opens.Equal(date("2026-07-01")) || !closes.Equal(date("2026-12-31")) {
		t.Fatalf("window %v – %v", opens, closes)
	}
	opens, closes = WindowBounds(date("2027-02-28"))
	if !opens.Equal(date("2026-09-01")) || !closes.Equal(date("2027-02-28")) {
		t.Fatalf("window over a year end %v – %v", opens, closes)
	}
	if h := HoldsUntil(date("2026-03-15")); !h.Equal(date("2026-08-31")) {
		t.Fatalf("holds until %v", h)
	}
	// Brute force: a day is in the window of every day up to HoldsUntil, and
	// not the day after.
	for d := date("2025-01-01"); d.Before(date("2027-01-01")); d = d.AddDate(0, 0, 7) {
		h := HoldsUntil(d)
		for at := d; !at.After(h.AddDate(0, 0, 1)); at = at.AddDate(0, 0, 1) {
			o, c := WindowBounds(at)
			in := !d.Before(o) && !d.After(c)
			if in != !at.After(h) {
				t.Fatalf("day %v at %v: in window %v, holds until %v", d, at, in, h)
			}
		}
	}
	at := date("2026-12-03").Add(10 * time.Hour)
	rec := []*Day{
		{Day: date("2026-06-30"), Qualified: true}, // before the window
		{Day: date("2026-07-01"), Qualified: true},
		{Day: date("2026-07-02"), Qualified: false},
		{Day: date("2026-12-03"), Qualified: false},
	}
	w := window(at, rec, &TrackScore{Key: "standard", Score: 40, Reason: ReasonBelow70})
	if !w.Holds || w.QualifiedDays != 1 || !w.LastQualifiedOn.Equal(date("2026-07-01")) ||
		!w.HoldsUntil.Equal(date("2026-12-31")) || len(w.Days) != 4 || !w.Days[3].Live {
		t.Fatalf("window %+v", w)
	}
	w = window(at, rec[:1], nil)
	if w.Holds || w.QualifiedDays != 0 || w.HoldsUntil != nil {
		t.Fatalf("a day before the window does not count: %+v", w)
	}
	w = window(at, nil, &TrackScore{Key: "standard", Score: 80, Qualified: true})
	if !w.Holds || w.QualifiedDays != 1 || !w.LastQualifiedOn.Equal(date("2026-12-03")) {
		t.Fatalf("qualified now counts today: %+v", w)
	}
}

// A hostile caller's text is clipped when quoted back.
func TestEchoClips(t *testing.T) {
	long := strings.Repeat("x", 70_000)
	cv := &catalogView{areas: map[string]*ent.SolutionArea{}}
	if msg := cv.checkIngested(long, "m"); len(msg) > 200 {
		t.Fatalf("%d bytes quoted back", len(msg))
	}
	if echo("short") != "short" {
		t.Fatal("short text changed")
	}
}
