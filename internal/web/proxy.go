package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the load balancers and reverse proxies in front of
// certlink (--trusted-proxies). Only when a request's direct peer is one of
// them is X-Forwarded-For believed, and then only as far as the chain of
// trusted hops goes: the client is the rightmost address that is not a
// trusted proxy, since every hop left of it may have been written by the
// client itself. Every per-address limit (sign-in throttle, websocket caps,
// the anonymous rate limit) and every log line sees that address. Empty: the
// peer is the client and X-Forwarded-For is ignored.
type TrustedProxies []netip.Prefix

// maxForwardedHops bounds the X-Forwarded-For entries looked at.
const maxForwardedHops = 32

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes or single
// addresses ("10.0.0.0/8, 192.0.2.7, fd00::/8").
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not a CIDR prefix such as 10.0.0.0/8", f)
			}
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), max(0, p.Bits()-96))
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not an address or a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one address of X-Forwarded-For or RemoteAddr: "ip",
// "ip:port" or "[ip]:port"; zones are dropped.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// Client is r's client address: the peer, or when the peer is a trusted
// proxy, the rightmost X-Forwarded-For hop that is not one.
func (t TrustedProxies) Client(r *http.Request) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return ClientIPOf(r)
	}
	if len(t) == 0 || !t.trusts(peer) {
		return peer.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i, n := len(hops)-1, 0; i >= 0 && n < maxForwardedHops; i, n = i-1, n+1 {
		a, ok := parseHop(hops[i])
		if !ok {
			// Garbage a trusted proxy would not have written: the client's.
			break
		}
		client = a
		if !t.trusts(a) {
			break
		}
	}
	return client.String()
}

// Middleware rewrites each request's RemoteAddr to its client (Client), so
// that everything after it sees the client's address.
func (t TrustedProxies) Middleware(next http.Handler) http.Handler {
	if len(t) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := t.Client(r); c != "" {
			r2 := *r
			r2.RemoteAddr = net.JoinHostPort(c, "0")
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}
