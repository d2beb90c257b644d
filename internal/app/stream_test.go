package app_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// slowReader opens GET path as token over a socket with a tiny receive
// buffer, reads the status line and a few bytes, then stops reading: a client
// that takes a download and never drains it.
type slowReader struct {
	c    net.Conn
	head string // what was read so far
	err  error
}

func openSlow(t *testing.T, addr, token, path string) *slowReader {
	t.Helper()
	s := openSlowErr(addr, token, path)
	if s.c != nil {
		t.Cleanup(func() { s.c.Close() })
	}
	if s.err != nil {
		t.Fatalf("opening a download: %v (%q)", s.err, s.head)
	}
	return s
}

func openSlowErr(addr, token, path string) *slowReader {
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return &slowReader{err: err}
	}
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", path, token)
	_ = c.SetReadDeadline(time.Now().Add(60 * time.Second))
	buf := make([]byte, 300)
	n, err := io.ReadAtLeast(c, buf, 200)
	return &slowReader{c: c, head: string(buf[:n]), err: err}
}

// rest reads what is left until the server closes; whole says the chunked
// body ended properly (its last chunk), i.e. the download was not cut.
func (s *slowReader) rest(t *testing.T) (n int, whole bool) {
	_ = s.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	var tail []byte
	r := bufio.NewReaderSize(s.c, 64<<10)
	buf := make([]byte, 64<<10)
	for {
		k, err := r.Read(buf)
		n += k
		tail = append(tail, buf[:k]...)
		if len(tail) > 16 {
			tail = tail[len(tail)-16:]
		}
		if bytes.HasSuffix(tail, []byte("\r\n0\r\n\r\n")) {
			return n, true
		}
		if err != nil {
			return n, false
		}
	}
}

// smallBuffers serves e's certlink on a second listener whose connections
// have small, fixed send buffers (no autotuning to megabytes), so a download
// of a few hundred KB stalls on a client that does not read, whatever the
// machine's TCP settings. It returns the address.
func smallBuffers(t *testing.T, e *testenv.Env) string {
	srv := httptest.NewUnstartedServer(e.App.Handler())
	srv.Listener = e.App.Listener(sndbufListener{srv.Listener})
	e.App.Configure(srv.Config, nil)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

type sndbufListener struct{ net.Listener }

func (l sndbufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

func downloadLimits(stall time.Duration, perAccount, perProcess int) testenv.Option {
	return func(c *app.Config) {
		c.DownloadStall, c.DownloadsPerAccount, c.DownloadsPerProcess = stall, perAccount, perProcess
		c.DownloadsPerOrganization = perProcess // one organization may use them all unless a test says otherwise
	}
}

// TestSlowReadersHoldNoConnection: more stalled readers of the skills report
// than the database pool has connections (8 on SQLite, 50 on MySQL) leave the
// rest of certlink answering at once — another user's {me} and a sign-in —
// because a download never holds a connection while its client does not read
// (the report is spooled at the database's pace). The stalled downloads are
// cut once a chunk waited longer than --download-stall.
func TestSlowReadersHoldNoConnection(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		const stall = 30 * time.Second
		e := testenv.Start(t, d, downloadLimits(stall, 1000, 1000))
		testenv.AddPeople(t, e.App.DB.Client, "4100002", 1500, []string{"AZ-104", "AZ-305"}) // 3,000 rows, ~700 KB
		addr := smallBuffers(t, e)
		sam, grace := e.Demo("sam@fabrikam.example"), e.Demo("grace@contoso.example")
		pool := e.App.DB.SQL.Stats().MaxOpenConnections
		if pool <= 0 || pool > 100 {
			t.Fatalf("pool size %d", pool)
		}
		start := time.Now()
		readers := make([]*slowReader, pool+2)
		var wg sync.WaitGroup
		for i := range readers { // at once: the stall counts from each one's start
			wg.Add(1)
			go func() {
				defer wg.Done()
				readers[i] = openSlowErr(addr, sam, "/reports/skills.csv")
			}()
		}
		wg.Wait()
		for i, r := range readers {
			t.Cleanup(func() { r.c.Close() })
			if r.err != nil || !strings.HasPrefix(r.head, "HTTP/1.1 200") {
				t.Fatalf("download %d: %v %q", i, r.err, r.head)
			}
		}
		time.Sleep(time.Second)
		if got := e.App.Downloads(); got != len(readers) {
			t.Fatalf("%d downloads running, want %d (they finished: the test's report is too small to stall)", got, len(readers))
		}
		t0 := time.Now()
		r := e.Do(grace, `{me{email}}`, nil)
		if r.Status != 200 || !strings.Contains(string(r.Data), "grace@contoso.example") {
			t.Fatalf("me while %d downloads stall: %d %s %v", len(readers), r.Status, r.Data, r.Errors)
		}
		if tok := e.Demo("mona@contoso.example"); tok == "" {
			t.Fatal("sign-in while downloads stall: no token")
		}
		if took := time.Since(t0); took > 5*time.Second {
			t.Fatalf("me and a sign-in took %s while %d downloads stall (pool %d)", took, len(readers), pool)
		}
		// The stalled downloads are cut once a chunk waited past the stall.
		testenv.Eventually(t, stall+20*time.Second, func() bool { return e.App.Downloads() == 0 }, "stalled downloads still running")
		if took := time.Since(start); took < stall {
			t.Fatalf("downloads ended after %s, before the stall of %s", took, stall)
		}
		for i, s := range readers {
			if n, whole := s.rest(t); whole {
				t.Fatalf("stalled download %d was not cut (%d more bytes, ended properly)", i, n)
			}
		}
		// A reader that keeps up gets the whole report.
		res, body := e.Get(sam, "/reports/skills.csv")
		if res.StatusCode != 200 || bytes.Count(body, []byte("\n")) < 3000 {
			t.Fatalf("whole download: %d, %d lines", res.StatusCode, bytes.Count(body, []byte("\n")))
		}
	})
}

