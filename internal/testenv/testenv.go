// Package testenv starts a real certlink (database, services, HTTP handler) for a
// test, on SQLite or on MariaDB/MySQL, each test with its own fresh database.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	_ "github.com/go-sql-driver/mysql"

	"certlink/internal/app"
	"certlink/internal/gid"
	"certlink/internal/results"
	"certlink/internal/store"
)

// MySQLEnv names the environment variable holding the MariaDB/MySQL server URL
// for tests, e.g. mysql://root@127.0.0.1:3306/ (the test command sets it).
const MySQLEnv = "CERTLINK_TEST_MYSQL"

// Dialect is a database to run a test on.
type Dialect string

const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// Dialects lists the databases available to this test run: SQLite always,
// MySQL when CERTLINK_TEST_MYSQL is set.
// With CERTLINK_TEST_MYSQL_ONLY set (the Galera step of scripts/test), MySQL only.
func Dialects() []Dialect {
	if os.Getenv(MySQLEnv) != "" {
		if os.Getenv(MySQLEnv+"_ONLY") != "" {
			return []Dialect{MySQL}
		}
		return []Dialect{SQLite, MySQL}
	}
	return []Dialect{SQLite}
}

// Hosts is how many database hosts the MySQL URL names (3 on the Galera cluster).
func Hosts(dsn string) int { return len(splitHosts(dsn)) }

// OnHost returns dsn with its host list rotated to start at host k (mod the
// number of hosts): a process given it works on that node and fails over to
// the next ones. With one host, dsn itself.
func OnHost(dsn string, k int) string {
	hosts := splitHosts(dsn)
	if len(hosts) < 2 {
		return dsn
	}
	k %= len(hosts)
	rotated := append(append([]string{}, hosts[k:]...), hosts[:k]...)
	return strings.Replace(dsn, strings.Join(hosts, ","), strings.Join(rotated, ","), 1)
}

// OnlyHost returns dsn naming host k alone (no failover).
func OnlyHost(dsn string, k int) string {
	hosts := splitHosts(dsn)
	if len(hosts) < 2 {
		return dsn
	}
	return strings.Replace(dsn, strings.Join(hosts, ","), hosts[k%len(hosts)], 1)
}

func splitHosts(dsn string) []string {
	rest, ok := strings.CutPrefix(dsn, "mysql://")
	if !ok {
		return nil
	}
	authority, _, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = authority[i+1:]
	}
	return strings.Split(authority, ",")
}

// Each runs f as a subtest on every available database.
func Each(t *testing.T, f func(t *testing.T, d Dialect)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}

// DSN returns a fresh, empty database for the test and drops it afterwards.
func DSN(t testing.TB, d Dialect) string {
	t.Helper()
	if d == SQLite {
		return filepath.Join(t.TempDir(), "certlink.db")
	}
	base := os.Getenv(MySQLEnv)
	if base == "" {
		t.Skip(MySQLEnv + " is not set")
	}
	cfgs, err := store.MySQLConfigs(strings.TrimRight(base, "/") + "/mysql")
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "certlink_t_" + hex.EncodeToString(b)
	// On a cluster any host that answers will do (another test may have
	// stopped a node for a moment): the database is created cluster-wide.
	onAnyHost := func(stmt string) error {
		var errs []error
		for _, cfg := range cfgs {
			admin, err := sql.Open("mysql", cfg.FormatDSN())
			if err != nil {
				return err
			}
			_, err = admin.Exec(stmt)
			admin.Close()
			if err == nil {
				return nil
			}
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}
	if err := onAnyHost("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() { _ = onAnyHost("DROP DATABASE IF EXISTS " + name) })
	return strings.TrimRight(base, "/") + "/" + name
}

// Env is a running certlink for one test.
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	URL    string
	// Queries counts the SQL statements this certlink sent (Start only): a
	// request's shape, e.g. that two answers cost the same work.
	Queries *store.QueryCounter
}

// Option adjusts the configuration before start.
type Option func(*app.Config)

// Clock runs certlink on a test's clock: progress, reports, ingest and the
// demo's seeded dates (a test's fixed date never falls before the demo's).
func Clock(now func() time.Time) Option { return func(c *app.Config) { c.Now = now } }

// Start starts certlink with the demo seeded on a fresh database of dialect d.
func Start(t testing.TB, d Dialect, opts ...Option) *Env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	queries := &store.QueryCounter{}
	a := open(t, d, []store.Option{queries.Option()}, opts...)
	a.Start(ctx)
	srv := newServer(a)
	t.Cleanup(func() {
		srv.Close()
		cancel()
	})
	return &Env{T: t, App: a, Server: srv, URL: srv.URL, Queries: queries}
}

