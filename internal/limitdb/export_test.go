package limitdb

import (
	"context"
	"time"

	"certlink/ent/throttlebucket"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
)

// SettleInTx is Settle always by the transaction that reads the rows: the
// oracle of the one-statement release.
func (d *DB) SettleInTx(ctx context.Context, now time.Time, keys []throttle.Key, failures []float64) error {
	return d.settle(ctx, now, specsOf(keys), failures)
}

// StateOf is k's bucket at now: its level and the attempts in flight.
func (d *DB) StateOf(ctx context.Context, now time.Time, k throttle.Key) (level float64, flying int, err error) {
	s := specOf(k)
	b, err := d.Client.ThrottleBucket.Query().
		Where(throttlebucket.Rule(s.rule), throttlebucket.KeyHash(s.hash)).Only(viewer.System(ctx))
	if err != nil {
		return 0, 0, err
	}
	return s.level(b, now), inFlight(b, now), nil
}
