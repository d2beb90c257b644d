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
// A rehearsal is a read: its transient failures (a deadlock with a
// concurrent ingest, a lock wait) are run again until its deadline, never
// answered CONFLICT, and on MySQL/MariaDB it reads committed rows (no gap
// locks).
func Rehearse(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	err := inTx(ctx, client, nil, func(tx *ent.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRehearsal
	}, rehearsing)
	if errors.Is(err, errRehearsal) {
		return nil
	}
	return err
}
