package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"
)

// Browser is a client with its own cookies (session and device cookies) and,
// optionally, its own source address on the loopback network (127.0.0.2,
// 127.0.0.3, …): a person at another place, as the server sees it.
type Browser struct {
	e *Env
	// HTTP is the browser's client: its cookie jar and source address.
	HTTP *http.Client
}

// Browser returns a new browser; from is the source address ("" for the default).
func (e *Env) Browser(from string) *Browser {
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if from != "" {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
		tr.DialContext = d.DialContext
	}
	e.T.Cleanup(tr.CloseIdleConnections)
	return &Browser{e: e, HTTP: &http.Client{Jar: jar, Transport: tr}}
}

// Do posts a GraphQL request with the browser's cookies.
func (b *Browser) Do(query string, vars map[string]any) *Response {
	b.e.T.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := b.HTTP.Post(b.e.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		b.e.T.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r Response
	if err := json.Unmarshal(raw, &r); err != nil {
		b.e.T.Fatalf("status %d, body %q: %v", res.StatusCode, raw, err)
	}
	r.Status, r.Header = res.StatusCode, res.Header
	return &r
}

// SignIn signs in from the browser and returns the answer.
func (b *Browser) SignIn(email, password string) *Response {
	b.e.T.Helper()
	return b.Do(`mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`,
		map[string]any{"e": email, "p": password})
}

// URL is the server's base URL.
func (b *Browser) URL() string { return b.e.URL }

// SetCookie puts a cookie in the browser's jar, as a forger would.
func (b *Browser) SetCookie(u *url.URL, name, value string) {
	b.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}
