package store

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Option adjusts how Open builds the database.
type Option func(*options)

type options struct {
	wrap     []func(dialect.Driver) dialect.Driver
	maxConns int
}

// MaxConns caps the database connections the process opens (0: the
// default, 50 for MySQL and 8 for SQLite). A request never holds one
// connection while waiting for another, so any cap down to 1 serves; the
// tests run with 1 to prove it.
func MaxConns(n int) Option {
	return func(o *options) { o.maxConns = n }
}

// WrapDriver wraps ent's driver before the client is built: tracing, query
// counting (QueryCounter) and the like. Wrappers apply in order.
func WrapDriver(w func(dialect.Driver) dialect.Driver) Option {
	return func(o *options) { o.wrap = append(o.wrap, w) }
}

// QueryCounter counts the statements sent through a wrapped driver: ent's
// queries, its transactions' statements and raw QueryContext/ExecContext alike.
// The bench uses it to show that a report page costs a fixed number of queries
// whatever its size (no N+1).
type QueryCounter struct {
	n     atomic.Int64
	trace atomic.Pointer[func(query string)]
}

// Count returns the statements counted so far.
func (c *QueryCounter) Count() int64 { return c.n.Load() }

// Trace has f hear every statement counted from now on (nil: stop), so that a
// test can say which statements an operation sent, not only how many.
func (c *QueryCounter) Trace(f func(query string)) {
	if f == nil {
		c.trace.Store(nil)
		return
	}
	c.trace.Store(&f)
}

func (c *QueryCounter) add(query string) {
	c.n.Add(1)
	if f := c.trace.Load(); f != nil {
		(*f)(query)
	}
}

// Option returns the store option that installs the counter.
func (c *QueryCounter) Option() Option {
	return WrapDriver(func(d dialect.Driver) dialect.Driver { return &countingDriver{Driver: d, n: c} })
}

type countingDriver struct {
	dialect.Driver
	n *QueryCounter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.n.add(query)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.n.add(query)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	d.n.add(query)
	ex, ok := d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: driver %T has no ExecContext", d.Driver)
	}
	return ex.ExecContext(ctx, query, args...)
}

func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.n.add(query)
	q, ok := d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: driver %T has no QueryContext", d.Driver)
	}
	return q.QueryContext(ctx, query, args...)
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, n: d.n}, nil
}

func (d *countingDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, n: d.n}, nil
}

type countingTx struct {
	dialect.Tx
	n *QueryCounter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.n.add(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.n.add(query)
	return t.Tx.Query(ctx, query, args, v)
}

func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.n.add(query)
	ex, ok := t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: transaction %T has no ExecContext", t.Tx)
	}
	return ex.ExecContext(ctx, query, args...)
}

func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.n.add(query)
	q, ok := t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("store: transaction %T has no QueryContext", t.Tx)
	}
	return q.QueryContext(ctx, query, args...)
}
