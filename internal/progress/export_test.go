package progress

import (
	"context"
	"time"

	"certlink/ent"
)

// CountingUntilSQL is countingUntil, for the external tests.
const CountingUntilSQL = countingUntil

// OracleCompute is Compute from scratch (the statements of query.go), the
// oracle of the kept state; the catalog is read from the database, not the
// engine's cache.
func (e *Engine) OracleCompute(ctx context.Context, c *ent.Client, orgID int, at time.Time) (*Org, error) {
	return e.compute(ctx, c, orgID, at, nil, oracleSource{fresh: true})
}

// OraclePeople is People from scratch.
func (e *Engine) OraclePeople(ctx context.Context, c *ent.Client, orgID, requirementID int, at time.Time) ([]int, error) {
	return e.oraclePeople(ctx, c, orgID, requirementID, at)
}

// OracleLapsing is Lapsing from scratch.
func (e *Engine) OracleLapsing(ctx context.Context, c *ent.Client, orgID, requirementID int, at, by time.Time, limit int) ([]Lapse, error) {
	return e.oracleLapsing(ctx, c, orgID, requirementID, at, by, limit)
}

// ComputeSettling is Compute as Service.Progress does it: the tallies it
// finds carrying more lapsed spans than SetSettleAfter's number are settled.
func (e *Engine) ComputeSettling(ctx context.Context, c *ent.Client, orgID int, at time.Time) (*Org, error) {
	var settle []tallyRead
	org, err := e.compute(ctx, c, orgID, at, nil, keptSource{settle: &settle})
	if err == nil {
		settleTallies(ctx, c, settle)
	}
	return org, err
}

// SetSettleAfter changes how many lapsed spans a tally carries before a read
// settles it, until the returned function restores it.
func SetSettleAfter(n int) func() {
	old := settleAfter
	settleAfter = n
	return func() { settleAfter = old }
}
