// Package app wires certlink together: configuration, database, services and the
// HTTP handler. server.go only parses flags and runs it.
package app

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"certlink/internal/guard"
	"certlink/internal/socket"
	"certlink/internal/web"
)

// Config is every setting; each is a flag and an environment variable.
type Config struct {
	Addr                string
	DB                  string
	Demo                string // "auto" (on for the embedded database), "true" or "false"
	AssociationCooldown time.Duration
	AssociationsPerYear int
	SMTPURL             string
	SMTPFrom            string
	Catalog             string
	CORSOrigins         string
	// TrustedProxies: CIDR prefixes of the load balancers in front; from
	// them X-Forwarded-For names the client (web.TrustedProxies).
	TrustedProxies   string
	SessionTTL       time.Duration
	PublicURL        string
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	// DirectoryOIDC* configure the OIDC certification directory (L3): people
	// prove they own a Learning / Partner University account by signing in there.
	DirectoryOIDCIssuer       string
	DirectoryOIDCClientID     string
	DirectoryOIDCClientSecret string
	OutboxInterval            time.Duration
	OutboxLease               time.Duration
	RiskCheckInterval         time.Duration
	RiskHorizon               time.Duration
	LogLevel                  string
	LogFormat                 string
	RequestTimeout            time.Duration
	// Now, when set (tests), is the clock of progress, reports, ingest and
	// the demo's dates; unset: the wall clock.
	Now       func() time.Time
	RateLimit int
	// Broker carries live progress events between processes (B4): "" keeps
	// them in this process; nats://host:4222 or redis://host:6379.
	Broker      string
	BrokerTopic string
	// RiskNoticeDays are the days ahead at which a projected loss is announced
	// once each (B2), e.g. "90,60,30".
	RiskNoticeDays string
	// QueryLimits overrides guard.DefaultLimits (tests); zero means the defaults.
	QueryLimits guard.Limits
	// ReadTimeout overrides the server's ReadTimeout (tests); zero means 30 s.
	ReadTimeout time.Duration
	// DownloadStall: a streamed download (the CSV reports) is cut when its
	// client takes longer than this to accept one chunk (a minimum rate).
	DownloadStall time.Duration
	// DownloadsPerAccount and DownloadsPerProcess cap the streamed downloads
	// running at once; beyond them a download is refused (RATE_LIMITED, 429).
	DownloadsPerAccount int
	// DownloadsPerOrganization caps one organization's downloads, all its
	// accounts and tokens together.
	DownloadsPerOrganization int
	DownloadsPerProcess      int
	// AnswerMemoryMB bounds the GraphQL answer text the process holds at
	// once until clients take it, in MiB; a quarter of it per caller
	// (guard.Memory). 0: the default.
	AnswerMemoryMB int
	// RequestsPerCaller: GraphQL requests over HTTP one caller (account,
	// token, or address when anonymous) runs at once; more wait their turn.
	RequestsPerCaller int
	// DBMaxConns caps the process's database connections (0: the default).
	DBMaxConns int
	// MaxConnsPerAddress caps the HTTP connections (idle keep-alive ones
	// included) one client address holds; trusted proxies are exempt.
	MaxConnsPerAddress int
	// MaxConns caps the HTTP connections the process holds in all (within
	// its file-descriptor limit); at the cap the longest-idle one is closed.
	MaxConns int
}

