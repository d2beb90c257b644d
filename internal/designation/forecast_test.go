package designation

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/schema/designation"
)

// forecastBrute is the obvious forecast: rescore the area at every moment a
// holding ends, in order, and take the first that does not qualify.
func (w *world) forecastBrute(hs []Holding, a *Area, until time.Time) *time.Time {
	var moments []time.Time
	for _, h := range hs {
		if h.Until != nil && h.Until.After(w.at) && !h.Until.After(until) {
			moments = append(moments, *h.Until)
		}
	}
	slices.SortFunc(moments, func(x, y time.Time) int { return x.Compare(y) })
	for _, t := range moments {
		ar, err := w.scoreArea(context.Background(), w.areaByKey(a.Key), t)
		if err != nil {
			panic(err)
		}
		if !ar.Best.Qualified {
			return &t
		}
	}
	return nil
}

// lastOnly answers like the kept state: LastEnds gives only the latest k.
type lastOnly struct{ *scanSkilling }

func (l lastOnly) LastEnds(ctx context.Context, areaID, level, k int) (int, []time.Time, error) {
	f, ends, err := l.scanSkilling.LastEnds(ctx, areaID, level, k)
	if k >= 0 && len(ends) > k {
		ends = ends[len(ends)-k:]
	}
	return f, ends, err
}

// The walk over ends gives the brute force's drop on random worlds, reading
// every end or (as the kept state does) only the latest ⌈threshold⌉.
func TestForecastMatchesBruteForce(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	area := &ent.SolutionArea{Key: "a", Name: "A", IntermediateSkills: []string{"I1", "I2"}, AdvancedSkills: []string{"A1"},
		Metrics: testMetrics, Tracks: []designation.Track{testTrack,
			{Key: "small", Thresholds: map[string]float64{"nca": 2, "int": 2, "adv": 1, "use": 20000, "dep": 8}}}}
	rng := rand.New(rand.NewPCG(1, 2))
	drops := 0
	for round := range 300 {
		var hs []Holding
		people := 1 + rng.IntN(12)
		for p := range people {
			for _, sk := range []string{"I1", "I2", "A1", "X"} {
				if rng.IntN(3) != 0 {
					continue
				}
				var until *time.Time
				if rng.IntN(4) != 0 {
					u := at.Add(time.Duration(rng.IntN(400*24)) * time.Hour)
					if rng.IntN(5) == 0 {
						u = at.Add(time.Duration(rng.IntN(10)) * 24 * time.Hour).Truncate(24 * time.Hour) // shared ends
					}
					until = &u
				}
				hs = append(hs, Holding{Skill: sk, UserID: p + 1, Until: until})
			}
		}
		var sk Skilling = scanOf(at, []*ent.SolutionArea{area}, hs)
		if round%2 == 1 {
			sk = lastOnly{sk.(*scanSkilling)}
		}
		w := &world{areas: []*ent.SolutionArea{area}, skilling: sk, at: at, override: MetricOverrides{
			{AreaKey: "a", MetricKey: "nca", Value: float64(rng.IntN(5))},
			{AreaKey: "a", MetricKey: "use", Value: float64(rng.IntN(30000))},
			{AreaKey: "a", MetricKey: "dep", Value: float64(rng.IntN(12))}}}
		ctx := context.Background()
		areas, err := w.score(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		horizon := at.Add(365 * 24 * time.Hour)
		if err := w.forecast(ctx, areas, horizon); err != nil {
			t.Fatal(err)
		}
		got := areas[0].DropsOn
		var want *time.Time
		if areas[0].Qualified() {
			want = w.forecastBrute(hs, areas[0], horizon)
		}
		if (got == nil) != (want == nil) || (got != nil && !got.Equal(*want)) {
			t.Fatalf("round %d: drop %v, brute force %v (holdings %+v)", round, got, want, hs)
		}
		if want != nil {
			drops++
		}
	}
	if drops < 20 {
		t.Fatalf("only %d of 300 rounds drop: the test does not exercise the forecast", drops)
	}
}
