package limitdb_test

import (
	"testing"
	"time"

	"certlink/internal/guard"
	"certlink/internal/limitdb"
	"certlink/internal/testenv"
)

// A restart with a lower --rate-limit holds an account back one period at
// most. The process before it leased points a chunk of its capacity at a
// time (5% of 1,000,000 for three requests); read with the new capacity that
// level was nine hours of points (an outside review: locked out for 9 hours,
// for 69 days after a lowering to 30).
func TestLoweredRateLimitHoldsBackOnePeriodAtMost(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		lim := &limitdb.DB{Client: testenv.Open(t, d).DB.Client, RowLocks: d == testenv.MySQL}
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		before := &guard.Buckets{Capacity: 1_000_000, Period: time.Hour, Now: clock, Shared: lim}
		for range 3 {
			if q := before.Take("user:7", 1); !q.Allowed {
				t.Fatalf("under the old limit: %+v", q)
			}
		}
		after := &guard.Buckets{Capacity: 5000, Period: time.Hour, Now: clock, Shared: lim}
		if w := after.Wait("user:7", 1); w > time.Second {
			t.Fatalf("a point under the new limit is %s away", w)
		}
		now = now.Add(time.Hour)
		if q := after.Take("user:7", 4000); !q.Allowed {
			t.Fatalf("an hour after the restart, 4,000 of 5,000 points refused: %+v", q)
		}
	})
}