// envName maps a flag name to its environment variable: --smtp-url → CERTLINK_SMTP_URL.
func envName(flagName string) string {
	return "CERTLINK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// stringFlag registers a string flag on fs, its default taken from the
// environment.
func stringFlag(fs *flag.FlagSet, p *string, name, def, usage string) {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	fs.StringVar(p, name, def, usage+" (env "+envName(name)+")")
}

// DBFlag registers --db on fs as the server reads it: the commands that work
// on the server's database (certlink add-organization) take the same.
func DBFlag(fs *flag.FlagSet, p *string) {
	stringFlag(fs, p, "db", "certlink.db", "database: an SQLite file path, or mysql://user:pass@host:3306/name")
}

// Flags registers the settings on fs, with defaults taken from the environment.
func (c *Config) Flags(fs *flag.FlagSet) {
	str := func(p *string, name, def, usage string) { stringFlag(fs, p, name, def, usage) }
	dur := func(p *time.Duration, name string, def time.Duration, usage string) {
		if v, ok := os.LookupEnv(envName(name)); ok {
			if d, err := time.ParseDuration(v); err == nil {
				def = d
			}
		}
		fs.DurationVar(p, name, def, usage+" (env "+envName(name)+")")
	}
	integer := func(p *int, name string, def int, usage string) {
		if v, ok := os.LookupEnv(envName(name)); ok {
			if n, err := strconv.Atoi(v); err == nil {
				def = n
			}
		}
		fs.IntVar(p, name, def, usage+" (env "+envName(name)+")")
	}
	str(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	DBFlag(fs, &c.DB)
	demo := "auto"
	if v, ok := os.LookupEnv(envName("demo")); ok {
		demo = v
	}
	c.Demo = demo
	if norm, err := demoValue(demo); err == nil {
		c.Demo = norm
	}
	fs.Var((*demoFlag)(&c.Demo), "demo", "seed the demo into an empty database: true (also the bare --demo), false, or auto (on for the embedded SQLite file) (env "+envName("demo")+")")
	dur(&c.AssociationCooldown, "association-cooldown", 720*time.Hour, "minimum time between two associations of one MCID (L6)")
	integer(&c.AssociationsPerYear, "associations-per-year", 3, "new associations allowed per MCID in a rolling 12 months (L6)")
	str(&c.SMTPURL, "smtp-url", "", "smtp://user:pass@host:587 (STARTTLS) or smtps://…:465 (TLS); unset keeps mail in the dev mailbox")
	str(&c.SMTPFrom, "smtp-from", "certlink <no-reply@certlink.example>", "From address of notification mail")
	str(&c.Catalog, "catalog", "", "competency catalog file to load at start-up (default: the shipped catalog)")
	str(&c.CORSOrigins, "cors-origins", "", "extra origins allowed to call the API from a browser, comma-separated (the app's own origin is always allowed)")
	str(&c.TrustedProxies, "trusted-proxies", "", "load balancers / reverse proxies in front of certlink, comma-separated CIDR prefixes or addresses: only from them is X-Forwarded-For believed (its rightmost untrusted hop is the client, for every per-address limit); unset: the peer is the client")
	dur(&c.SessionTTL, "session-ttl", 12*time.Hour, "how long a sign-in lasts")
	str(&c.PublicURL, "public-url", "", "the URL people reach certlink at, for links in mail (default http://ADDR)")
	str(&c.OIDCIssuer, "oidc-issuer", "", "OpenID Connect issuer URL for work-account sign-in (unset: email and password only)")
	str(&c.OIDCClientID, "oidc-client-id", "", "this application's client id at the OIDC issuer")
	str(&c.OIDCClientSecret, "oidc-client-secret", "", "this application's client secret at the OIDC issuer")
	str(&c.DirectoryOIDCIssuer, "directory-oidc-issuer", "", "OpenID Connect issuer of the certification directory: associate a Learning / Partner University account by signing in there (L3; unset: its email and password only)")
	str(&c.DirectoryOIDCClientID, "directory-oidc-client-id", "", "this application's client id at the certification directory's issuer")
	str(&c.DirectoryOIDCClientSecret, "directory-oidc-client-secret", "", "this application's client secret at the certification directory's issuer")
	dur(&c.OutboxInterval, "outbox-interval", 5*time.Second, "how often the mail worker looks at the outbox when not woken (N2)")
	dur(&c.OutboxLease, "outbox-lease", 2*time.Minute, "how long a mail worker's claim on a message lasts: after a crash, its messages go out this long later (N2)")
	dur(&c.RiskCheckInterval, "risk-check-interval", time.Hour, "how often competencies are checked for expiring results and skills (N1)")
	dur(&c.RiskHorizon, "risk-horizon", 30*24*time.Hour, "how far ahead a projected loss of a requirement is announced (N1); one more notice besides --risk-notice-days")
	str(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "text", "text or json")
	dur(&c.RequestTimeout, "request-timeout", 10*time.Second, "longest time one API request may run")
	str(&c.Broker, "broker", "", "broker for live progress across processes: nats://host:4222 or redis://host:6379 (unset: in-process only)")
	str(&c.BrokerTopic, "broker-topic", "certlink.progress", "NATS subject / Redis channel of live progress events")
	str(&c.RiskNoticeDays, "risk-notice-days", "90,60,30", "days ahead at which a projected loss of a requirement is mailed to the admins, once each (B2)")
	dur(&c.DownloadStall, "download-stall", DefaultDownloadStall, "a CSV download is cut when its client takes longer than this to accept one 64 KB chunk")
	integer(&c.DownloadsPerAccount, "downloads-per-account", DefaultDownloadsPerAccount, "CSV downloads one account (or API token) may run at once; more are refused with 429")
	integer(&c.DownloadsPerOrganization, "downloads-per-organization", DefaultDownloadsPerOrganization, "CSV downloads one organization's accounts and API tokens may run at once, together; more are refused with 429")
	integer(&c.DownloadsPerProcess, "downloads-per-process", DefaultDownloadsPerProcess, "CSV downloads this process runs at once; more are refused with 429")
	integer(&c.RequestsPerCaller, "requests-per-caller", DefaultRequestsPerCaller, "GraphQL requests over HTTP one account (or token; an address when anonymous) runs at once; more wait their turn, up to --request-timeout, then 429")
	integer(&c.AnswerMemoryMB, "answer-memory", DefaultAnswerMemoryMB, "MiB of GraphQL answer text the process holds at once until clients take them (a quarter per caller); an answer past it is refused RATE_LIMITED. Held answers cost the process up to about 6 times this in memory at peak (the text, what it was made from until the garbage collector runs, and the collector's headroom)")
	integer(&c.DBMaxConns, "db-max-conns", 0, "database connections this process opens at most (0: 50 for MySQL, 8 for SQLite)")
	integer(&c.MaxConns, "max-conns", DefaultMaxConns, "HTTP connections the process holds at once, and at most its open-file limit less 512; at the cap the connection idle the longest is closed for a new one, and a new one is refused when none is idle")
	integer(&c.MaxConnsPerAddress, "max-conns-per-address", web.DefaultConnsPerAddress, "HTTP connections (idle keep-alive ones included) one client address may hold; more are closed at accept (trusted proxies are exempt; 0: no cap)")
	integer(&c.RateLimit, "rate-limit", 5000, "API points per hour per work account (all its sessions and tokens; per IP when anonymous); a request costs max(1, cost/100)")
}

// demoFlag is --demo: a boolean-looking flag, so the bare form means true.
type demoFlag string

func (f *demoFlag) String() string   { return string(*f) }
func (f *demoFlag) IsBoolFlag() bool { return true }
func (f *demoFlag) Set(v string) error {
	norm, err := demoValue(v)
	if err != nil {
		return err
	}
	*f = demoFlag(norm)
	return nil
}

// demoValue reads true, false or auto, in the spellings strconv.ParseBool
// takes for the first two.
func demoValue(v string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(v), "auto") {
		return "auto", nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return "", fmt.Errorf("want true, false or auto, got %q", v)
	}
	return strconv.FormatBool(b), nil
}

// Validate checks the settings and fills derived defaults.
func (c *Config) Validate() error {
	switch c.Demo {
	case "auto", "true", "false":
	default:
		return fmt.Errorf("--demo: want true, false or auto, got %q", c.Demo)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level: want debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format: want text or json, got %q", c.LogFormat)
	}
	if c.AssociationCooldown < 0 {
		return fmt.Errorf("--association-cooldown must not be negative")
	}
	if c.AssociationsPerYear < 1 {
		return fmt.Errorf("--associations-per-year must be at least 1")
	}
	if c.RateLimit < 1 {
		return fmt.Errorf("--rate-limit must be at least 1")
	}
	if c.DownloadStall < 0 || c.DownloadsPerAccount < 0 || c.DownloadsPerOrganization < 0 || c.DownloadsPerProcess < 0 {
		return fmt.Errorf("--download-stall, --downloads-per-account, --downloads-per-organization and --downloads-per-process must not be negative (0: the default)")
	}
	if c.DownloadStall == 0 {
		c.DownloadStall = DefaultDownloadStall
	}
	if c.DownloadsPerAccount == 0 {
		c.DownloadsPerAccount = DefaultDownloadsPerAccount
	}
	if c.DownloadsPerOrganization == 0 {
		c.DownloadsPerOrganization = DefaultDownloadsPerOrganization
	}
	if c.DownloadsPerProcess == 0 {
		c.DownloadsPerProcess = DefaultDownloadsPerProcess
	}
	if c.RequestsPerCaller == 0 {
		c.RequestsPerCaller = DefaultRequestsPerCaller
	}
	if c.RequestsPerCaller < 0 {
		return fmt.Errorf("--requests-per-caller must be positive")
	}
	if c.AnswerMemoryMB == 0 {
		c.AnswerMemoryMB = DefaultAnswerMemoryMB
	}
	if c.AnswerMemoryMB < 32 {
		return fmt.Errorf("--answer-memory must be at least 32 (MiB): a quarter of it must hold one whole 8 MB answer")
	}
	if c.DBMaxConns < 0 {
		return fmt.Errorf("--db-max-conns must not be negative (0: the default)")
	}
	if c.MaxConns < 0 {
		return fmt.Errorf("--max-conns must not be negative")
	}
	if c.MaxConnsPerAddress < 0 {
		return fmt.Errorf("--max-conns-per-address must not be negative (0: no cap)")
	}
	if c.SessionTTL <= 0 {
		return fmt.Errorf("--session-ttl must be positive")
	}
	if c.OutboxInterval <= 0 || c.RiskCheckInterval <= 0 || c.RiskHorizon < 0 {
		return fmt.Errorf("--outbox-interval and --risk-check-interval must be positive, --risk-horizon not negative")
	}
	if _, err := c.RiskNotices(); err != nil {
		return err
	}
	if c.OutboxLease < 0 {
		return fmt.Errorf("--outbox-lease must not be negative")
	}
	if (c.DirectoryOIDCIssuer == "") != (c.DirectoryOIDCClientID == "") {
		return fmt.Errorf("--directory-oidc-issuer and --directory-oidc-client-id are set together")
	}
	if _, err := web.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return err
	}
	explicit := []string{c.PublicURL}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
		explicit = nil
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	// Browsers send an origin as scheme://host[:port], the host in ASCII
	// (punycode) and without the scheme's default port: the allowed ones are
	// compared in that form (socket.NormalizeOrigin), and one that has none
	// would never match (a review wrote https://App.Example:443 and a
	// Unicode host, and the app's own live updates were refused).
	for _, o := range append(explicit, strings.Split(c.CORSOrigins, ",")...) {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if socket.NormalizeOrigin(o) == "" {
			return fmt.Errorf("--public-url and --cors-origins: %q is not an http(s) origin (scheme://host[:port])", o)
		}
		if u, _ := url.Parse(o); !isASCII(u.Hostname()) {
			return fmt.Errorf("--public-url and --cors-origins: write the host of %q in ASCII, as browsers send it (punycode: xn--…)", o)
		}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// SeedDemo reports whether the demo is seeded for this database.
func (c *Config) SeedDemo(embedded bool) bool {
	return c.Demo == "true" || (c.Demo == "auto" && embedded)
}

// RiskNotices returns the thresholds of --risk-notice-days and --risk-horizon,
// largest first, without duplicates.
func (c *Config) RiskNotices() ([]time.Duration, error) {
	var out []time.Duration
	add := func(d time.Duration) {
		if d > 0 && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, f := range strings.Split(c.RiskNoticeDays, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 3660 {
			return nil, fmt.Errorf("--risk-notice-days: want whole days such as 90,60,30, got %q", f)
		}
		add(time.Duration(n) * 24 * time.Hour)
	}
	add(c.RiskHorizon)
	slices.SortFunc(out, func(a, b time.Duration) int { return int((b - a) / time.Hour) })
	return out, nil
}

// DefaultAnswerMemoryMB: 128 MiB of answer text (about five times that in the
// process's memory while it is encoded and written), 32 MiB per caller.
const DefaultAnswerMemoryMB = 128

// DefaultRequestsPerCaller: a page of the web app asks a few things at once,
// and one caller must not take every database connection (8 on SQLite).
const DefaultRequestsPerCaller = 4

// DefaultMaxConns: each connection costs tens of KB while it waits.
const DefaultMaxConns = 10000
