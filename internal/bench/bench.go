// Package bench is `certlink bench`: it builds a synthetic organization on a
// fresh database, starts certlink in-process on a loopback port and measures the
// product side by side with hand-written SQL on the same database (progress,
// the CSV report), linking under 32 concurrent clients, queries per report page
// and the memory of a large CSV download. It prints one name=value line at the
// end for scripts and the README.
package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"certlink/internal/app"
	"certlink/internal/store"
)

// Config is what the bench builds and how long it measures.
type Config struct {
	People int // people of the synthetic organization
	// SmallPeople is the size of a second, small organization (5 results per
	// person) whose progress is measured too: the cost of a read must not grow
	// with the organization (0 skips it).
	SmallPeople int
	Results     int    // their results
	DB          string // "" (a temp SQLite file) or mysql://user:pass@host:3306/ (a scratch database is made and dropped)
	CSVRows     int    // rows of the large CSV export (0 skips it)
	Runs        int    // runs per progress measurement
	CSVRuns     int    // runs per CSV measurement
	AreasRuns   int    // solutionAreas runs (0 skips them)
	Clients     int    // concurrent associate/remove clients
	Linking     time.Duration
	// CPUProfile, when set, is where a CPU profile of the second linking
	// phase (the association's own cost) is written.
	CPUProfile string
	// DBMaxConns is certlink's --db-max-conns (0: its default).
	DBMaxConns int
	// Keep leaves the database in place afterwards (to inspect or profile it).
	Keep bool
	// Out gets the report; Bar the progress bar (nil: none).
	Out io.Writer
	Bar io.Writer
}

// Defaults are the sizes.
func Defaults() Config {
	return Config{People: 10000, Results: 50000, SmallPeople: 1000, CSVRows: 1000000, Runs: 30, CSVRuns: 9, AreasRuns: 30, Clients: 32,
		Linking: 10 * time.Second, Out: os.Stdout, Bar: os.Stderr}
}

// Result holds the figures, in the order of the final line.
type Result struct {
	Dialect string
	Fields  []Field
}

// Field is one name=value of the final line.
type Field struct {
	Name  string
	Value string
}

func (r *Result) add(name string, format string, v any) {
	r.Fields = append(r.Fields, Field{name, fmt.Sprintf(format, v)})
}

// Line is the result as one line of name=value pairs.
func (r *Result) Line() string {
	parts := []string{"db=" + r.Dialect}
	for _, f := range r.Fields {
		parts = append(parts, f.Name+"="+f.Value)
	}
	return strings.Join(parts, " ")
}

// run is one bench run: its database, certlink and HTTP server.
type run struct {
	cfg     Config
	app     *app.App
	sql     *sql.DB
	base    string // http://127.0.0.1:port
	http    *http.Client
	queries *store.QueryCounter
	out     io.Writer
	small   *org // the SmallPeople organization, nil when skipped
	dir     *provenOnce
	probe   *client // the live measurement's person, nil when not built
}

