package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"certlink/graph"
	"certlink/internal/account"
	"certlink/internal/apitoken"
	"certlink/internal/auth"
	"certlink/internal/capability"
	"certlink/internal/catalog"
	"certlink/internal/demo"
	"certlink/internal/designation"
	"certlink/internal/domains"
	"certlink/internal/gid"
	"certlink/internal/guard"
	"certlink/internal/history"
	"certlink/internal/ingest"
	"certlink/internal/limitdb"
	"certlink/internal/linking"
	"certlink/internal/live"
	"certlink/internal/merge"
	"certlink/internal/metrics"
	"certlink/internal/notify"
	"certlink/internal/oidclogin"
	"certlink/internal/progress"
	"certlink/internal/report"
	"certlink/internal/socket"
	"certlink/internal/store"
	"certlink/internal/support"
	"certlink/internal/throttle"
	"certlink/internal/users"
	"certlink/internal/web"
)

// App is a running certlink: its database and services.
type App struct {
	Config   Config
	DB       *store.DB
	Accounts *account.Service
	Linking  *linking.Service
	// RateLimits meters API callers, per token or per IP (A4).
	RateLimits *guard.Buckets
	// AnswerMemory bounds the answer text held until clients take it.
	AnswerMemory *guard.Memory
	// QueryCache holds parsed and validated documents (GraphQL sets it).
	QueryCache *guard.Cache
	// Expensive bounds what-ifs, forecasts and ending impacts: per account and
	// in the process (A4).
	Expensive *guard.Expensive
	// Passwords runs every argon2id computation, a bounded number at once.
	Passwords *auth.Hasher
	// Domains are the organizations' verified email domains.
	Domains *domains.Service
	// Throttle meters attempts at passwords: sign-in, directory accounts,
	// the current password.
	Throttle *throttle.Limiter
	// SharedLimits are the buckets every process on the database shares:
	// Throttle's and RateLimits' (A4).
	SharedLimits *limitdb.DB
	// Competencies, progress, the skills report and ingest (SPEC C, S, L10).
	Catalog  *catalog.Service
	Progress *progress.Service
	Report   *report.Service
	Ingest   *ingest.Service
	Users    *users.Service
	History  *history.Service
	Inbox    *notify.Inbox
	Support  *support.Service
	Merge    *merge.Service
	Tokens   *apitoken.Service
	Outbox   *notify.Outbox
	Risk     *notify.Risk
	Periodic *notify.Periodic
	// Resolver tells admins when an announced risk resolved (N1).
	Resolver *notify.Resolver
	// OIDC is the OpenID Connect sign-in, nil unless --oidc-issuer is set.
	OIDC *oidclogin.Service
	// DirectoryOIDC is the OIDC certification directory, nil unless
	// --directory-oidc-issuer is set.
	DirectoryOIDC *oidclogin.Directory
	// RiskProgress computes requirement states for at-risk detection (N1).
	RiskProgress notify.ProgressSource
	// Capability is the capability score (the Skilling metric).
	Capability *capability.Service
	// Designations score the Solutions Partner designations (partner
	// capability score); MetricIngest stores their ingested metrics;
	// Daily records each day's qualification and warns (N1).
	Designations *designation.Service
	MetricIngest *designation.Ingest
	Daily        *designation.Daily
	// Live tells subscriptions that progress changed (B4).
	Live *live.Hub
	// Sockets are the open GraphQL websockets: their limits and sign-ins.
	Sockets *socket.Registry
	// Feeds share one live computation per organization among subscribers
	// (built with the GraphQL handler).
	Feeds *graph.Feeds
	// DemoSeeded is true when this start seeded the demo.
	DemoSeeded bool
	Log        *slog.Logger

	closers []func()
	// workers are the background workers Start ran (startLifecycle).
	workers sync.WaitGroup
	// decodeRoom bounds the memory large GraphQL bodies take decoding.
	decodeRoom *guard.Memory
	// jobs are this process's POST /ingest jobs (GET /ingest/jobs).
	jobs ingestJobs
	// downloads are the streamed downloads running (stream.go).
	downloads slots
	// ingests are the bulk ingests running (http_ingest.go).
	ingests slots
	// requests admits each caller's GraphQL requests a few at a time.
	requests queue
	// conns caps the HTTP connections (Listener).
	conns *web.ConnLimiter
	// IDs writes and reads the API's IDs: row IDs encrypted under this
	// installation's key (internal/gid).
	IDs *gid.Codec
}

