package store

import (
	"context"
	"errors"

	"certlink/ent"
)

// errRehearsal ends a rehearsal's transaction: InTx rolls back on any error.
var errRehearsal = errors.New("store: rehearsal rolled back")

// Rehearse runs fn in a transaction that is always rolled back, whatever fn
// does: what-if questions (B1) apply hypothetical changes and read the result
// through the same SQL as real progress, and nothing of it can ever commit.
// Commit hooks (at-risk detection, outbox wake-ups) never run, and nothing
// outside the database is told (callers must not call Changed callbacks).
// Transient failures are retried like InTx.
func Rehearse(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	err := InTx(ctx, client, func(tx *ent.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRehearsal
	})
	if errors.Is(err, errRehearsal) {
		return nil
	}
	return err
}
