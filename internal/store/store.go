// Package store opens certlink's database — an embedded SQLite file (modernc,
// pure Go) or MySQL/MariaDB — brings its schema up to date and runs
// transactions that retry on the transient failures of concurrent writers.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"certlink/ent"
	_ "certlink/ent/runtime"
	"certlink/internal/catalogrev"
	"certlink/internal/counting" // wires the privacy policies and defaults
	"certlink/internal/results"
)

// DB is an open database with its ent client.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.MySQL
	// Embedded is true for the SQLite file.
	Embedded bool
	// connector opens MySQL connections outside SQL's pool (the migration
	// lock's, which must not take one of a one-connection pool).
	connector driver.Connector
}

// Open opens dsn: a "mysql://user:pass@host:port/name" URL — several hosts of
// a cluster comma-separated, each connection going to the first that is
// ready (MySQLConfigs, hostConnector) — or a file path (SQLite; "file:" URLs
// are accepted too).
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var (
		db        *sql.DB
		dial      string
		err       error
		connector driver.Connector
	)
	switch {
	case strings.HasPrefix(dsn, "mysql://"):
		cfgs, perr := MySQLConfigs(dsn)
		if perr != nil {
			return nil, perr
		}
		dial = dialect.MySQL
		conn, cerr := newHostConnector(cfgs)
		if cerr != nil {
			return nil, cerr
		}
		db, connector = sql.OpenDB(conn), conn
		db.SetMaxOpenConns(cmp.Or(o.maxConns, 50))
		db.SetMaxIdleConns(min(25, cmp.Or(o.maxConns, 50)))
		db.SetConnMaxLifetime(30 * time.Minute)
	default:
		dial = dialect.SQLite
		db, err = sql.Open("sqlite", sqliteDSN(dsn))
		if err == nil {
			// One writer at a time is SQLite's nature; readers share WAL. A
			// modest pool keeps readers concurrent while _txlock=immediate
			// queues writers instead of failing them with SQLITE_BUSY.
			db.SetMaxOpenConns(cmp.Or(o.maxConns, 8))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	var drv dialect.Driver = entsql.OpenDB(dial, db)
	if dial == dialect.SQLite {
		drv = &queuedDriver{Driver: drv, q: newWriteQueue()}
	}
	for _, w := range o.wrap {
		drv = w(drv)
	}
	d := &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dial, Embedded: dial == dialect.SQLite, connector: connector}
	// Progress reads kept counts; every writer keeps them (issue 13).
	d.Client.Use(counting.Hook(dial))
	// The skills report's row per (person, skill) follows its results' and
	// skills' dates.
	d.Client.Use(results.Hook(dial == dialect.MySQL))
	// Every catalog change records a revision: what caches the catalog
	// checks against (catalogrev).
	d.Client.Use(catalogrev.Hook())
	return d, nil
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return raw
}

// sqliteDSN adds the pragmas certlink relies on: foreign keys, a busy timeout,
// WAL, and immediate transactions so that concurrent writers wait their turn
// instead of failing (STACK-NOTES trap 10).
func sqliteDSN(path string) string {
	if !strings.HasPrefix(path, "file:") {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		path = "file:" + path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
}

// Close closes the database.
func (d *DB) Close() error {
	return d.Client.Close()
}
