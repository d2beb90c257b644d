package store

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// writeQueue is SQLite's single writer slot. Every write — a transaction
// (BEGIN IMMEDIATE makes each one a writer) or a statement that writes outside
// one — waits its turn here, first come first served: a goroutine blocked on
// a channel send is woken in arrival order, so a bulk ingest that writes batch
// after batch lets a sign-in that arrived meanwhile in after its current
// batch. Without it, writers outside the queue polled SQLite's busy handler
// and lost to the queued ones for its whole timeout (10 s), then failed.
type writeQueue struct{ slot chan struct{} }

func newWriteQueue() *writeQueue { return &writeQueue{slot: make(chan struct{}, 1)} }

// queueWait bounds the wait for the slot: a writer that waited this long goes
// on without it and meets SQLite's own busy timeout, as before the queue, so
// a write issued outside its transaction by code holding the slot fails
// instead of hanging.
const queueWait = 20 * time.Second

// acquire takes the slot; the release function gives it back (once).
func (q *writeQueue) acquire(ctx context.Context) (func(), error) {
	t := time.NewTimer(queueWait)
	defer t.Stop()
	select {
	case q.slot <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-q.slot }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		slog.Warn("sqlite write queue: went on without the writer slot", "waited", queueWait)
		return func() {}, nil
	}
}

// writes reports whether a statement sent with Query may write (SQLite
// inserts go through Query: INSERT … RETURNING).
func writes(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) > 7 {
		q = q[:7]
	}
	q = strings.ToUpper(q)
	for _, p := range []string{"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"} {
		if strings.HasPrefix(q, p) {
			return true
		}
	}
	return false
}

// queuedDriver puts SQLite's writers in the write queue.
type queuedDriver struct {
	dialect.Driver
	q *writeQueue
}

func (d *queuedDriver) Exec(ctx context.Context, query string, args, v any) error {
	release, err := d.q.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *queuedDriver) Query(ctx context.Context, query string, args, v any) error {
	if !writes(query) {
		return d.Driver.Query(ctx, query, args, v)
	}
	release, err := d.q.acquire(ctx)
	if err != nil {
		return err
	}
	if err := d.Driver.Query(ctx, query, args, v); err != nil {
		release()
		return err
	}
	// The statement (INSERT … RETURNING) ends when its rows are closed.
	if rows, ok := v.(*entsql.Rows); ok && rows.ColumnScanner != nil {
		rows.ColumnScanner = &releasingRows{ColumnScanner: rows.ColumnScanner, release: release}
		return nil
	}
	release()
	return nil
}

type releasingRows struct {
	entsql.ColumnScanner
	release func()
}

func (r *releasingRows) Close() error {
	defer r.release()
	return r.ColumnScanner.Close()
}

func (d *queuedDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	ex, ok := d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: driver %T has no ExecContext", d.Driver)
	}
	release, err := d.q.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return ex.ExecContext(ctx, query, args...)
}

func (d *queuedDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	q, ok := d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: driver %T has no QueryContext", d.Driver)
	}
	if writes(query) {
		release, err := d.q.acquire(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	return q.QueryContext(ctx, query, args...)
}

func (d *queuedDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	release, err := d.q.acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		release()
		return nil, err
	}
	return &queuedTx{Tx: tx, release: release}, nil
}

// BeginTx is Tx: SQLite transactions are serializable whatever isolation is
// asked (a rehearsal asks READ COMMITTED for MySQL), and the queue orders
// the writers. A read-only transaction (ReadSnapshot) is no writer: it
// begins deferred (the driver's BEGIN without IMMEDIATE) and does not queue.
func (d *queuedDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	if opts != nil && opts.ReadOnly {
		b, ok := d.Driver.(interface {
			BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
		})
		if !ok {
			return nil, fmt.Errorf("store: driver %T has no BeginTx", d.Driver)
		}
		return b.BeginTx(ctx, opts)
	}
	return d.Tx(ctx)
}

// queuedTx gives the slot back when it ends.
type queuedTx struct {
	dialect.Tx
	release func()
}

func (t *queuedTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *queuedTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}

func (t *queuedTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	ex, ok := t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: transaction %T has no ExecContext", t.Tx)
	}
	return ex.ExecContext(ctx, query, args...)
}

func (t *queuedTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	q, ok := t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: transaction %T has no QueryContext", t.Tx)
	}
	return q.QueryContext(ctx, query, args...)
}
