package bench_test

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"certlink/internal/bench"
)

// The bench runs end to end on a tiny organization and prints every figure the
// README quotes. Nothing here is timed: the figures' values are not checked.
// With CERTLINK_TEST_MYSQL it runs on that MySQL server too (a database name
// in the URL is the scratch database's prefix).
func TestBenchRunsSmall(t *testing.T) {
	dbs := []string{""}
	if u := os.Getenv("CERTLINK_TEST_MYSQL"); u != "" {
		dbs = append(dbs, u)
	}
	for _, db := range dbs {
		name := "sqlite"
		if db != "" {
			name = "mysql"
		}
		t.Run(name, func(t *testing.T) { benchRunsSmall(t, db) })
	}
}

func benchRunsSmall(t *testing.T, db string) {
	cfg := bench.Config{People: 40, Results: 200, SmallPeople: 10, CSVRows: 600, Runs: 2, CSVRuns: 1, AreasRuns: 1, Clients: 2,
		Linking: 200 * time.Millisecond, Out: io.Discard, DB: db}
	res, err := bench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	line := res.Line()
	for _, k := range []string{"ratio_progress=", "ratio_csv=", "csv_rows_per_s=", "progress_p50_ms=", "progress_p99_ms=",
		"progress_small_p50_ms=", "progress_growth=",
		"assoc_per_s=", "assoc_p99_ms=", "assoc_once_per_s=", "assoc_once_p99_ms=", "live_p50_ms=", "live_p99_ms=",
		"queries_per_page_10=", "queries_per_page_100=", "peak_rss_mb=", "large_csv_rows=600"} {
		if !strings.Contains(line, k) {
			t.Errorf("the result line lacks %s: %s", k, line)
		}
	}
	var q10, q100 string
	for _, f := range res.Fields {
		switch f.Name {
		case "queries_per_page_10":
			q10 = f.Value
		case "queries_per_page_100":
			q100 = f.Value
		case "assoc_failed", "assoc_once_failed":
			if f.Value != "0" {
				t.Errorf("%s associate/remove operations failed", f.Value)
			}
		}
	}
	if q10 != q100 {
		t.Errorf("a report page of 10 rows costs %s queries, of 100 rows %s: a query per row", q10, q100)
	}
}
