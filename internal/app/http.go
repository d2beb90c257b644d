package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"certlink/frontend"
	"certlink/graph"
	"certlink/graph/generated"
	"certlink/internal/apperr"
	"certlink/internal/gid"
	"certlink/internal/guard"
	"certlink/internal/metrics"
	"certlink/internal/socket"
	"certlink/internal/store"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Limits on what one request may ask (A4).
const (
	maxBodyBytes = 1 << 20
	// The query cache keeps documents costing up to 1 MiB each (about 2,500
	// tokens: every query the web app and GraphiQL send), 64 MiB in all; a
	// document costs its text and 400 bytes a token (guard.Cache).
	queryCacheBytes, queryCacheEntry, queryCachePerToken = 64 << 20, 1 << 20, 400
)

// GraphQL builds the /graphql handler.
func (a *App) GraphQL() http.Handler {
	res := &graph.Resolver{Client: a.DB.Client, Accounts: a.Accounts, Linking: a.Linking,
		Catalog: a.Catalog, Progress: a.Progress, Report: a.Report, Ingest: a.Ingest,
		People: a.Users, History: a.History, Inbox: a.Inbox, Support: a.Support, Merge: a.Merge, Tokens: a.Tokens,
		Capability: a.Capability, Live: a.Live, Domains: a.Domains,
		Designations: a.Designations, MetricIngest: a.MetricIngest}
	res.Feeds = graph.NewFeeds(res)
	a.Feeds = res.Feeds
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: res}))
	srv.AddTransport(a.websocketTransport())
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	a.QueryCache = guard.NewCache(queryCacheBytes, queryCacheEntry, queryCachePerToken)
	srv.SetQueryCache(a.QueryCache)
	srv.SetParserTokenLimit(guard.DefaultScan.MaxTokens)
	// "Did you mean …" would list field names to anyone: off for every caller
	// (the query cache and validation are shared by all).
	srv.SetDisableSuggestion(true)
	srv.SetErrorPresenter(graph.ErrorPresenter)
	srv.SetRecoverFunc(graph.Recover)
	srv.Use(a.Gate())
	srv.Use(signedInIntrospection{})
	srv.Use(guard.Args{Limits: guard.DefaultArgs})
	// On a websocket: the sign-in again, the temporary-password gate for
	// subscriptions, the socket's and account's operation caps.
	srv.Use(socket.Extension{Memory: a.AnswerMemory})
	limits := guard.DefaultLimits
	if a.Config.QueryLimits != (guard.Limits{}) {
		limits = a.Config.QueryLimits
	}
	srv.Use(guard.Extension{Limits: limits, Buckets: a.RateLimits})
	srv.AroundFields(graph.ConnectionBounds)
	srv.AroundRootFields(graph.PasswordChangeGate)
	srv.AroundRootFields(graph.ExpensiveRootFields(a.Expensive))
	return srv
}

// Gate is the check every GraphQL operation meets before it is parsed, on
// every transport (guard.Gate).
func (a *App) Gate() guard.Gate {
	return guard.Gate{Scan: guard.DefaultScan, Anonymous: guard.AnonymousScan, Buckets: a.RateLimits}
}

// signedInIntrospection allows introspection to signed-in
// callers only: anonymous probes learn nothing about the schema (A4).
type signedInIntrospection struct{}

func (signedInIntrospection) ExtensionName() string                   { return "SignedInIntrospection" }
func (signedInIntrospection) Validate(graphql.ExecutableSchema) error { return nil }
func (signedInIntrospection) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	oc.DisableIntrospection = viewer.From(ctx) == nil
	return nil
}

