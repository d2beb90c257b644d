package app

import (
	"log/slog"
	"net/http"
	"time"
)

// Server timeouts: a request's headers must arrive within ReadHeaderTimeout
// and a body within ReadTimeout — except POST /ingest, whose handler moves its
// read deadline as the body arrives (pacedBody) — and an answer may stream for
// WriteTimeout (the CSV report; the API has its own request timeout).
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 10 * time.Minute
	IdleTimeout       = 2 * time.Minute
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

func (a *App) readTimeout() time.Duration {
	if a.Config.ReadTimeout > 0 {
		return a.Config.ReadTimeout
	}
	return ReadTimeout
}
