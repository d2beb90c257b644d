package linking

import (
	"testing"
	"time"
)

func TestLimitsAllow(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	l := DefaultLimits
	cases := []struct {
		name      string
		starts    []time.Time
		next      time.Time // zero: allowed now
		remaining int
	}{
		{"never associated", nil, time.Time{}, 3},
		{"associated 10 days ago: cooldown", []time.Time{now.Add(-10 * day)}, now.Add(20 * day), 2},
		{"associated 30 days ago exactly: allowed", []time.Time{now.Add(-30 * day)}, time.Time{}, 2},
		{"two in the window, last long ago", []time.Time{now.Add(-200 * day), now.Add(-100 * day)}, time.Time{}, 1},
		{"three in the window: wait for the oldest to leave",
			[]time.Time{now.Add(-300 * day), now.Add(-200 * day), now.Add(-100 * day)}, now.Add(65 * day), 0},
		{"old associations do not count", []time.Time{now.Add(-800 * day), now.Add(-700 * day), now.Add(-400 * day)}, time.Time{}, 3},
		{"four in window, unordered", []time.Time{now.Add(-40 * day), now.Add(-340 * day), now.Add(-100 * day), now.Add(-200 * day)},
			now.Add(165 * day), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := l.Allow(c.starts, now)
			if !a.NextAllowedAt.Equal(c.next) || a.Remaining != c.remaining {
				t.Fatalf("got next=%v remaining=%d, want next=%v remaining=%d", a.NextAllowedAt, a.Remaining, c.next, c.remaining)
			}
			if a.Allowed(now) != c.next.IsZero() {
				t.Fatalf("Allowed(now)=%v disagrees with next=%v", a.Allowed(now), c.next)
			}
		})
	}
}

func TestLimitsConfigurable(t *testing.T) {
	now := time.Now()
	off := Limits{Cooldown: 0, PerYear: 1000}
	starts := []time.Time{now.Add(-time.Minute), now.Add(-2 * time.Minute)}
	if a := off.Allow(starts, now); !a.Allowed(now) || a.Remaining != 998 {
		t.Fatalf("cool-off off should allow at once: %+v", a)
	}
	one := Limits{Cooldown: time.Hour, PerYear: 1}
	if a := one.Allow([]time.Time{now.Add(-2 * time.Hour)}, now); a.Allowed(now) || a.Remaining != 0 {
		t.Fatalf("quota of one used up should refuse: %+v", a)
	}
}

// L6 counts over a rolling 12 months, not 365 days: they differ across a 29
// February (review). An association on 1 March 2027 at noon still counts on
// 29 February 2028 at 13:00, and stops counting on 1 March 2028 at noon; one
// on 29 February 2028 counts until 1 March 2029.
func TestLimitsCountTwelveMonths(t *testing.T) {
	one := Limits{PerYear: 1}
	start := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	now := time.Date(2028, 2, 29, 13, 0, 0, 0, time.UTC)
	a := one.Allow([]time.Time{start}, now)
	if a.Allowed(now) || a.Remaining != 0 || !a.NextAllowedAt.Equal(time.Date(2028, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("12 months less a day after: %+v", a)
	}
	if a := one.Allow([]time.Time{start}, time.Date(2028, 3, 1, 12, 0, 0, 0, time.UTC)); !a.Allowed(a.NextAllowedAt) || a.Remaining != 1 {
		t.Fatalf("12 months after: %+v", a)
	}
	leap := time.Date(2028, 2, 29, 9, 0, 0, 0, time.UTC)
	if a := one.Allow([]time.Time{leap}, time.Date(2029, 2, 28, 10, 0, 0, 0, time.UTC)); !a.NextAllowedAt.Equal(time.Date(2029, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("a start on 29 February: %+v", a)
	}
}