// Handler is certlink's whole HTTP surface.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	// JSON answers are compressed for browsers that accept gzip; the web
	// app's files are precompressed at build time (frontend.Handler).
	mux.Handle("/graphql", limitBody(graphqlRequest(a.chargeCaller, a.decodeRoom, web.Gzip(a.GraphQL(), "application/json", "application/graphql-response+json"))))
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /auth/options", a.signInOptions)
	a.competencyRoutes(mux)
	if a.OIDC != nil {
		mux.HandleFunc("GET /auth/oidc/login", a.OIDC.Login)
		mux.HandleFunc("GET /auth/oidc/callback", a.OIDC.Callback)
	}
	if a.DirectoryOIDC != nil {
		mux.HandleFunc("GET /auth/directory/login", a.DirectoryOIDC.Login)
		mux.HandleFunc("GET /auth/directory/callback", a.DirectoryOIDC.Callback)
	}
	mux.Handle("GET /metrics", promhttp.Handler())
	mux.Handle("/", frontend.Handler())

	c := cors.New(cors.Options{
		AllowedOrigins:   a.allowedOrigins(),
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Authorization", "Content-Type"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	// Parsed by Validate already.
	proxies, _ := web.ParseTrustedProxies(a.Config.TrustedProxies)
	return proxies.Middleware(a.withRequest(securityHeaders(c.Handler(mux))))
}

// limitBody answers 413 for a GraphQL request body over 1 MiB, before any of it
// is parsed.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "The request body is larger than 1 MiB.")
			return
		}
		if r.Body != nil && r.ContentLength < 0 {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
			if err != nil && isTimeout(err) {
				writeBodyTimeout(w)
				return
			}
			if err != nil || len(body) > maxBodyBytes {
				writeJSONError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "The request body is larger than 1 MiB.")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// writeBodyTimeout answers a request whose body did not arrive within the
// server's read timeout.
func writeBodyTimeout(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	writeJSONError(w, http.StatusRequestTimeout, "REQUEST_TIMEOUT",
		"The request body did not arrive in time (the server waits 30 s for a request); send it again.")
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	writeGraphQLError(w, status, msg, map[string]any{"code": code})
}

// writeGraphQLError answers one GraphQL error, {"errors":[{message, extensions}]},
// with status.
func writeGraphQLError(w http.ResponseWriter, status int, msg string, ext map[string]any) {
	web.WriteError(w, status, msg, ext)
}

// securityHeaders sets the headers every response carries. The CSP lets the app
// and the bundled GraphiQL run (GraphiQL's editor uses web workers from blob:
// URLs and inline styles) and nothing from elsewhere.
func securityHeaders(next http.Handler) http.Handler {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// allowedOrigins are the browser origins allowed to call the API, in the
// form browsers send (socket.NormalizeOrigin: no default port, lower case).
func (a *App) allowedOrigins() []string {
	var origins []string
	for _, o := range append([]string{a.Config.PublicURL, "http://" + a.Config.Addr}, strings.Split(a.Config.CORSOrigins, ",")...) {
		if o = socket.NormalizeOrigin(o); o != "" && !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	return origins
}

// signInOptions tells the web app which sign-ins this server offers (L1, L3):
// single sign-on at the organization's issuer, and association by signing in
// at the certification directory. It says nothing about any account.
func (a *App) signInOptions(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]bool{
		"singleSignOn":    a.OIDC != nil,
		"directorySignIn": a.DirectoryOIDC != nil,
	})
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.SQL.PingContext(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// withRequest gives every request an id, a body limit, a deadline, the viewer
// (from the bearer token or the session cookie) and access to the response for
// cookies; it logs the request when done.
func (a *App) withRequest(next http.Handler) http.Handler {
	wsOrigins := a.websocketOrigins() // the configuration's: read once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ctx := gid.With(web.WithRequestID(r.Context(), id), a.IDs)
		if c := connOf(r.Context()); c != nil && r.Body != nil && r.Body != http.NoBody {
			// Until its body has arrived, the connection counts as stalled
			// once a second passes without it (web.AwaitingBody): at
			// --max-conns the slowest such is taken for a new one, whichever
			// path it asked (a review trickled bodies into /healthz).
			r.Body = &awaitedBody{ReadCloser: r.Body, done: web.AwaitingBody(c)}
		}
		if r.Body != nil && r.URL.Path == "/ingest" {
			r.Body = http.MaxBytesReader(w, r.Body, maxIngestBytes)
		}
		if r.Body != nil && r.URL.Path == "/ingest/metrics" {
			r.Body = http.MaxBytesReader(w, r.Body, maxMetricIngestBytes)
		}
		if crossSiteSessionGet(r) {
			writeCodedError(w, r.WithContext(ctx), apperr.New(apperr.Forbidden,
				"A query over GET or a download that another site's page asked for does not run with your session: open it from certlink's own pages (GraphQL queries can also be sent with POST), or use an API token (Authorization: Bearer)."))
			return
		}
		// The sign-in check has the request's time too: a database that
		// stopped answering (frozen, a network partition) held every new
		// request here for as long as it lasted, whatever --request-timeout
		// said (a review froze MariaDB for 30 s).
		authCtx, cancelAuth := context.WithTimeout(ctx, a.Config.RequestTimeout)
		v, err := a.Accounts.Authenticate(authCtx, bearer(r))
		cancelAuth()
		if e, ok := apperr.As(err); ok && e.Code == apperr.Unauthenticated {
			// The credential expired: the caller is anonymous, and an
			// UNAUTHENTICATED answer says it expired, when, and what to do
			// (graph.ErrorPresenter, writeError).
			ctx, err = viewer.WithRefused(ctx, e), nil
		}
		if err != nil {
			switch {
			case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
				// --request-timeout passed while the sign-in was checked: the
				// request's answer to a deadline, as anywhere else.
				a.Log.WarnContext(ctx, "authenticating: the database did not answer within the request timeout", "request_id", id)
				err = apperr.TimedOut()
			case !store.Unavailable(err):
				level := slog.LevelError
				if ctx.Err() != nil {
					level = slog.LevelDebug // the caller left
				}
				a.Log.Log(ctx, level, "authenticating", "request_id", id, "err", err)
				err = apperr.New(apperr.Unavailable, "Your sign-in could not be checked just now (request id %s): the database did not answer in time. Try again in a few seconds.", id)
			}
			// The database cannot serve (every host down, or the check did
			// not finish): a coded answer the caller can retry, in the shape
			// of the endpoint asked (a GraphQL error on /graphql).
			writeCodedError(w, r.WithContext(ctx), err)
			return
		} else if v != nil {
			ctx = viewer.With(ctx, v)
		}
		isSocket := isWebsocket(r)
		if !isSocket && r.URL.Path == "/graphql" {
			// Each caller's requests run a few at a time, the rest wait their
			// turn (holding nothing) until one has been answered and written.
			// An API token queues apart from its owner's sessions
			// (viewer.RunsKey, as on websockets). An anonymous caller counts
			// under its own address (the exchange CallerKey reads it from is
			// not set yet).
			key := "ip:" + web.AddressKey(web.ClientIPOf(r))
			if v := viewer.From(ctx); v != nil {
				key = v.RunsKey()
			}
			leave, ok := a.requests.enter(ctx, key, a.Config.RequestsPerCaller, a.Config.RequestTimeout)
			if !ok {
				w.Header().Set("Retry-After", "1")
				writeCodedError(w, r.WithContext(ctx), apperr.New(apperr.RateLimited,
					"You have %d requests running already, the most at once, and none ended in time: wait for their answers (and read them) before sending more.",
					a.Config.RequestsPerCaller).With("retryAfterSeconds", 1))
				return
			}
			defer leave()
		}
		if isSocket && !socket.OriginAllowed(r.Header.Values("Origin"), wsOrigins) {
			// The one check of a socket's Origin, here, in the API's coded
			// JSON, before the websocket transport, whose own refusal
			// appended a second, uncoded error to the answer. Scheme, host
			// and port compared (socket.NormalizeOrigin): the websocket
			// library compares the host only, and passed any origin whose
			// host is the request's — a plain-http page (or file://) of the
			// app's own host opened a socket of the https app with its
			// session cookie (a review).
			writeJSONError(w, http.StatusForbidden, "FORBIDDEN", socket.OriginRefused)
			return
		}
		if isSocket {
			// A subscription lives as long as its connection; its sign-in is
			// checked again at connection_init, for every operation and
			// whenever a commit may have ended or changed it (socket package).
			// A socket whose upgrade carries no sign-in counts among its
			// address's few pending ones until its connection_init is
			// accepted, not among the signed-in ones.
			adm, refused := a.Sockets.Admit(ctx, web.AddressKey(web.ClientIPOf(r)), v)
			if refused != nil {
				msg := fmt.Sprintf("This address has %d signed-in websockets open, the limit.", refused.Open)
				if refused.Evicting {
					msg = fmt.Sprintf("This address opens websockets that do not complete connection_init faster than %g a second; send the sign-in with the upgrade (session cookie or Authorization header) or complete connection_init at once.", a.Sockets.Limits.EvictionsPerSecond)
				} else if refused.Viewer {
					msg = fmt.Sprintf("This account has %d websockets open or opening, the limit.", a.Sockets.Limits.MaxViewerSockets)
				} else if !refused.SignedIn && refused.Open < a.Sockets.Limits.MaxAddressSockets {
					msg = fmt.Sprintf("This address has %d websockets open that have not completed connection_init, the limit; send the sign-in with the upgrade (session cookie or Authorization header) or complete connection_init sooner.", refused.Pending)
				}
				writeJSONError(w, http.StatusTooManyRequests, "RATE_LIMITED", msg)
				return
			}
			defer adm.Release()
			defer metrics.SocketOpened()()
			ctx = context.WithValue(ctx, socketSecretKey{}, bearer(r))
			ctx = socket.WithUpgrade(ctx, adm)
		} else if !strings.HasPrefix(r.URL.Path, "/reports/") && !strings.HasPrefix(r.URL.Path, "/ingest") {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, a.Config.RequestTimeout)
			defer cancel()
			// Its answer (at most the meter's 8 MB) must also be taken in
			// time: a client that stops reading holds it until then, not
			// for the server's WriteTimeout meant for downloads. Not
			// supported only under a test's recorder.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(a.Config.RequestTimeout + a.Config.DownloadStall))
		}
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		if isSocket {
			// The socket's operations run at once: none of them may touch
			// the upgrade's response (its headers are long sent).
			ctx = web.WithSocket(ctx, r)
		} else {
			ctx = graph.WithRequestMemo(ctx)
			ctx = web.WithExchange(ctx, rec, r)
			// The answer's room is given back once it was written (or
			// its write deadline passed): when ServeHTTP returns.
			var release func()
			ctx, release = guard.WithHold(ctx, a.AnswerMemory)
			defer release()
		}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if !isSocket && r.URL.Path == "/graphql" {
			// Written is not yet taken: the answer keeps its room and its
			// request slot until the client has read it out of the
			// kernel's buffers, or until its write deadline, when the
			// connection is reset.
			if c := connOf(r.Context()); c != nil {
				rec.Flush()
				web.AwaitTaken(r.Context(), c, start.Add(a.Config.RequestTimeout+a.Config.DownloadStall))
			}
		}
		metrics.Request(metrics.Route(r.URL.Path, isSocket), r.Method, rec.status, time.Since(start))
		if r.URL.Path != "/healthz" {
			a.Log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", id),
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Duration("took", time.Since(start)))
		}
	})
}

