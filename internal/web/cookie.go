// Package web holds what the HTTP layer shares with resolvers: the request's
// response writer (to set the session cookie) and its request id.
package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// SessionCookie is the web app's session cookie name.
const SessionCookie = "certlink_session"

type exchange struct {
	w http.ResponseWriter
	r *http.Request
}

type exchangeKey struct{}

// WithExchange makes w and r reachable from resolvers running for r.
func WithExchange(ctx context.Context, w http.ResponseWriter, r *http.Request) context.Context {
	return context.WithValue(ctx, exchangeKey{}, exchange{w, r})
}

// WithSocket makes r reachable from resolvers running on r's websocket, but
// not its response: the upgrade's headers were sent long before, and the many
// operations of one socket run at once — writing one shared header map from
// them crashed the process (concurrent map writes). Cookies cannot be set
// over a socket; Header returns a fresh map per call.
func WithSocket(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, exchangeKey{}, exchange{nil, r})
}

// from returns the exchange with a response writer: a plain HTTP request's.
func from(ctx context.Context) (exchange, bool) {
	e, ok := ctx.Value(exchangeKey{}).(exchange)
	return e, ok && e.w != nil
}

// request returns the request of the exchange, HTTP or websocket.
func request(ctx context.Context) *http.Request {
	e, _ := ctx.Value(exchangeKey{}).(exchange)
	return e.r
}

// secure reports whether the request arrived over TLS (directly or at a proxy).
// CrossSite reports a request another site's page made the browser send (a
// link, a redirect, a form): the browser says where it came from
// (Sec-Fetch-Site) — certlink's own pages are same-origin, an address typed
// or bookmarked is "none", every other value is another site. A browser too
// old to say is judged by its Referer; a client that sends neither is not a
// browser following another site.
func CrossSite(r *http.Request) bool {
	if site, ok := r.Header["Sec-Fetch-Site"]; ok {
		if len(site) != 1 {
			return true
		}
		switch strings.ToLower(strings.TrimSpace(site[0])) {
		case "same-origin", "none":
			return false
		}
		return true
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err != nil || !strings.EqualFold(u.Host, r.Host)
	}
	return false
}

// Secure reports whether r came over TLS, to certlink or to the proxy in
// front of it: cookies set in answer to it are Secure.
func Secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// hostPrefix is the cookie name prefix browsers accept only from a Secure
// answer of this very host, for Path=/ and with no Domain: a page of a
// sibling subdomain (or an http:// answer a network attacker forged) cannot
// set or overwrite such a cookie. Without it, a planted session or sign-in
// flow cookie signed the victim in as the attacker (login CSRF).
const hostPrefix = "__Host-"

// CookieName is the name cookie base goes by in answer to r: over TLS (to
// certlink or its proxy) with the __Host- prefix, and only that name is read
// back, so a cookie of the bare name that someone else planted is ignored.
// Over plain HTTP browsers refuse the prefix; the bare name is used.
func CookieName(r *http.Request, base string) string {
	if Secure(r) {
		return hostPrefix + base
	}
	return base
}

// NewCookie is cookie base in answer to r: HttpOnly, SameSite=Lax, and over
// TLS Secure, prefixed __Host- and so for the whole site (path applies over
// plain HTTP only). maxAge < 0 deletes it.
func NewCookie(r *http.Request, base, value, path string, expires time.Time, maxAge int) *http.Cookie {
	c := &http.Cookie{
		Name: base, Value: value, Path: path, Expires: expires, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	if Secure(r) {
		c.Name, c.Path, c.Secure = hostPrefix+base, "/", true
	}
	return c
}

// Cookie is r's cookie base under the name CookieName gives it.
func Cookie(r *http.Request, base string) (*http.Cookie, error) {
	return r.Cookie(CookieName(r, base))
}

// SetSession sets the HttpOnly, SameSite session cookie (Secure and __Host-
// over TLS). gqlgen writes the response only after resolvers return, so
// headers set here are still sent.
func SetSession(ctx context.Context, secret string, expires time.Time) {
	e, ok := from(ctx)
	if !ok {
		return
	}
	http.SetCookie(e.w, NewCookie(e.r, SessionCookie, secret, "/", expires, 0))
}

// ClearSession removes the session cookie.
func ClearSession(ctx context.Context) {
	e, ok := from(ctx)
	if !ok {
		return
	}
	http.SetCookie(e.w, NewCookie(e.r, SessionCookie, "", "/", time.Time{}, -1))
}

type requestIDKey struct{}

// WithRequestID stores the request id used in logs and generic error answers.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// ClientIPOf is r's caller's address as this server sees it.
func ClientIPOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClientIP is the caller's address as this server sees it.
func ClientIP(ctx context.Context) string {
	r := request(ctx)
	if r == nil {
		return ""
	}
	return ClientIPOf(r)
}

// AddressKey is the key a per-address limit counts ip under: the address
// itself, or for IPv6 its /64 — one host usually holds the whole prefix, and
// counting per address would give it 2^64 buckets (connection caps count the
// same way, LimitConns).
func AddressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	return addressKey(a.Unmap().WithZone("")).String()
}

// addressKey is the address a per-address limit counts a under: a itself,
// or for IPv6 the base of its /64.
func addressKey(a netip.Addr) netip.Addr {
	if !a.Is6() {
		return a
	}
	return netip.PrefixFrom(a, 64).Masked().Addr()
}

// ClientKey is AddressKey of the caller's address: what the per-address
// limits (rate limit, sign-in buckets, hashing queue, websockets) count.
func ClientKey(ctx context.Context) string { return AddressKey(ClientIP(ctx)) }

// Header returns the response headers, to set before the body is written; on
// a websocket (or outside a request) a fresh map nobody reads.
func Header(ctx context.Context) http.Header {
	e, ok := from(ctx)
	if !ok {
		return http.Header{}
	}
	return e.w.Header()
}

// RequestCookie returns the value of the request's cookie name, or "".
func RequestCookie(ctx context.Context, name string) string {
	r := request(ctx)
	if r == nil {
		return ""
	}
	c, err := Cookie(r, name)
	if err != nil {
		return ""
	}
	return c.Value
}

// SetCookie sets cookie name on the response (NewCookie).
func SetCookie(ctx context.Context, name, value, path string, expires time.Time) {
	e, ok := from(ctx)
	if !ok {
		return
	}
	http.SetCookie(e.w, NewCookie(e.r, name, value, path, expires, 0))
}
