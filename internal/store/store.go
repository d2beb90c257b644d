// Package store opens certlink's database — an embedded SQLite file (modernc,
// pure Go) or MySQL/MariaDB — brings its schema up to date and runs
// transactions that retry on the transient failures of concurrent writers.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"certlink/ent"
	_ "certlink/ent/runtime"
	"certlink/internal/counting" // wires the privacy policies and defaults
)

// DB is an open database with its ent client.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.MySQL
	// Embedded is true for the SQLite file.
	Embedded bool
}

// Open opens dsn: a "mysql://user:pass@host:port/name" URL, or a file path
// (SQLite; "file:" URLs are accepted too).
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var (
		db   *sql.DB
		dial string
		err  error
	)
	switch {
	case strings.HasPrefix(dsn, "mysql://"):
		cfg, perr := MySQLConfig(dsn)
		if perr != nil {
			return nil, perr
		}
		dial = dialect.MySQL
		db, err = sql.Open("mysql", cfg.FormatDSN())
		if err == nil {
			db.SetMaxOpenConns(50)
			db.SetMaxIdleConns(25)
			db.SetConnMaxLifetime(30 * time.Minute)
		}
	default:
		dial = dialect.SQLite
		db, err = sql.Open("sqlite", sqliteDSN(dsn))
		if err == nil {
			// One writer at a time is SQLite's nature; readers share WAL. A
			// modest pool keeps readers concurrent while _txlock=immediate
			// queues writers instead of failing them with SQLITE_BUSY.
			db.SetMaxOpenConns(8)
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
	for _, w := range o.wrap {
		drv = w(drv)
	}
	d := &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dial, Embedded: dial == dialect.SQLite}
	// Progress reads kept counts; every writer keeps them (issue 13).
	d.Client.Use(counting.Hook(dial))
	if d.Embedded {
		writeLocks.Store(d.Client, &sync.Mutex{})
	}
	return d, nil
}

// MySQLConfig turns a mysql:// URL into the driver's configuration.
func MySQLConfig(raw string) (*mysql.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return nil, fmt.Errorf("--db: want mysql://user:pass@host:3306/name, got %q", redact(raw))
	}
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	cfg.DBName = strings.Trim(u.Path, "/")
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	for k, v := range u.Query() {
		cfg.Params[k] = v[0]
	}
	return cfg, nil
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
	writeLocks.Delete(d.Client)
	return d.Client.Close()
}