// bearer returns the Authorization bearer secret, else the session cookie.
// crossSiteSessionGet reports a GET /graphql or CSV download that another
// site's page made the browser send with the session cookie: a link or a
// redirect (the cookie is SameSite=Lax, so it rides top-level navigations).
// Its answer goes to the browser, never to that site, but it ran as the
// person — what-ifs, forecasts, downloads — and spent their hourly points and
// download slots, which their API tokens share (review: 20 navigations to a
// costly query emptied them). The browser says where a request came from
// (Sec-Fetch-Site): certlink's own pages and GraphiQL are same-origin, an
// address typed or bookmarked is "none"; every other value is refused. A
// browser too old to say (no Sec-Fetch-Site) is judged by its Referer.
func crossSiteSessionGet(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if r.URL.Path != "/graphql" && !strings.HasPrefix(r.URL.Path, "/reports/") {
		return false
	}
	if isWebsocket(r) || r.Header.Get("Authorization") != "" {
		return false
	}
	if _, err := web.Cookie(r, web.SessionCookie); err != nil {
		return false
	}
	return web.CrossSite(r)
}

func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		return bearerOf(h)
	}
	if c, err := web.Cookie(r, web.SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// bearerOf is the token of an Authorization value "Bearer <token>" — the
// scheme in any case (RFC 7235 §2.1), over HTTP and in a websocket's
// connection_init alike — or "" for another scheme.
func bearerOf(h string) string {
	if scheme, s, ok := strings.Cut(strings.TrimSpace(h), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(s)
	}
	return ""
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// WriteHeader keeps the first status: a handler that answers after another
// already did (the websocket library refuses a cross-origin upgrade with 403,
// then gqlgen's transport tries 400) neither changes what was sent nor what
// is logged and counted.
func (s *statusRecorder) WriteHeader(code int) {
	if s.wrote {
		return
	}
	if code >= 200 || code == http.StatusSwitchingProtocols {
		s.wrote = true
	}
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// awaitedBody ends the connection's wait for the body (web.AwaitingBody) when
// the body has been read to its end or has failed.
type awaitedBody struct {
	io.ReadCloser
	done func()
}

func (b *awaitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done()
	}
	return n, err
}
