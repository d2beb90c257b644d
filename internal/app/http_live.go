package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"certlink/internal/apperr"
	"certlink/internal/socket"
	"certlink/internal/viewer"
)

// websocketTransport serves GraphQL subscriptions (B4) over graphql-ws and
// graphql-transport-ws. The browser's Origin must be the app's own (or one of
// --cors-origins): a cookie-authenticated socket opened by another site would
// otherwise read the victim's progress. Tools without an Origin header
// authenticate in connection_init.
func (a *App) websocketTransport() transport.Websocket {
	origins := a.websocketOrigins()
	var patterns []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			patterns = append(patterns, u.Host)
		}
	}
	limit := a.Sockets.Limits.MaxFrameBytes
	initTimeout := a.Sockets.Limits.InitTimeout
	if initTimeout <= 0 {
		initTimeout = socket.DefaultLimits.InitTimeout
	}
	return transport.Websocket{
		Implementation: socket.Implementation{
			Inner: transport.CoderWebsocketImplementation{
				AcceptOptions: websocket.AcceptOptions{OriginPatterns: patterns},
			},
			Registry: a.Sockets,
		},
		InitFunc:              a.websocketInit,
		InitTimeout:           initTimeout,
		KeepAlivePingInterval: 25 * time.Second,
		PayloadReadLimit:      &limit,
	}
}

// websocketOrigins are the browser origins a socket may be opened from:
// allowedOrigins, and for an address on the loopback interface the same port
// under its other loopback names (localhost, 127.0.0.1, [::1]), which reach
// the same process on this machine only.
func (a *App) websocketOrigins() []string {
	origins := a.allowedOrigins()
	host, port, err := net.SplitHostPort(a.Config.Addr)
	if err != nil {
		return origins
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		for _, h := range []string{"localhost", "127.0.0.1", "[::1]"} {
			origins = append(origins, "http://"+h+":"+port)
		}
	}
	return origins
}

// websocketInit authenticates a subscription connection: the connection_init
// payload's "authorization" ("Bearer <token>") or "token" when given, else the
// session cookie of the upgrade request. A refusal closes the socket with a
// code and a reason that starts with the error code: 4401 "UNAUTHENTICATED: …"
// (graphql-ws clients do not retry it), 4429 "RATE_LIMITED: …". The sign-in
// is checked again for every operation and whenever it may have changed
// (socket.Registry).
func (a *App) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	secret, _ := ctx.Value(socketSecretKey{}).(string)
	if auth := strings.TrimSpace(payload.Authorization()); auth != "" {
		// "Bearer <token>" (the scheme in any case, as over HTTP), or the
		// token alone.
		secret = auth
		if strings.Contains(auth, " ") {
			secret = bearerOf(auth)
		}
	} else if t, ok := payload["token"].(string); ok && t != "" {
		secret = t
	}
	refuse := func(code int, reason string) (context.Context, *transport.InitPayload, error) {
		ctx = transport.WithWebsocketCloseCode(ctx, code)
		ctx = transport.AppendCloseReason(ctx, reason)
		return ctx, nil, errors.New(reason)
	}
	v, err := a.Accounts.Authenticate(ctx, secret)
	if e, ok := apperr.As(err); ok && e.Code == apperr.Unauthenticated {
		// Expired: the reason says when and what to do (account.Expired
		// keeps it within a close reason's 123 bytes).
		return refuse(socket.CloseUnauthenticated, "UNAUTHENTICATED: "+e.Message)
	}
	if err != nil {
		a.Log.ErrorContext(ctx, "websocket: authenticating", "err", err)
		return refuse(4500, "INTERNAL: the sign-in could not be checked; try again")
	}
	if v == nil {
		return refuse(socket.CloseUnauthenticated, "UNAUTHENTICATED: sign in first (session cookie, or authorization: Bearer <token>)")
	}
	ctx = viewer.With(ctx, v)
	ctx, err = a.Sockets.Open(ctx, secret, v)
	if err != nil {
		var r *socket.Refusal
		if errors.As(err, &r) {
			return refuse(r.Code, r.Reason)
		}
		a.Log.ErrorContext(ctx, "websocket: opening", "err", err)
		return refuse(4500, "INTERNAL: the socket could not be opened")
	}
	return ctx, nil, nil
}

type socketSecretKey struct{}

// isWebsocket reports whether r asks to become a websocket.
func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
