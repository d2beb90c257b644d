package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"syscall"
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
	if a.conns != nil {
		srv.ConnState = a.conns.ConnState
	}
	// A request can see its connection: an answer is held until the
	// client took it from the kernel's buffers too (web.AwaitTaken).
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return web.WithConn(context.WithValue(ctx, connKey{}, c), c)
	}
	srv.MaxHeaderBytes = 64 << 10
	// Shutdown waits for HTTP requests but not for hijacked websockets:
	// they are told to go away (1001) so their clients reconnect.
	srv.RegisterOnShutdown(func() {
		if n := a.Sockets.CloseGoingAway("certlink is stopping; reconnect"); n > 0 && log != nil {
			log.Info("websockets told to reconnect", "sockets", n)
		}
	})
	if log != nil {
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
}

// Listener caps the connections one client address holds on ln
// (--max-conns-per-address; trusted proxies are exempt) and the process in
// all (--max-conns, within the open-file limit less a reserve for the
// database and the spools): certlink's own server and the tests' serve
// through it. Configure hooks the cap's ConnState into the server.
func (a *App) Listener(ln net.Listener) net.Listener {
	proxies, _ := web.ParseTrustedProxies(a.Config.TrustedProxies) // checked by Validate
	total := a.Config.MaxConns
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur > 0 {
		files := int(min(lim.Cur, 1<<30))
		if fds := files - min(fileReserve, files/2); total <= 0 || fds < total {
			total = fds
		}
	}
	a.conns = web.LimitConns(ln, a.Config.MaxConnsPerAddress, total, proxies)
	return a.conns
}

// fileReserve are the open files kept for everything but client
// connections: database connections and files, download spools, logs.
const fileReserve = 512

func (a *App) readTimeout() time.Duration {
	if a.Config.ReadTimeout > 0 {
		return a.Config.ReadTimeout
	}
	return ReadTimeout
}

type connKey struct{}

// connOf is the connection a request arrived on, when the server set it.
func connOf(ctx context.Context) net.Conn {
	c, _ := ctx.Value(connKey{}).(net.Conn)
	return c
}