// Open builds certlink with the demo seeded on a fresh database of dialect d
// (or the one an option names), without starting its background workers: a
// process that stops before its workers ran, as after a crash.
func Open(t testing.TB, d Dialect, opts ...Option) *app.App {
	t.Helper()
	return open(t, d, nil, opts...)
}

func open(t testing.TB, d Dialect, storeOpts []store.Option, opts ...Option) *app.App {
	t.Helper()
	var cfg app.Config
	fs := newFlagSet()
	cfg.Flags(fs)
	_ = fs.Parse(nil)
	cfg.DB = DSN(t, d)
	cfg.Demo = "true"
	cfg.Addr = "127.0.0.1:0"
	// CERTLINK_TEST_DB_MAX_CONNS=1 runs every test on one database
	// connection: a request that held one while waiting for another would
	// hang there (bash .ci/run does one such pass).
	if n, err := strconv.Atoi(os.Getenv("CERTLINK_TEST_DB_MAX_CONNS")); err == nil {
		cfg.DBMaxConns = n
	}
	for _, o := range opts {
		o(&cfg)
	}
	return openConfig(t, cfg, storeOpts...)
}

// Second starts another certlink process on e's database (no demo seeding:
// the first one did), as a second server behind a load balancer would run.
func (e *Env) Second(opts ...Option) *Env {
	t := e.T
	t.Helper()
	cfg := e.App.Config
	cfg.Demo = "false"
	cfg.PublicURL = ""
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := openConfig(t, cfg)
	a.Start(ctx)
	srv := newServer(a)
	t.Cleanup(func() {
		srv.Close()
		cancel()
	})
	return &Env{T: t, App: a, Server: srv, URL: srv.URL}
}

// newServer serves a's handler with certlink's own server timeouts.
func newServer(a *app.App) *httptest.Server {
	srv := httptest.NewUnstartedServer(nil)
	// The address the server listens on is the one certlink was started
	// with (its own origin, --addr), as in production: not 127.0.0.1:0.
	if a.Config.Addr == "127.0.0.1:0" {
		if a.Config.PublicURL == "http://"+a.Config.Addr {
			a.Config.PublicURL = "http://" + srv.Listener.Addr().String()
		}
		a.Config.Addr = srv.Listener.Addr().String()
	}
	srv.Config.Handler = a.Handler()
	srv.Listener = a.Listener(srv.Listener)
	a.Configure(srv.Config, nil)
	srv.Start()
	return srv
}

