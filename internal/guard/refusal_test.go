package guard

import (
	"context"
	"strings"
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

// TestRefusalSaysTheDateWhenNotToday: a retry time on another day names
// the day (an outside review read "Try again after 20:50:05 UTC" for a
// moment 69 days away); today's says the time only.
func TestRefusalSaysTheDateWhenNotToday(t *testing.T) {
	now := time.Date(2026, 12, 6, 22, 30, 0, 0, time.UTC)
	b := &Buckets{Capacity: 10, Period: 24 * time.Hour, Now: func() time.Time { return now }}
	for b.Take("k", 1).Allowed {
	}
	msg, _ := rateRefusal(context.Background(), b, "k", b.Take("k", 5), 5, 5) // 12 hours away
	if !strings.Contains(msg, "December 7, 2026 10:30:00 UTC") {
		t.Fatalf("a retry tomorrow: %q", msg)
	}
	msg, _ = rateRefusal(context.Background(), b, "k", b.Take("k", 1), 1, 1) // 2.4 hours away, past midnight
	if !strings.Contains(msg, "December 7, 2026 00:54:00 UTC") {
		t.Fatalf("a retry after midnight: %q", msg)
	}
	now = time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	b = &Buckets{Capacity: 10, Period: 24 * time.Hour, Now: func() time.Time { return now }}
	for b.Take("k", 1).Allowed {
	}
	if msg, _ = rateRefusal(context.Background(), b, "k", b.Take("k", 1), 1, 1); !strings.Contains(msg, "after 10:24:00 UTC.") {
		t.Fatalf("a retry today: %q", msg)
	}
}
