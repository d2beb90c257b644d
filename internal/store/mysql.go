package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MySQLConfig turns a mysql:// URL into the driver's configuration for its
// first host (see MySQLConfigs for every host).
func MySQLConfig(raw string) (*mysql.Config, error) {
	cfgs, err := MySQLConfigs(raw)
	if err != nil {
		return nil, err
	}
	return cfgs[0], nil
}

// MySQLConfigs turns a mysql:// URL into one driver configuration per host:
// mysql://user:pass@host1:3306,host2:3306/name?param=value. The query string
// takes the driver's options (timeout, tls, …) by their names; any other
// parameter is a session variable set on every connection (e.g.
// wsrep_sync_wait=0 to turn causal reads off on a Galera cluster).
//
// Whatever the URL says, statements are sent with their parameters
// interpolated (interpolateParams=true): with server-side prepared statements a
// transaction that a Galera cluster aborts (a conflicting replicated write) was
// seen to roll back while every later statement and the COMMIT answered OK —
// "OK, nothing stored" (README "Scaling past one machine").
func MySQLConfigs(raw string) ([]*mysql.Config, error) {
	bad := fmt.Errorf("--db: want mysql://user:pass@host:3306/name (several hosts: host1:3306,host2:3306), got %q", redact(raw))
	rest, ok := strings.CutPrefix(raw, "mysql://")
	if !ok {
		return nil, bad
	}
	// url.Parse rejects a comma-separated host list: cut the hosts out first.
	authority, path, _ := strings.Cut(rest, "/")
	userinfo, hostlist := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hostlist = authority[:i], authority[i+1:]
	}
	hosts := strings.Split(hostlist, ",")
	first := hosts[0]
	if userinfo != "" {
		userinfo += "@"
	}
	u, err := url.Parse("mysql://" + userinfo + first + "/" + path)
	if err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return nil, bad
	}
	query := u.Query()
	// Validate the driver options the URL gives (unknown names become session variables).
	base := "tcp(" + u.Host + ")/" + strings.Trim(u.Path, "/")
	if len(query) > 0 {
		base += "?" + query.Encode()
	}
	parsed, err := mysql.ParseDSN(base)
	if err != nil {
		return nil, fmt.Errorf("--db: %v", err)
	}
	var out []*mysql.Config
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if h == "" || strings.ContainsAny(h, "/?@") {
			return nil, bad
		}
		if _, port, err := net.SplitHostPort(h); err != nil || port == "" {
			h = net.JoinHostPort(strings.Trim(h, "[]"), "3306")
		}
		cfg := parsed.Clone()
		cfg.Net = "tcp"
		cfg.Addr = h
		if u.User != nil {
			cfg.User = u.User.Username()
			cfg.Passwd, _ = u.User.Password()
		}
		cfg.ParseTime = true
		cfg.Loc = time.UTC
		cfg.Collation = "utf8mb4_unicode_ci"
		cfg.InterpolateParams = true
		// A guarded transaction's opening (autocommit, isolation, savepoint)
		// and its RELEASE SAVEPOINT and COMMIT each go in one round trip (a
		// batch the server stops at its first error). Only those constant
		// batches use it: every statement with parameters is one statement,
		// its values escaped by the driver.
		cfg.MultiStatements = true
		// Times are sent as text (interpolated), and Go's carry nanoseconds:
		// MariaDB cannot turn '…:36.214793392' into a DATETIME(6) bound
		// without loss, so it reads the whole index range instead of the
		// slice the bound names (a progress read at 100,000 people went from
		// 6 ms to 180 ms). The columns hold microseconds; so do the bounds.
		if err := cfg.Apply(mysql.TimeTruncate(time.Microsecond)); err != nil {
			return nil, err
		}
		if !query.Has("timeout") {
			// A host that does not answer is skipped for the next one in seconds,
			// not after the operating system's minutes-long connect timeout.
			cfg.Timeout = 3 * time.Second
		}
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params["time_zone"] = "'+00:00'"
		out = append(out, cfg)
	}
	return out, nil
}

// hostConnector connects to the first host of a list that is ready to serve:
// it answers, and on a Galera cluster it is a synced member of the primary
// component (wsrep_ready). It starts from the host that answered last, so a
// process stays on one node while that node serves and moves when it stops.
type hostConnector struct {
	hosts []driver.Connector
	addrs []string
	// causal sets wsrep_sync_wait=1 on Galera connections (the URL did not
	// choose): a read waits until the node has applied every write the
	// cluster committed before it, so a write through one process is seen by
	// the next request through another (read-your-writes).
	causal    bool
	preferred atomic.Int32
}