// New opens the database, migrates it, seeds the demo when asked and builds the
// services. Store options (e.g. a query counter) adjust the database.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...store.Option) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DB, append([]store.Option{store.MaxConns(cfg.DBMaxConns)}, opts...)...)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: db, Log: log}
	metrics.WatchDB(db.SQL)
	// A User's own fields are read by the rule of work accounts however it was reached.
	db.Client.User.Intercept(graph.AccountReads())
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	key, err := db.InstanceKey(ctx, "graphql ids", gid.KeySize)
	if err == nil {
		a.IDs, err = gid.New(key)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	a.Passwords = auth.NewHasher(auth.DefaultConcurrency(), auth.DefaultQueue)
	// Fair between client addresses: a sign-in flood from one address waits
	// behind itself, not in front of everyone else's sign-ins.
	a.Passwords.Party = web.ClientKey
	// Every process on the database counts password attempts and API points
	// in the same buckets (A4): the table throttle_buckets (limitdb).
	a.SharedLimits = &limitdb.DB{Client: db.Client, RowLocks: !db.Embedded}
	a.Throttle = &throttle.Limiter{Shared: a.SharedLimits}
	a.Domains = &domains.Service{Client: db.Client}
	a.Accounts = &account.Service{
		Client: db.Client, SessionTTL: cfg.SessionTTL,
		Passwords: a.Passwords, Throttle: a.Throttle, Log: log,
	}
	a.RateLimits = &guard.Buckets{Capacity: float64(cfg.RateLimit), Period: time.Hour, Shared: a.SharedLimits}
	a.decodeRoom = &guard.Memory{Limit: decodeLimit}
	a.AnswerMemory = &guard.Memory{Limit: int64(cfg.AnswerMemoryMB) << 20, PerCaller: int64(cfg.AnswerMemoryMB) << 20 / 4}
	a.Expensive = guard.DefaultExpensive(a.RateLimits)
	a.Linking = &linking.Service{
		Client:    db.Client,
		Directory: linking.BuiltinDirectory{Client: db.Client, Passwords: a.Passwords},
		Throttle:  a.Throttle,
		Limits:    linking.Limits{Cooldown: cfg.AssociationCooldown, PerYear: cfg.AssociationsPerYear},
		RowLocks:  !db.Embedded,
	}
	if err := a.startCompetency(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.wireLive(); err != nil {
		db.Close()
		return nil, err
	}
	limits := socket.DefaultLimits
	limits.OperationTimeout = cfg.RequestTimeout
	if cfg.MaxConns > 0 {
		// One organization's signed-in sockets hold at most a tenth of the
		// process's connections (20 at the least).
		limits.MaxOrganizationSockets = max(20, cfg.MaxConns/10)
		// And all signed-in sockets together at most half: the rest is
		// for requests and new connections.
		limits.MaxSignedInSockets = max(1, cfg.MaxConns/2)
	}
	a.Sockets = socket.NewRegistry(limits, a.Accounts.Authenticate)
	a.watchSessions()
	if err := a.wireLifecycle(); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.wireOIDC(ctx); err != nil {
		db.Close()
		return nil, err
	}
	seedAt := time.Now()
	if cfg.Now != nil {
		a.SetClock(cfg.Now)
		seedAt = cfg.Now()
	}
	if cfg.SeedDemo(db.Embedded) {
		seeded, err := demo.SeedAt(ctx, db.Client, seedAt)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("seeding the demo: %w", err)
		}
		a.DemoSeeded = seeded
	}
	return a, nil
}

// closeWait bounds Close's wait for the workers (each stops at its next
// step once its context ended).
const closeWait = 10 * time.Second

// Start runs the background workers until ctx ends.
func (a *App) Start(ctx context.Context) {
	a.startLifecycle(ctx)
}

// Close releases the database after the workers stopped: it waits for them
// (their context ended) up to closeWait, so that none writes to a database
// being closed (a test's temporary folder was removed under a worker's
// SQLite files).
func (a *App) Close() error {
	done := make(chan struct{})
	go func() { a.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeWait):
		a.Log.Warn("closing with background workers still running", "waited", closeWait)
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	return a.DB.Close()
}
