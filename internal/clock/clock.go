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