func newHostConnector(cfgs []*mysql.Config) (*hostConnector, error) {
	c := &hostConnector{causal: true}
	for _, cfg := range cfgs {
		if _, ok := cfg.Params["wsrep_sync_wait"]; ok {
			c.causal = false
		}
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, fmt.Errorf("--db: %v", err)
		}
		c.hosts = append(c.hosts, conn)
		c.addrs = append(c.addrs, cfg.Addr)
	}
	return c, nil
}

func (c *hostConnector) Driver() driver.Driver { return &mysql.MySQLDriver{} }

func (c *hostConnector) Connect(ctx context.Context) (driver.Conn, error) {
	start := int(c.preferred.Load())
	var errs []error
	for i := range c.hosts {
		idx := (start + i) % len(c.hosts)
		conn, err := c.hosts[idx].Connect(ctx)
		if err == nil {
			err = c.prepare(ctx, conn)
			if err != nil {
				conn.Close()
			}
		}
		if err == nil {
			if idx != start {
				c.preferred.Store(int32(idx))
			}
			return &watchedConn{Conn: conn, owner: c, host: idx}, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", c.addrs[idx], err))
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, &noHostError{errors.Join(errs...)}
}

// noHostError is every host of the list failing to connect.
type noHostError struct{ err error }

func (e *noHostError) Error() string { return "no database host is available: " + e.err.Error() }
func (e *noHostError) Unwrap() error { return e.err }

// errNotReady is a Galera node that is not a synced member of the primary
// component: it would answer every statement with error 1047.
var errNotReady = errors.New("the Galera node is not ready (wsrep_ready is OFF)")

// prepare checks a new connection's node and sets causal reads on Galera.
func (c *hostConnector) prepare(ctx context.Context, conn driver.Conn) error {
	on, err := showValue(ctx, conn, "SHOW VARIABLES LIKE 'wsrep_on'")
	if err != nil {
		return err
	}
	if on != "ON" {
		return nil // not a Galera node (MySQL, MariaDB without a cluster)
	}
	ready, err := showValue(ctx, conn, "SHOW STATUS LIKE 'wsrep_ready'")
	if err != nil {
		return err
	}
	if ready != "ON" {
		return errNotReady
	}
	if c.causal {
		_, err := conn.(driver.ExecerContext).ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1", nil)
		return err
	}
	return nil
}

// showValue runs a SHOW … LIKE returning (name, value) rows: the first value, or "".
func showValue(ctx context.Context, conn driver.Conn, query string) (string, error) {
	rows, err := conn.(driver.QueryerContext).QueryContext(ctx, query, nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(dest); err != nil {
		if err == io.EOF {
			return "", nil
		}
		return "", err
	}
	switch v := dest[len(dest)-1].(type) {
	case []byte:
		return string(v), nil
	case string:
		return v, nil
	}
	return fmt.Sprint(dest[len(dest)-1]), nil
}

// watchedConn is a driver connection that leaves the pool after an error
// saying its node cannot serve (a node that left the cluster or is shutting
// down, a broken connection), and makes the next connection start from
// another host.
type watchedConn struct {
	driver.Conn
	owner *hostConnector
	host  int
	bad   atomic.Bool
	// A guarded transaction's state (database/sql uses a connection from one
	// goroutine at a time): autocommit left off after it, and whether one runs.
	autocommitOff, inTx bool
}

func (w *watchedConn) watch(err error) error {
	if err != nil && nodeLost(err) {
		w.bad.Store(true)
		w.owner.preferred.CompareAndSwap(int32(w.host), int32((w.host+1)%len(w.owner.hosts)))
	}
	return err
}

// nodeLost reports errors after which this connection's node should not be
// used again: not a member of the primary component (1047), shutting down
// (1053, 1317 query interrupted, 1927 connection killed), connection lost;
// and a COMMIT (or a streaming replication fragment) the node could not
// replicate because it left the primary component (1180 "Error while
// appending streaming replication fragment (provider status: Not connected
// to Primary Component)", seen by a review while a node rejoined): the
// transaction is rolled back, the node is the cause.
func nodeLost(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1047, 1053, 1317, 1927, 2006, 2013, 4031:
			return true
		case 1180:
			return strings.Contains(me.Message, "Primary Component") || strings.Contains(me.Message, "wsrep")
		}
		return false
	}
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isNetErr(err)
}

func isNetErr(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false // the caller's deadline (context's error is a net.Error too), not the database
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe)
}

