// Package clock is the one place services read the time: a test's clock when
// one is injected, else the wall clock — in UTC, to the microsecond, which is
// what both databases store, so a time written and read back compares equal.
package clock

import "time"

// Now returns f() (the wall clock when f is nil) in UTC, truncated to microseconds.
func Now(f func() time.Time) time.Time {
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}

// WaitBudget is how long a caller may wait for a turn (a password check, a
// throttle slot) and still finish its request: at most max, and no later than
// reserve before ctx's deadline, so the work after the wait does not run into
// the deadline. Never negative.
func WaitBudget(ctx interface{ Deadline() (time.Time, bool) }, max, reserve time.Duration) time.Duration {
	wait := max
	if d, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(d)-reserve)
	}
	return maxDuration(wait, 0)
}

func maxDuration(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