// Run builds the data, measures and returns the figures.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.People < 1 || cfg.SmallPeople < 0 || cfg.Results < 0 || cfg.CSVRows < 0 || cfg.Runs < 1 || cfg.CSVRuns < 1 || cfg.AreasRuns < 0 || cfg.Clients < 1 {
		return nil, fmt.Errorf("bench: people, runs, csv-runs and clients must be positive; results, csv-rows and areas-runs not negative")
	}
	dsn, drop, err := scratchDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	if cfg.Keep {
		fmt.Fprintf(cfg.Out, "keeping the database: %s\n", dsn)
	} else {
		defer drop()
	}

	var ac app.Config
	ac.DB = dsn
	ac.Addr = "127.0.0.1:0"
	ac.DBMaxConns = cfg.DBMaxConns
	ac.Demo = "false"
	ac.AssociationCooldown = 0 // the bench links and unlinks one MCID many times
	ac.AssociationsPerYear = 1 << 30
	ac.RateLimit = 1 << 30 // the bench is not throttled
	ac.SessionTTL = 12 * time.Hour
	ac.OutboxInterval, ac.RiskCheckInterval, ac.RiskHorizon = time.Hour, time.Hour, 30*24*time.Hour
	ac.RequestTimeout = 5 * time.Minute
	ac.LogLevel, ac.LogFormat = "error", "text"
	r := &run{cfg: cfg, queries: &store.QueryCounter{}, out: cfg.Out}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, ac, log, r.queries.Option())
	if err != nil {
		return nil, err
	}
	defer a.Close()
	r.app, r.sql = a, a.DB.SQL
	r.dir = &provenOnce{inner: a.Linking.Directory}
	a.Linking.Directory = r.dir

	res := &Result{Dialect: a.DB.Dialect}
	fmt.Fprintf(r.out, "certlink bench on %s: %d people, %d results (and a %d-person organization), %d-row CSV, %d linking clients\n",
		a.DB.Dialect, cfg.People, cfg.Results, cfg.SmallPeople, cfg.CSVRows, cfg.Clients)

	orgs, linkers, err := r.seed(ctx)
	if err != nil {
		return nil, fmt.Errorf("building the organization: %w", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	r.base = "http://" + ln.Addr().String()
	r.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * cfg.Clients, MaxConnsPerHost: 4 * cfg.Clients}}

	for _, step := range []func(context.Context, *Result, []*org, []client) error{
		r.measureProgress, r.measureSolutionAreas, r.measureCSV, r.measureQueries, r.measureLinking, r.measureLive, r.measureLargeCSV,
	} {
		if err := step(ctx, res, orgs, linkers); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// seed builds the organization of the bench, the large export's organization
// and the linking clients, with a progress bar.
func (r *run) seed(ctx context.Context) ([]*org, []client, error) {
	csvPeople := 0
	s0, err := newSeeder(ctx, r.app.DB.Client, nil)
	if err != nil {
		return nil, nil, err
	}
	s0.dialect = r.app.DB.Dialect
	if r.cfg.CSVRows > 0 {
		csvPeople = (r.cfg.CSVRows + len(s0.skills) - 1) / len(s0.skills)
	}
	total := int64(r.cfg.People + r.cfg.Results + 6*r.cfg.SmallPeople + csvPeople + r.cfg.CSVRows)
	var bar *progressbar.ProgressBar
	if r.cfg.Bar != nil {
		bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(r.cfg.Bar),
			progressbar.OptionSetDescription(fmt.Sprintf("building the organization: %d people, %d results", r.cfg.People, r.cfg.Results)), progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("rows"), progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(30), progressbar.OptionOnCompletion(func() { fmt.Fprintln(r.cfg.Bar) }))
	}
	s0.tick = func(n int) {
		if bar != nil {
			_ = bar.Add(n)
		}
	}
	start := time.Now()
	main, err := s0.organization(ctx, "4199001", "Bench Partner Ltd", r.cfg.People, r.cfg.Results)
	if err != nil {
		return nil, nil, err
	}
	orgs := []*org{main}
	if r.cfg.SmallPeople > 0 {
		if bar != nil {
			bar.Describe(fmt.Sprintf("building the small organization: %d people, %d results", r.cfg.SmallPeople, 5*r.cfg.SmallPeople))
		}
		if r.small, err = s0.organization(ctx, "4199003", "Bench Small Partner Ltd", r.cfg.SmallPeople, 5*r.cfg.SmallPeople); err != nil {
			return nil, nil, err
		}
	}
	if r.cfg.CSVRows > 0 {
		if bar != nil {
			bar.Describe(fmt.Sprintf("building the large export: %d people, %d rows", csvPeople, r.cfg.CSVRows))
		}
		big, err := s0.organization(ctx, "4199002", "Bench Large Export Inc", csvPeople, r.cfg.CSVRows)
		if err != nil {
			return nil, nil, err
		}
		orgs = append(orgs, big)
	}
	if bar != nil {
		_ = bar.Finish()
	}
	linkers, err := s0.linkClients(ctx, main.ID, main.MpnID, r.cfg.Clients)
	if err != nil {
		return nil, nil, err
	}
	if r.probe, err = s0.probe(ctx, main.ID, main.MpnID); err != nil {
		return nil, nil, err
	}
	if err := analyze(ctx, r.sql, r.app.DB.Dialect); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(r.out, "built in %s\n", time.Since(start).Round(time.Millisecond))
	return orgs, linkers, nil
}

// analyze refreshes the planner's statistics after the bulk load, as a
// database that grew over time would have them.
func analyze(ctx context.Context, db *sql.DB, dialect string) error {
	if dialect == "sqlite3" {
		_, err := db.ExecContext(ctx, "ANALYZE")
		return err
	}
	_, err := db.ExecContext(ctx, "ANALYZE TABLE users, profiles, associations, results, skills, requirement_skills, legacy_recognitions, counting_spans, counting_tallies")
	return err
}

// scratchDB returns a fresh database and a function that removes it: a
// temporary SQLite file, or a new database on the MySQL server of a mysql:// URL.
func scratchDB(db string) (string, func(), error) {
	if db == "" {
		dir, err := os.MkdirTemp("", "certlink-bench-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}
	if !strings.HasPrefix(db, "mysql://") {
		if _, err := os.Stat(db); err == nil {
			return "", nil, fmt.Errorf("--db: %s exists; the bench builds a fresh database (give a new file, a mysql:// server URL, or nothing)", db)
		}
		return db, func() { os.Remove(db); os.Remove(db + "-wal"); os.Remove(db + "-shm") }, nil
	}
	base, prefix := db, "certlink_bench"
	if i := strings.Index(strings.TrimPrefix(db, "mysql://"), "/"); i >= 0 {
		base = db[:len("mysql://")+i]
		// A database name in the URL names the scratch database's prefix.
		if p, _, _ := strings.Cut(db[len("mysql://")+i+1:], "?"); p != "" {
			if !validPrefix(p) {
				return "", nil, fmt.Errorf("--db: the database name %q is a prefix for the scratch database: letters, digits and _ only, at most 40", p)
			}
			prefix = p
		}
	}
	cfg, err := store.MySQLConfig(base + "/mysql")
	if err != nil {
		return "", nil, err
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := prefix + "_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("creating the scratch database: %w", err)
	}
	return base + "/" + name, func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name)
		admin.Close()
	}, nil
}

// validPrefix reports whether p can start a database name unquoted.
func validPrefix(p string) bool {
	if len(p) > 40 {
		return false
	}
	for _, c := range p {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
