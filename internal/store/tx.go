package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"certlink/ent"
	"certlink/internal/apperr"
)

// writeLocks holds, for each SQLite client, the mutex its write transactions take.
var writeLocks sync.Map // *ent.Client → *sync.Mutex

// ErrRetry may be returned by a transaction body to ask for another attempt.
var ErrRetry = errors.New("store: retry")

// InTx runs fn in a transaction and commits it. Transient failures of concurrent
// writers — MySQL deadlocks and lock wait timeouts, SQLite busy, a unique
// constraint that a racing transaction just claimed — are retried with jitter;
// when they persist the caller gets a CONFLICT, never an internal error.
func InTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	const attempts = 8
	var last error
	for i := 0; i < attempts; i++ {
		err := once(ctx, client, fn)
		if err == nil {
			return nil
		}
		if _, ok := apperr.As(err); ok {
			return err
		}
		if !Transient(err) && !errors.Is(err, ErrRetry) {
			return err
		}
		last = err
		d := time.Duration(5+rand.IntN(20*(i+1))) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
	return apperr.New(apperr.Conflict, "Someone else changed this at the same moment. Please try again.").
		With("cause", fmt.Sprint(classify(last)))
}

func once(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) (err error) {
	if mu, ok := writeLocks.Load(client); ok {
		// SQLite has one writer at a time. Queueing writers here, in order, is
		// fairer and far cheaper than letting them poll the busy handler.
		m := mu.(*sync.Mutex)
		m.Lock()
		defer m.Unlock()
	}
	tx, err := client.Tx(ctx)
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
		case 1213:
			return "deadlock"
		case 1205:
			return "lock wait timeout"
		case 1062:
			return "unique"
		}
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