// TestDownloadCaps: beyond --downloads-per-account running at once an
// account's download is refused, beyond --downloads-per-process anyone's:
// RATE_LIMITED, 429, Retry-After; a slot comes back when its download ends.
// The audit log export is capped the same way.
func TestDownloadCaps(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, downloadLimits(time.Minute, 2, 3))
	testenv.AddPeople(t, e.App.DB.Client, "4100002", 1500, []string{"AZ-104", "AZ-305"})
	testenv.AddPeople(t, e.App.DB.Client, "4100001", 1500, []string{"AZ-104", "AZ-305"})
	addr := smallBuffers(t, e)
	sam, grace, mona := e.Demo("sam@fabrikam.example"), e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")
	refused := func(token, path, why string) {
		t.Helper()
		res, body := e.Get(token, path)
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"RATE_LIMITED"`) || res.Header.Get("Retry-After") == "" {
			t.Fatalf("%s: %d %.200q Retry-After %q", why, res.StatusCode, body, res.Header.Get("Retry-After"))
		}
	}
	s1 := openSlow(t, addr, sam, "/reports/skills.csv")
	openSlow(t, addr, sam, "/reports/skills.csv")
	time.Sleep(500 * time.Millisecond)
	if got := e.App.Downloads(); got != 2 {
		t.Fatalf("%d downloads running, want 2 (they finished: the report is too small to stall)", got)
	}
	refused(sam, "/reports/skills.csv", "sam's third download")
	refused(sam, "/reports/audit.csv", "sam's audit export beside two downloads")
	openSlow(t, addr, grace, "/reports/skills.csv")
	if e.App.Downloads() != 3 {
		t.Fatalf("%d downloads running, want 3", e.App.Downloads())
	}
	refused(mona, "/reports/skills.csv", "a fourth download in the process")
	s1.c.Close()
	testenv.Eventually(t, 20*time.Second, func() bool { return e.App.Downloads() == 2 }, "the closed download still counts")
	if res, body := e.Get(mona, "/reports/skills.csv"); res.StatusCode != 200 || bytes.Count(body, []byte("\n")) < 3000 {
		t.Fatalf("after a slot came back: %d, %d lines", res.StatusCode, bytes.Count(body, []byte("\n")))
	}
}

// TestDownloadCapPerOrganization: one organization's accounts together run
// at most --downloads-per-organization downloads; another organization's
// still run. A review's one organization, with 11 self-invited Global Admins
// each holding 3 slow downloads, took all 32 of the process's slots, and
// every other organization's downloads were refused for as long as it liked.
func TestDownloadCapPerOrganization(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, downloadLimits(time.Minute, 2, 10), func(c *app.Config) { c.DownloadsPerOrganization = 3 })
	testenv.AddPeople(t, e.App.DB.Client, "4100002", 1500, []string{"AZ-104", "AZ-305"})
	testenv.AddPeople(t, e.App.DB.Client, "4100001", 1500, []string{"AZ-104", "AZ-305"})
	addr := smallBuffers(t, e)
	grace, mona, sam := e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example"), e.Demo("sam@fabrikam.example")
	openSlow(t, addr, grace, "/reports/skills.csv")
	openSlow(t, addr, grace, "/reports/skills.csv?orderBy=NAME")
	m1 := openSlow(t, addr, mona, "/reports/skills.csv")
	time.Sleep(500 * time.Millisecond)
	if got := e.App.Downloads(); got != 3 {
		t.Fatalf("%d downloads running, want 3", got)
	}
	res, body := e.Get(mona, "/reports/skills.csv")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"RATE_LIMITED"`) ||
		!strings.Contains(string(body), "Your organization has 3 downloads") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("mona's second download, Contoso's fourth: %d %.300q", res.StatusCode, body)
	}
	if res, body := e.Get(sam, "/reports/skills.csv"); res.StatusCode != 200 || bytes.Count(body, []byte("\n")) < 1500 {
		t.Fatalf("Fabrikam's download beside Contoso's three: %d, %d lines", res.StatusCode, bytes.Count(body, []byte("\n")))
	}
	m1.c.Close()
	testenv.Eventually(t, 20*time.Second, func() bool { return e.App.Downloads() == 2 }, "the closed download still counts")
	if res, _ := e.Get(mona, "/reports/skills.csv"); res.StatusCode != 200 {
		t.Fatalf("after Contoso's slot came back: %d", res.StatusCode)
	}
}

// TestConnsPerAddress: certlink's server caps the connections one address
// holds (--max-conns-per-address), idle keep-alive ones included, and closes
// idle ones after IdleTimeout.
func TestConnsPerAddress(t *testing.T) {
	if app.IdleTimeout > time.Minute {
		t.Fatalf("IdleTimeout %s: an address may keep idle connections too long", app.IdleTimeout)
	}
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.MaxConnsPerAddress = 4 })
	ask := func() bool {
		c, err := net.Dial("tcp", e.Server.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		line, err := bufio.NewReader(c).ReadString('\n')
		return err == nil && strings.HasPrefix(line, "HTTP/1.1 200")
	}
	for i := range 4 {
		if !ask() {
			t.Fatalf("connection %d refused under the cap", i)
		}
	}
	if ask() {
		t.Fatal("a fifth connection from one address was served")
	}
}
