package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTrustedProxiesClient(t *testing.T) {
	tp, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7 ,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"untrusted peer ignores XFF", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted peer, one hop", "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"rightmost untrusted wins over spoofed left", "10.1.2.3:4000", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "192.0.2.7:4000", []string{"6.6.6.6, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"several headers", "10.1.2.3:1", []string{"6.6.6.6", "198.51.100.2, 10.0.0.1"}, "198.51.100.2"},
		{"no XFF: the proxy", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"all trusted: leftmost", "10.1.2.3:4000", []string{"10.0.0.9, 10.0.0.8"}, "10.0.0.9"},
		{"garbage stops at last trusted", "10.1.2.3:4000", []string{"evil, 10.0.0.8"}, "10.0.0.8"},
		{"ipv6 and ports", "[fd00::1]:4000", []string{"[2001:db8::5]:1234"}, "2001:db8::5"},
		{"ipv4-mapped peer", "[::ffff:10.1.2.3]:4000", []string{"198.51.100.3"}, "198.51.100.3"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, h := range c.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := tp.Client(r); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	var none TrustedProxies
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:5"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := none.Client(r); got != "10.1.2.3" {
		t.Errorf("no trusted proxies: got %q", got)
	}
	var seen string
	tp.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = ClientIPOf(r) })).
		ServeHTTP(httptest.NewRecorder(), func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "10.1.2.3:5"
			r.Header.Set("X-Forwarded-For", "198.51.100.9")
			return r
		}())
	if seen != "198.51.100.9" {
		t.Errorf("middleware: ClientIPOf saw %q", seen)
	}
}

func TestParseTrustedProxiesRefuses(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "nope", "10.0.0.1/x"} {
		if _, err := ParseTrustedProxies(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if tp, err := ParseTrustedProxies(" , "); err != nil || len(tp) != 0 {
		t.Errorf("empty list: %v %v", tp, err)
	}
}
