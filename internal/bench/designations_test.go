package bench_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"certlink/internal/bench"
)

// The bench times solutionAreas in both organizations, with areas that
// qualify (so the forecast runs), and the scan it replaced; it fails when a
// skilling value differs from the hand-written SQL. Nothing here is timed.
func TestBenchSolutionAreas(t *testing.T) {
	cfg := bench.Config{People: 60, Results: 300, SmallPeople: 20, CSVRows: 0, Runs: 2, CSVRuns: 1, AreasRuns: 2, Clients: 1,
		Linking: 100 * time.Millisecond, Out: io.Discard}
	res, err := bench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	line := res.Line()
	for _, k := range []string{"solution_areas_p50_ms=", "solution_areas_p99_ms=", "solution_areas_small_p50_ms=",
		"solution_areas_small_p99_ms=", "solution_areas_growth=", "solution_areas_scan_p50_ms="} {
		if !strings.Contains(line, k) {
			t.Errorf("the result line lacks %s: %s", k, line)
		}
	}
	for _, f := range res.Fields {
		if f.Name == "solution_areas_qualified" && f.Value == "0" {
			t.Errorf("no area qualifies in the bench's organization: the forecast is not measured (%s)", line)
		}
	}
}
