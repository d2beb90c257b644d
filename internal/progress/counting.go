package progress

import (
	"time"

	"certlink/internal/counting"
)

// CountsUntil is when a result stops counting (C3): its expiry or its skill's
// validity end, whichever comes first; nil when neither is set. It is the
// statement's countingUntil for one result, for code that holds the result
// already (the skills report's rows); TestCountsUntilMatchesSQL holds the two
// together.
func CountsUntil(expiresAt, validUntil *time.Time) *time.Time {
	return counting.Until(expiresAt, validUntil)
}

// CountsAt reports whether a result, of a person linked to the organization,
// counts at the moment at: completed by then and not past CountsUntil (the
// statement's countingWhere).
func CountsAt(completedAt time.Time, expiresAt, validUntil *time.Time, at time.Time) bool {
	if completedAt.After(at) {
		return false
	}
	until := CountsUntil(expiresAt, validUntil)
	return until == nil || until.After(at)
}
