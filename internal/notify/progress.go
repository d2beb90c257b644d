// Package notify warns an organization's Global Admins and MPN Partner Admins
// when a met competency requirement becomes unmet or is projected to (N1), and
// delivers the mail through a transactional outbox (N2).
package notify

import (
	"context"
	"time"

	"certlink/ent"
)

// ProgressSource is the seam to the competency engine: the requirement states of
// an organization at a moment, computed from what c shows. c may be a
// transaction's client: at-risk detection calls it inside the transaction that
// ends a link, once before the change and once just before the commit, and
// compares the two. EngineProgress (the competency engine) is the one a running
// certlink uses; tests of notify's own logic may use a fake.
type ProgressSource interface {
	Requirements(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]RequirementState, error)
}

// RequirementState is one requirement of one option of one competency level.
type RequirementState struct {
	// Key identifies the requirement across two computations (e.g. the
	// requirement's id or its catalog key path); the names are for people.
	Key        string
	Competency string
	// CompetencyKey is the competency's catalog key: alerts link to it.
	CompetencyKey string
	Level         string // SILVER or GOLD
	Option        string
	Requirement   string // the requirement's description
	Required      int
	Current       int
	Met           bool
	// ProjectedUnmetAt is when the requirement would become unmet as results
	// expire and retired skills lose validity (C5, B2); nil when not projected.
	ProjectedUnmetAt *time.Time
	// ProjectedCause says what expires then, e.g. "AZ-104 of Alex Wilber expires".
	ProjectedCause string
	// AtRiskBefore is the anniversary of the offer purchased with this
	// requirement's option; nil outside a purchased option.
	AtRiskBefore *time.Time
	// AtRisk: its projected loss falls before that anniversary, which puts
	// the competency AT_RISK (C5, progress.Offer.FallsBefore) and is
	// announced then, however far ahead (N1), besides the notice thresholds.
	AtRisk bool
}

// ProgressFunc adapts a function to ProgressSource.
type ProgressFunc func(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]RequirementState, error)

// Requirements implements ProgressSource.
func (f ProgressFunc) Requirements(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]RequirementState, error) {
	return f(ctx, c, orgID, at)
}

// newlyUnmet returns the requirements met in before and unmet in after.
func newlyUnmet(before, after []RequirementState) []RequirementState {
	met := make(map[string]bool, len(before))
	for _, r := range before {
		if r.Met {
			met[r.Key] = true
		}
	}
	var out []RequirementState
	for _, r := range after {
		if met[r.Key] && !r.Met {
			out = append(out, r)
		}
	}
	return out
}
