package socket

import (
	"net/url"
	"strings"
)

// NormalizeOrigin is origin (an Origin header, or a URL whose origin is
// meant) as scheme://host[:port], lower case, without the scheme's default
// port; "" when it is not an http(s) origin. Two origins are the same only
// when their normal forms are equal: scheme, host and port all count.
func NormalizeOrigin(origin string) string {
	u, err := url.Parse(strings.TrimSpace(origin))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" {
		return ""
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// OriginRefused is what an upgrade from a refused origin is told (FORBIDDEN).
const OriginRefused = "This page's origin may not open certlink's websocket: open the app at its own address (--public-url) or add the origin to --cors-origins."

// OriginAllowed reports whether an upgrade request's Origin headers let it
// open a socket: none (a tool, which authenticates in connection_init), or
// exactly one whose normal form is one of allowed's.
func OriginAllowed(values []string, allowed []string) bool {
	switch len(values) {
	case 0:
		return true
	case 1:
		o := NormalizeOrigin(values[0])
		if o == "" {
			return false
		}
		for _, a := range allowed {
			if NormalizeOrigin(a) == o {
				return true
			}
		}
	}
	return false
}
