// Package linking holds the rules of associating certification profiles with
// work accounts (SPEC L2–L8). It knows nothing of GraphQL or HTTP.
package linking

import (
	"time"
)

// Limits is the L6 anti-abuse policy: at most PerYear new associations of one
// MCID in any rolling 12 months, and at least Cooldown between two of them.
type Limits struct {
	Cooldown time.Duration
	PerYear  int
}

// DefaultLimits are the real system's numbers.
var DefaultLimits = Limits{Cooldown: 30 * 24 * time.Hour, PerYear: 3}

// Window is at least the rolling period PerYear counts over: 12 months
// (yearLater), at most 366 days.
const Window = 366 * 24 * time.Hour

// yearLater is 12 months after t, in UTC: the moment an association started
// at t stops counting towards PerYear (SPEC L6, "rolling 12 months"; a
// review noted that 365 days differ from it across a 29 February). A start
// on 29 February stops counting on 1 March.
func yearLater(t time.Time) time.Time { return t.UTC().AddDate(1, 0, 0) }

// Allowance is what L6 allows for one MCID at a moment.
type Allowance struct {
	// NextAllowedAt is the earliest moment a new association may start; zero
	// when one may start now.
	NextAllowedAt time.Time
	// Remaining is how many new associations are left in the rolling window now.
	Remaining int
	// Never is true for a work account that has associated no account of
	// this kind yet: the allowance is a fresh one's, no MCID's in particular.
	Never bool
}

// Allowed reports whether a new association may start at now.
func (a Allowance) Allowed(now time.Time) bool {
	return a.NextAllowedAt.IsZero() || !now.Before(a.NextAllowedAt)
}

// Allow computes L6 for an MCID whose earlier associations (those that used
// quota) started at starts, in any order.
func (l Limits) Allow(starts []time.Time, now time.Time) Allowance {
	var (
		inWindow []time.Time
		latest   time.Time
	)
	for _, s := range starts {
		if s.After(latest) {
			latest = s
		}
		if now.Before(yearLater(s)) {
			inWindow = append(inWindow, s)
		}
	}
	a := Allowance{Remaining: max(l.PerYear-len(inWindow), 0)}
	var next time.Time
	if l.Cooldown > 0 && !latest.IsZero() {
		if c := latest.Add(l.Cooldown); c.After(now) {
			next = c
		}
	}
	if l.PerYear > 0 && len(inWindow) >= l.PerYear {
		// The quota frees up when the (len-PerYear+1)-th oldest start in the
		// window leaves it.
		sortTimes(inWindow)
		free := yearLater(inWindow[len(inWindow)-l.PerYear])
		if free.After(next) {
			next = free
		}
	} else if l.PerYear <= 0 {
		a.Remaining = 0
		next = now.Add(Window * 100) // never
	}
	a.NextAllowedAt = next
	return a
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