func (w *watchedConn) IsValid() bool {
	if w.bad.Load() {
		return false
	}
	if v, ok := w.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (w *watchedConn) ResetSession(ctx context.Context) error {
	if w.bad.Load() {
		return driver.ErrBadConn
	}
	if r, ok := w.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (w *watchedConn) Ping(ctx context.Context) error {
	return w.watch(w.Conn.(driver.Pinger).Ping(ctx))
}

// BeginTx starts a guarded transaction. A transaction the server ends on its
// own — a Galera cluster aborting it for a conflicting replicated write (a
// "brute force" abort), an InnoDB deadlock whose error a statement did not
// deliver — must never have its remaining statements committed one by one.
// Seen on a 3-node cluster: a MOVED_OUT event stored without its link's end,
// the UPDATE rolled back and the INSERT after it committed on its own. So:
//
//   - autocommit is off for the transaction's life (and after it, until the
//     connection's next statement outside a transaction): a statement the
//     server runs after such an abort opens a new implicit transaction
//     instead of committing at once;
//   - a savepoint marks the transaction this connection began: COMMIT runs
//     only after RELEASE SAVEPOINT succeeds, and a savepoint does not survive
//     its transaction. When it is gone the server ended the transaction:
//     the rest is rolled back and the caller gets ErrSilentRollback, which
//     store.InTx retries like a deadlock.
//
// A schema migration's transaction (WithDDL) is not guarded: DDL commits
// implicitly on MySQL-compatible servers, so its savepoint would be gone.
func (w *watchedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if ddl, _ := ctx.Value(ddlKey{}).(bool); ddl {
		if err := w.autocommit(ctx); err != nil {
			return nil, err
		}
		tx, err := w.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
		if err != nil {
			return nil, w.watch(err)
		}
		w.inTx = true
		return &watchedTx{Tx: tx, conn: w, unguarded: true}, nil
	}
	// One round trip opens it: autocommit off (when a statement outside a
	// transaction turned it back on), the isolation level, READ ONLY, and the
	// savepoint, which with autocommit off begins the transaction.
	batch := make([]string, 0, 4)
	if !w.autocommitOff {
		batch = append(batch, "SET autocommit = 0")
	}
	if level, ok := isolationLevels[sql.IsolationLevel(opts.Isolation)]; ok {
		batch = append(batch, "SET TRANSACTION ISOLATION LEVEL "+level)
	} else if opts.Isolation != driver.IsolationLevel(sql.LevelDefault) {
		return nil, fmt.Errorf("store: isolation level %v is not supported", sql.IsolationLevel(opts.Isolation))
	}
	if opts.ReadOnly {
		batch = append(batch, "START TRANSACTION READ ONLY")
	}
	batch = append(batch, "SAVEPOINT "+txMark)
	exec := w.Conn.(driver.ExecerContext)
	// Whatever part of the batch ran, autocommit is turned on again before
	// the next statement outside a transaction.
	w.autocommitOff = true
	if _, err := exec.ExecContext(ctx, strings.Join(batch, "; "), nil); err != nil {
		_, _ = exec.ExecContext(context.Background(), "ROLLBACK", nil)
		return nil, w.watch(err)
	}
	w.inTx = true
	return &watchedTx{Tx: ownTx{exec}, conn: w}, nil
}

var isolationLevels = map[sql.IsolationLevel]string{
	sql.LevelReadUncommitted: "READ UNCOMMITTED",
	sql.LevelReadCommitted:   "READ COMMITTED",
	sql.LevelRepeatableRead:  "REPEATABLE READ",
	sql.LevelSerializable:    "SERIALIZABLE",
}

// ownTx ends a transaction that BeginTx opened without START TRANSACTION.
type ownTx struct{ exec driver.ExecerContext }

func (t ownTx) Commit() error {
	_, err := t.exec.ExecContext(context.Background(), "COMMIT", nil)
	return err
}

func (t ownTx) Rollback() error {
	_, err := t.exec.ExecContext(context.Background(), "ROLLBACK", nil)
	return err
}

type ddlKey struct{}

// WithDDL marks ctx for a transaction that changes the schema (DDL): it is
// not guarded by a savepoint, since DDL commits implicitly.
func WithDDL(ctx context.Context) context.Context { return context.WithValue(ctx, ddlKey{}, true) }

// txMark names the savepoint that marks a guarded transaction.
const txMark = "certlink_tx"

// ErrSilentRollback is a transaction the database ended on its own without
// telling the statement that followed (its savepoint was gone at COMMIT):
// nothing of it was committed and it is safe to run again.
var ErrSilentRollback = errors.New("the database rolled the transaction back on its own (a conflicting write on another node): nothing was saved")

// autocommit turns autocommit back on before a statement outside a
// transaction, when a guarded transaction left it off; when that fails the
// connection's state is unknown and it leaves the pool.
func (w *watchedConn) autocommit(ctx context.Context) error {
	if !w.autocommitOff || w.inTx {
		return nil
	}
	if _, err := w.Conn.(driver.ExecerContext).ExecContext(ctx, "SET autocommit = 1", nil); err != nil {
		w.bad.Store(true)
		w.watch(err)
		return driver.ErrBadConn // nothing ran: database/sql retries on another connection
	}
	w.autocommitOff = false
	return nil
}

func (w *watchedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	send := query
	restore := w.autocommitOff && !w.inTx && readOnly(query)
	if restore {
		// A read goes in the same round trip as turning autocommit back on
		// (a batch: the server stops at the first error, and the answer is
		// the read's). Should it fail, autocommit is turned on again before
		// the next statement, as if it had not been sent.
		send = "SET autocommit = 1; " + query
	} else if err := w.autocommit(ctx); err != nil {
		return nil, err
	}
	rows, err := w.Conn.(driver.QueryerContext).QueryContext(ctx, send, args)
	if restore && err == nil {
		w.autocommitOff = false
	}
	if err = w.watch(err); err != nil && w.bad.Load() && readOnly(query) && ctx.Err() == nil {
		// A read on a connection whose node is gone changed nothing: tell
		// database/sql, which runs it again on a new connection (to the next
		// host) when it is not inside a transaction; inside one, store.InTx
		// runs the whole transaction again.
		return nil, driver.ErrBadConn
	}
	return rows, err
}

// readOnly reports a statement that cannot have changed anything.
func readOnly(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) >= 6 && (strings.EqualFold(q[:6], "SELECT") || strings.EqualFold(q[:4], "SHOW"))
}

func (w *watchedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := w.autocommit(ctx); err != nil {
		return nil, err
	}
	res, err := w.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	return res, w.watch(err)
}

func (w *watchedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := w.autocommit(ctx); err != nil {
		return nil, err
	}
	st, err := w.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	return st, w.watch(err)
}

func (w *watchedConn) CheckNamedValue(nv *driver.NamedValue) error {
	return w.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

type watchedTx struct {
	driver.Tx
	conn      *watchedConn
	unguarded bool // a schema migration's transaction (WithDDL)
}

func (t *watchedTx) Commit() error {
	defer func() { t.conn.inTx = false }()
	if t.unguarded {
		return t.commit()
	}
	// One round trip: the server runs COMMIT only when RELEASE SAVEPOINT
	// succeeded (a batch stops at its first error).
	exec := t.conn.Conn.(driver.ExecerContext)
	_, err := exec.ExecContext(context.Background(), "RELEASE SAVEPOINT "+txMark+"; COMMIT", nil)
	if err == nil {
		return nil
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		t.conn.watch(err)
		// The batch was sent and its answer lost: the transaction may or may
		// not have committed. Say so; it must not be retried blindly.
		return &CommitUnknownError{err}
	}
	// The server answered with an error: either the savepoint was gone and
	// COMMIT never ran, or COMMIT itself failed. Nothing was committed.
	_ = t.Tx.Rollback()
	if me.Number == 1305 { // SAVEPOINT does not exist
		slog.Warn("the database ended a transaction on its own; nothing of it was committed, it runs again", "host", t.conn.owner.addrs[t.conn.host])
		return ErrSilentRollback
	}
	return t.conn.watch(err)
}

func (t *watchedTx) commit() error {
	err := t.Tx.Commit()
	var me *mysql.MySQLError
	if err != nil && nodeLost(err) && !errors.As(err, &me) {
		t.conn.watch(err)
		// The COMMIT was sent and its answer lost: the transaction may or may
		// not have committed. Say so; it must not be retried blindly.
		return &CommitUnknownError{err}
	}
	return t.conn.watch(err)
}

func (t *watchedTx) Rollback() error {
	defer func() { t.conn.inTx = false }()
	return t.conn.watch(t.Tx.Rollback())
}

// CommitUnknownError is a COMMIT whose answer was lost with the connection.
type CommitUnknownError struct{ Err error }

func (e *CommitUnknownError) Error() string {
	return "the database connection was lost during COMMIT (outcome unknown): " + e.Err.Error()
}
func (e *CommitUnknownError) Unwrap() error { return e.Err }
