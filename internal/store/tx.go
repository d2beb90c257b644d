package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"certlink/ent"
	"certlink/internal/apperr"
)

// ErrRetry may be returned by a transaction body to ask for another attempt.
var ErrRetry = errors.New("store: retry")

// InTx runs fn in a transaction and commits it. Transient failures of concurrent
// writers — MySQL deadlocks and lock wait timeouts, a Galera certification
// failure (1213), SQLite busy, a unique constraint that a racing transaction
// just claimed — are retried with jitter; when they persist the caller gets a
// CONFLICT. A database host that cannot serve (a Galera node that left the
// cluster or is joining, a lost connection) is retried on the next host; when
// none can, the caller gets UNAVAILABLE. Never an internal error.
//
// fn runs again from the start on every attempt, in a new transaction: it
// must read everything it decides on inside tx, and leave nothing outside it.
// A COMMIT whose answer is lost is not retried (it may have committed): the
// caller gets UNAVAILABLE saying the outcome is unknown.
func InTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	return inTx(ctx, client, nil, fn, plain)
}

// InTxAfter is InTx with a step that runs before each attempt's transaction
// begins, outside it: typically a read of which rows the transaction must
// lock first. Read through client inside fn, it would hold a second
// connection while the transaction holds one, and with every connection of
// the pool so held the process would wait on itself. fn checks, under its
// locks, that what before read still holds (ErrRetry when not).
func InTxAfter(ctx context.Context, client *ent.Client, before func() error, fn func(tx *ent.Tx) error) error {
	return inTx(ctx, client, before, fn, plain)
}

// InTxAfterReadCommitted is InTxAfter at READ COMMITTED on MySQL/MariaDB
// (InTxReadCommitted): for transactions that hold their rows by key before
// they read, and whose locking reads must not lock the gaps beside them.
func InTxAfterReadCommitted(ctx context.Context, client *ent.Client, before func() error, fn func(tx *ent.Tx) error) error {
	return inTx(ctx, client, before, fn, readCommitted)
}

// InTxReadCommitted is InTx at READ COMMITTED on MySQL/MariaDB: no gap
// locks, so short transactions that lock by key the rows they read and
// create a missing one (the shared rate-limit buckets, limitdb) do not
// deadlock on the gaps between them. On SQLite it is InTx.
func InTxReadCommitted(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	return inTx(ctx, client, nil, fn, readCommitted)
}

// mode is how inTx runs a transaction.
type mode int

const (
	plain         mode = iota
	readCommitted      // at READ COMMITTED
	rehearsing         // at READ COMMITTED, rolled back, never CONFLICT (Rehearse)
)

// rehearsalAttempts bounds a rehearsal's attempts when its context has no
// deadline; with one, it runs again until the deadline.
const rehearsalAttempts = 200

// inTx is InTx; a rehearsal (a read, see Rehearse) is never answered
// CONFLICT: its transient failures are run again until its deadline, with a
// longer pause each time, and it reads committed rows (on MySQL/MariaDB: no
// gap locks, so no deadlock with an insert of a concurrent ingest).
func inTx(ctx context.Context, client *ent.Client, before func() error, fn func(tx *ent.Tx) error, m mode) error {
	rehearsal := m == rehearsing
	attempts := 10
	if rehearsal {
		attempts = rehearsalAttempts
	}
	var last error
	for i := 0; i < attempts; i++ {
		var err error
		if before != nil {
			err = before()
		}
		if err == nil {
			err = once(ctx, client, fn, m != plain)
		}
		if err == nil {
			return nil
		}
		if _, ok := apperr.As(err); ok {
			return err
		}
		if cu := (*CommitUnknownError)(nil); errors.As(err, &cu) {
			return apperr.New(apperr.Unavailable, "The database stopped answering while saving this change: it may or may not have been saved. Reload to check before trying again.").
				With("outcome", "UNKNOWN")
		}
		class := classify(err)
		if class == "" && !errors.Is(err, ErrRetry) {
			return err
		}
		last = err
		d := time.Duration(5+rand.IntN(20*(i+1))) * time.Millisecond
		if rehearsal {
			d = time.Duration(5+rand.IntN(20*min(i+1, 10))) * time.Millisecond
		}
		if class == "unavailable" {
			// Give a failing node's connections time to leave the pool and the
			// next host time to answer.
			d = time.Duration(50*(i+1)+rand.IntN(50)) * time.Millisecond
		}
		select {
		case <-ctx.Done():
			if class == "unavailable" {
				return unavailable(last)
			}
			return ctx.Err()
		case <-time.After(d):
		}
	}
	if classify(last) == "unavailable" {
		return unavailable(last)
	}
	if rehearsal {
		slog.Warn("a rehearsal (what-if) kept meeting concurrent writes", "class", classify(last), "attempts", attempts)
		return apperr.New(apperr.Unavailable, "The database is busy with changes to these records; nothing was changed. Please try again in a few seconds.")
	}
	return apperr.New(apperr.Conflict, "Someone else changed this at the same moment. Please try again.").
		With("cause", fmt.Sprint(classify(last)))
}

