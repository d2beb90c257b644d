package progress_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"certlink/internal/progress"
	"certlink/internal/testenv"
)

// TestCountsUntilMatchesSQL: CountsUntil and CountsAt, which the skills report
// applies to the rows it holds, agree with the statement that counts people
// (countingUntil, countingWhere) on every combination of set and unset,
// earlier and later dates, on both databases.
func TestCountsUntilMatchesSQL(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		ctx := context.Background()
		at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		dates := []*time.Time{nil}
		for _, off := range []time.Duration{-48 * time.Hour, -time.Microsecond, 0, time.Microsecond, 48 * time.Hour, 400 * 24 * time.Hour} {
			t := at.Add(off)
			dates = append(dates, &t)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 200; i++ {
			exp, valid := dates[rng.IntN(len(dates))], dates[rng.IntN(len(dates))]
			completed := at.Add(time.Duration(rng.IntN(5)-3) * time.Hour)
			q := `SELECT ` + progress.CountingUntilSQL + `, CASE WHEN r.completed_at <= ? AND (r.expires_at IS NULL OR r.expires_at > ?)
			  AND (s.valid_until IS NULL OR s.valid_until > ?) THEN 1 ELSE 0 END
			FROM (SELECT ? AS expires_at, ? AS completed_at) r, (SELECT ? AS valid_until) s`
			rows, err := a.DB.Client.QueryContext(ctx, q, at, at, at, arg(exp), completed, arg(valid))
			if err != nil {
				t.Fatal(err)
			}
			var until any
			var counts int
			if !rows.Next() {
				t.Fatal("no row")
			}
			if err := rows.Scan(&until, &counts); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			sqlUntil, err := progress.ScanTime(until)
			if err != nil {
				t.Fatal(err)
			}
			goUntil := progress.CountsUntil(exp, valid)
			if fmt.Sprint(deref(sqlUntil)) != fmt.Sprint(deref(goUntil)) {
				t.Fatalf("expires %v, valid until %v: SQL %v, Go %v", deref(exp), deref(valid), deref(sqlUntil), deref(goUntil))
			}
			if got := progress.CountsAt(completed, exp, valid, at); got != (counts == 1) {
				t.Fatalf("completed %v, expires %v, valid until %v: SQL counts %d, Go %v", completed, deref(exp), deref(valid), counts, got)
			}
		}
	})
}

func arg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func deref(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
