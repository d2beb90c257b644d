package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"certlink/graph"
	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// websocketTransport serves GraphQL subscriptions (B4) over graphql-ws and
// graphql-transport-ws. The browser's Origin must be the app's own (or one of
// --cors-origins): a cookie-authenticated socket opened by another site would
// otherwise read the victim's progress. Tools without an Origin header
// authenticate in connection_init.
func (a *App) websocketTransport() transport.Websocket {
	var patterns []string
	for _, o := range a.allowedOrigins() {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			patterns = append(patterns, u.Host)
		}
	}
	return transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: patterns},
		},
		InitFunc:              a.websocketInit,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 25 * time.Second,
	}
}

// websocketInit authenticates a subscription connection: the connection_init
// payload's "authorization" ("Bearer <token>") or "token" when given, else the
// session cookie of the upgrade request. The sign-in is checked again before
// every message (graph.SessionCheck): signing out ends the stream.
func (a *App) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	secret, _ := ctx.Value(socketSecretKey{}).(string)
	if auth := payload.Authorization(); auth != "" {
		secret = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	} else if t, ok := payload["token"].(string); ok && t != "" {
		secret = t
	}
	v, err := a.Accounts.Authenticate(ctx, secret)
	if err != nil {
		return ctx, nil, err
	}
	if v == nil {
		return ctx, nil, apperr.ErrUnauthenticated
	}
	ctx = viewer.With(ctx, v)
	ctx = graph.WithSessionCheck(ctx, func(ctx context.Context) bool {
		cur, err := a.Accounts.Authenticate(ctx, secret)
		return err == nil && cur != nil && cur.UserID == v.UserID && cur.TokenID == v.TokenID
	})
	return ctx, nil, nil
}

type socketSecretKey struct{}

// isWebsocket reports whether r asks to become a websocket.
func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
