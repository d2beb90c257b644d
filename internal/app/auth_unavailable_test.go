package app_test

import (
	"certlink/internal/app"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// When a sign-in cannot be checked (the database does not answer), /graphql
// answers in GraphQL's shape with a code the caller can retry — 503,
// errors[].extensions.code UNAVAILABLE (A5) — and the CSV endpoints in
// theirs; never a bare text/plain 503 (outside review: a cluster that lost
// its quorum answered "authentication is unavailable" with no code).
func TestSignInUncheckableAnswersCoded(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	if err := e.App.DB.SQL.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/graphql", `{"query":"{me{email}}"}`},
		{"GET", "/graphql?query=%7Bme%7Bemail%7D%7D", ""},
		{"GET", "/reports/skills.csv", ""},
	} {
		req, _ := http.NewRequest(c.method, e.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+grace)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
			Error *struct{ Code string }
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Fatalf("%s %s: %d %v (Retry-After %q)", c.method, c.path, res.StatusCode, err, res.Header.Get("Retry-After"))
		}
		if strings.HasPrefix(c.path, "/graphql") {
			if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "UNAVAILABLE" {
				t.Fatalf("%s %s: %+v, want a GraphQL error coded UNAVAILABLE", c.method, c.path, out)
			}
		} else if out.Error == nil || out.Error.Code != "UNAVAILABLE" {
			t.Fatalf("%s %s: %+v, want {error:{code:UNAVAILABLE}}", c.method, c.path, out)
		}
	}
}

// freezer forwards TCP connections to target until frozen, then holds what
// either side sends, as a database server that stopped (SIGSTOP) or a
// network partition does: connections stay open, nothing answers.
type freezer struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frozen bool
	thawed chan struct{}
}

func newFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target, thawed: make(chan struct{})}
	close(f.thawed)
	t.Cleanup(func() { f.thaw(); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go f.pipe(c, up)
			go f.pipe(up, c)
		}
	}()
	return f
}

func (f *freezer) pipe(from, to net.Conn) {
	defer from.Close()
	defer to.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			f.mu.Lock()
			wait := f.thawed
			f.mu.Unlock()
			<-wait
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.frozen {
		f.frozen, f.thawed = true, make(chan struct{})
	}
}

func (f *freezer) thaw() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frozen {
		f.frozen = false
		close(f.thawed)
	}
}

// TestFrozenDatabaseAnswersWithinTheRequestTimeout: while the database takes
// connections but answers nothing (a review froze MariaDB with SIGSTOP),
// every request answers within --request-timeout, TIMEOUT, instead of hanging
// as long as the freeze: the sign-in check had no deadline of its own.
func TestFrozenDatabaseAnswersWithinTheRequestTimeout(t *testing.T) {
	if !slices.Contains(testenv.Dialects(), testenv.MySQL) {
		t.Skip(testenv.MySQLEnv + " is not set")
	}
	e := testenv.Start(t, testenv.MySQL)
	u, err := url.Parse(e.App.Config.DB)
	if err != nil || strings.Contains(u.Host, ",") {
		t.Skipf("one database host needed, not %q", e.App.Config.DB)
	}
	f := newFreezer(t, u.Host)
	proxied := *u
	proxied.Host = f.ln.Addr().String()
	const timeout = time.Second
	second := e.Second(func(c *app.Config) { c.DB, c.RequestTimeout = proxied.String(), timeout })
	grace := e.Demo("grace@contoso.example")
	if r := second.Do(grace, `{me{email}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("before the freeze: %+v", r.Errors)
	}

	f.freeze()
	for _, q := range []string{`{me{email}}`, `{competencyProgress{status}}`} {
		start := time.Now()
		done := make(chan *testenv.Response, 1)
		go func() { done <- second.Do(grace, q, nil) }()
		select {
		case r := <-done:
			if took := time.Since(start); took > 3*timeout || r.Code() != "TIMEOUT" {
				t.Errorf("%s while the database is frozen: %s after %v, want TIMEOUT within about %v", q, r.Code(), took, timeout)
			}
		case <-time.After(8 * timeout):
			f.thaw()
			<-done
			t.Fatalf("%s waited for the frozen database: no answer in %v (--request-timeout %v)", q, 8*timeout, timeout)
		}
	}
	f.thaw()
	testenv.Eventually(t, 10*time.Second, func() bool {
		return len(second.Do(grace, `{me{email}}`, nil).Errors) == 0
	}, "answers again once the database is back")
}
