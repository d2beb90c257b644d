package app

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"certlink/internal/web"
)

// Server timeouts: a request's headers must arrive within ReadHeaderTimeout
// and a body within ReadTimeout — except POST /ingest, whose handler moves its
// read deadline as the body arrives (pacedBody) — and an answer may stream for
// WriteTimeout (the CSV report; the API has its own request timeout).
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 10 * time.Minute
	// IdleTimeout: a keep-alive connection idle this long is closed.
	IdleTimeout = time.Minute
)

// Configure sets certlink's timeouts and limits on srv (certlink's own
// server and the tests' servers alike).
func (a *App) Configure(srv *http.Server, log *slog.Logger) {
	srv.ReadHeaderTimeout = ReadHeaderTimeout
	srv.ReadTimeout = a.readTimeout()
	srv.WriteTimeout = WriteTimeout
	srv.IdleTimeout = IdleTimeout
	srv.MaxHeaderBytes = 64 << 10
	if log != nil {
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
}

// Listener caps the connections one client address holds on ln
// (--max-conns-per-address; trusted proxies are exempt): certlink's own
// server and the tests' serve through it.
func (a *App) Listener(ln net.Listener) net.Listener {
	proxies, _ := web.ParseTrustedProxies(a.Config.TrustedProxies) // checked by Validate
	return web.LimitConns(ln, a.Config.MaxConnsPerAddress, proxies)
}

func (a *App) readTimeout() time.Duration {
	if a.Config.ReadTimeout > 0 {
		return a.Config.ReadTimeout
	}
	return ReadTimeout
}
