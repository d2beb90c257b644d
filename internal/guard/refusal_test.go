package guard

import (
	"context"
	"testing"
	"time"
)

// TestRetryAtIsWhenTheRequestIsServed: a refusal's retryAt, written to the
// second, is at or after the moment the points are back — a request sent at
// retryAt is served (an outside review: retryAt cut down to the second, and
// a request sent at it refused again), and it is the points' wait, not the
// bucket's full reset.
func TestRetryAtIsWhenTheRequestIsServed(t *testing.T) {
	for _, frac := range []time.Duration{0, 1, 450 * time.Millisecond, 999 * time.Millisecond} {
		now := time.Date(2026, 12, 6, 2, 17, 43, 0, time.UTC).Add(frac)
		b := &Buckets{Capacity: 60, Period: time.Hour, Now: func() time.Time { return now }}
		for b.Take("k", 1).Allowed {
		}
		q := b.Take("k", 1)
		_, ext := rateRefusal(context.Background(), b, "k", q, 1, 1)
		at, err := time.Parse(time.RFC3339, ext["retryAt"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if wait := at.Sub(now); wait > time.Minute+time.Second || ext["retryAfterSeconds"].(int) > 61 {
			t.Fatalf("+%s: retryAt %s is %s away (a point takes a minute)", frac, at, wait)
		}
		now = at
		if !b.Take("k", 1).Allowed {
			t.Fatalf("+%s: refused again at retryAt %s", frac, at)
		}
	}
}