func unavailable(cause error) error {
	slog.Warn("database unavailable", "err", cause)
	return apperr.New(apperr.Unavailable, "The database is not available at the moment; nothing was changed. Please try again in a few seconds.")
}

// Unavailable reports whether err says the database cannot serve right now
// (every host down, a Galera node out of the cluster or joining, a lost
// connection): outside a transaction such an error is answered UNAVAILABLE.
func Unavailable(err error) bool { return classify(err) == "unavailable" }

// UnavailableError is the caller-facing answer for an error Unavailable reports.
func UnavailableError(err error) error { return unavailable(err) }

func once(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error, readCommitted bool) (err error) {
	// On SQLite the transaction waits in the write queue (queuedDriver): one
	// writer at a time, in arrival order. A rehearsal (what-if) on
	// MySQL/MariaDB reads committed rows.
	var opts *sql.TxOptions
	if readCommitted {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := client.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		// A commit hook (at-risk detection, N1) may fail before the database
		// commit: release the transaction. After a real commit this is a no-op.
		_ = tx.Rollback()
		return err
	}
	return nil
}

// Transient reports whether err is a concurrency failure worth retrying.
func Transient(err error) bool { return classify(err) != "" }

func classify(err error) string {
	if err == nil {
		return ""
	}
	if ent.IsConstraintError(err) && IsUniqueViolation(err) {
		return "unique"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1213: // deadlock, or a Galera certification failure
			return "deadlock"
		case 1205:
			return "lock wait timeout"
		case 1062:
			return "unique"
		case 1040, 1203: // too many connections: the server is full, not the request wrong
			return "unavailable"
		}
	}
	if errors.Is(err, ErrSilentRollback) {
		return "silent rollback"
	}
	var nh *noHostError
	if errors.Is(err, errNotReady) || errors.As(err, &nh) || nodeLost(err) {
		return "unavailable"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "SQLITE_BUSY"), strings.Contains(msg, "database is locked"):
		return "busy"
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "Duplicate entry"):
		return "unique"
	}
	return ""
}

// IsUniqueViolation reports whether err is a unique-index violation on either database.
func IsUniqueViolation(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1062 {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "Duplicate entry")
}

// Detached returns an entity written or read through a transaction's client,
// detached from the transaction: such an entity keeps querying through it, so
// an edge a GraphQL resolver loads after the commit fails with "sql:
// transaction has already been committed" (changePassword's user.organization
// did). Every service returning an entity it got inside InTx returns it
// through Detached, after a successful InTx.
func Detached[T interface{ Unwrap() T }](e T) T { return e.Unwrap() }

// ReadSnapshot runs fn on a read-only transaction, so that every statement
// fn sends sees the database at one moment: a reader that answers from
// several statements (kept counts, then the spans that lapsed since, then who
// counts) cannot mix a writer's before and after. MySQL/MariaDB: START
// TRANSACTION READ ONLY at REPEATABLE READ (one read view from the first
// read). SQLite: a deferred BEGIN outside the write queue (WAL keeps the
// first read's snapshot until the end). The transaction is rolled back: it
// wrote nothing. fn must read through the client it is given only.
func ReadSnapshot(ctx context.Context, client *ent.Client, fn func(c *ent.Client) error) error {
	tx, err := client.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx.Client())
}