func openConfig(t testing.TB, cfg app.Config, storeOpts ...store.Option) *app.App {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("CERTLINK_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a, err := app.New(context.Background(), cfg, log, storeOpts...)
	if err != nil {
		t.Fatalf("starting certlink: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	t.Cleanup(func() {
		// A test that closed this certlink itself (a crash) left nothing to check here.
		if a.DB.SQL.PingContext(context.Background()) == nil {
			CheckInvariants(t, a.DB.SQL)
		}
	})
	return a
}

// CheckInvariants fails the test when the database breaks a rule nothing may
// break, whatever the test did: the linking rule L5 (at most one active link
// per profile and per work account and kind, the unique-index columns agreeing
// with ended_at), and the facts the skills report reads without checking —
// each result's latest flag (results.MarkLatest), each link's organization
// being its work account's (the report walks an organization's people, then
// their links), and no result left on a profile merged into another (U4).
// Every test's certlink runs it at the end; tests of crashes and concurrency
// call it along the way.
func CheckInvariants(t testing.TB, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	if n, err := results.Misflagged(ctx, db); err != nil || n > 0 {
		t.Errorf("results with a wrong latest flag: %d %v", n, err)
	}
	for _, c := range []struct{ query, says string }{
		{`SELECT COUNT(*) FROM (SELECT profile_id FROM associations WHERE ended_at IS NULL
			GROUP BY profile_id HAVING COUNT(*) > 1) x`, "profiles with two active links"},
		{`SELECT COUNT(*) FROM (SELECT user_id FROM associations WHERE ended_at IS NULL
			GROUP BY user_id, kind HAVING COUNT(*) > 1) x`, "work accounts with two active links of a kind"},
		{`SELECT COUNT(*) FROM associations
			WHERE (ended_at IS NULL AND (active_profile_id IS NULL OR active_profile_id <> profile_id))
			   OR (ended_at IS NOT NULL AND active_profile_id IS NOT NULL)`, "links whose active_profile_id disagrees with ended_at"},
		{`SELECT COUNT(*) FROM associations a JOIN users u ON u.id = a.user_id
			WHERE u.organization_id IS NULL OR u.organization_id <> a.organization_id`,
			"links in another organization than their work account's"},
		{`SELECT COUNT(*) FROM results r JOIN profiles p ON p.id = r.profile_id WHERE p.merged_into_id IS NOT NULL`,
			"results on a merged profile, where no report shows them"},
	} {
		var n int
		if err := db.QueryRowContext(ctx, c.query).Scan(&n); err != nil || n > 0 {
			t.Errorf("%s: %d %v", c.says, n, err)
		}
	}
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions map[string]any `json:"extensions"`
	Status     int            `json:"-"`
	Header     http.Header    `json:"-"`
}

// Code returns the first error's extensions.code, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Refusal is the first error's code, and its extensions.reason after a
// slash when it has one ("FORBIDDEN/PASSWORD_CHANGE_REQUIRED").
func (r *Response) Refusal() string {
	if len(r.Errors) == 0 {
		return ""
	}
	if reason, _ := r.Errors[0].Extensions["reason"].(string); reason != "" {
		return r.Code() + "/" + reason
	}
	return r.Code()
}

// Decode unmarshals data into v, failing the test on errors.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
}

// Do posts a GraphQL request with an optional bearer token.
func (e *Env) Do(token, query string, vars map[string]any) *Response {
	e.T.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r Response
	if err := json.Unmarshal(raw, &r); err != nil {
		e.T.Fatalf("status %d, body %q: %v", res.StatusCode, raw, err)
	}
	r.Status, r.Header = res.StatusCode, res.Header
	return &r
}

// SignIn signs a work account in and returns its bearer token.
func (e *Env) SignIn(email, password string) string {
	e.T.Helper()
	r := e.Do("", `mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`,
		map[string]any{"e": email, "p": password})
	var out struct{ SignIn struct{ Token string } }
	r.Decode(e.T, &out)
	return out.SignIn.Token
}

// Demo signs a demo work account in.
func (e *Env) Demo(email string) string { return e.SignIn(email, "certlink-demo") }

// Get fetches a path with an optional bearer token.
func (e *Env) Get(token, path string) (*http.Response, []byte) {
	e.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out: "+msg, args...)
}

// ID is the API's ID of row id (internal/gid).
func (e *Env) ID(id int) string { return e.App.IDs.Encode(id) }

// RowID is the row of an ID the API gave; the test fails on one it could not
// have given.
func (e *Env) RowID(t testing.TB, id string) int {
	t.Helper()
	n, err := e.App.IDs.Decode(id)
	if err != nil {
		t.Fatalf("ID %q: %v", id, err)
	}
	return n
}

// Cursor is the API's cursor of row id and ordering value v, as the API would
// write it (its id encrypted, internal/gid).
func (e *Env) Cursor(id int, v any) string {
	var b strings.Builder
	ctx := gid.With(context.Background(), e.App.IDs)
	if err := gid.MarshalCursor(entgql.Cursor[int]{ID: id, Value: v}).MarshalGQLContext(ctx, &b); err != nil {
		panic(err)
	}
	return strings.Trim(b.String(), `"`)
}
