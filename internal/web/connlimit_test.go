package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// serveLimited serves a trivial handler through LimitConns(max, trusted).
func serveLimited(t *testing.T, max int, trusted TrustedProxies) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })}
	go func() { _ = srv.Serve(LimitConns(ln, max, 0, trusted)) }()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// keepAlive connects from source address from, asks once, and returns the
// connection kept alive; ok is false when the server closed it instead.
func keepAlive(t *testing.T, addr, from string) (net.Conn, bool) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 3 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return c, false
	}
	if !strings.HasPrefix(line, "HTTP/1.1 200") {
		t.Fatalf("answer %q", line)
	}
	return c, true
}

// TestLimitConns: one address holds at most max connections, idle keep-alive
// ones included; the next is closed at accept while another address is still
// served; a closed connection gives its slot back; trusted proxies are exempt.
func TestLimitConns(t *testing.T) {
	addr := serveLimited(t, 3, nil)
	var held []net.Conn
	for i := range 3 {
		c, ok := keepAlive(t, addr, "127.0.0.2")
		if !ok {
			t.Fatalf("connection %d refused under the cap", i)
		}
		held = append(held, c)
	}
	if _, ok := keepAlive(t, addr, "127.0.0.2"); ok {
		t.Fatal("a fourth connection from one address was served")
	}
	if _, ok := keepAlive(t, addr, "127.0.0.3"); !ok {
		t.Fatal("another address was refused")
	}
	held[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := keepAlive(t, addr, "127.0.0.2"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed connection did not give its slot back")
		}
		time.Sleep(50 * time.Millisecond)
	}

	proxied := serveLimited(t, 1, TrustedProxies{netip.MustParsePrefix("127.0.0.4/32")})
	for i := range 3 {
		if _, ok := keepAlive(t, proxied, "127.0.0.4"); !ok {
			t.Fatalf("trusted proxy's connection %d refused", i)
		}
	}
	if _, ok := keepAlive(t, proxied, "127.0.0.5"); !ok {
		t.Fatal("first connection of an untrusted address refused")
	}
	if _, ok := keepAlive(t, proxied, "127.0.0.5"); ok {
		t.Fatal("an untrusted address passed the cap of 1")
	}
}

// TestLimitConnsIPv6Prefix: IPv6 clients count per /64.
func TestLimitConnsIPv6Prefix(t *testing.T) {
	a, _ := connKey(&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 1})
	b, _ := connKey(&net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.1"), Port: 1})
	if a.String() != "2001:db8::1" || b.String() != "10.0.0.1" {
		t.Fatalf("keys %s %s", a, b)
	}
}

// TestTotalConnsEvictIdleFirst: at the process's cap a new connection takes
// the place of the one idle the longest (many addresses holding keep-alive
// connections exhausted the process's files, an outside review); when every
// connection is busy in a request the new one is refused, and nothing is
// evicted.
func TestTotalConnsEvictIdleFirst(t *testing.T) {
	lim, addr := serveCapped(t, 3)

	var idle []net.Conn
	for i := range 3 {
		c, ok := keepAlive(t, addr, fmt.Sprintf("127.0.1.%d", i+1))
		if !ok {
			t.Fatalf("connection %d refused under the cap", i)
		}
		idle = append(idle, c)
		time.Sleep(20 * time.Millisecond) // idle since, in order
	}
	if _, ok := keepAlive(t, addr, "127.0.1.9"); !ok {
		t.Fatal("a new connection at the cap was refused while three were idle")
	}
	// The first, idle the longest, was closed for it.
	_ = idle[0].SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := idle[0].Read(make([]byte, 1)); err == nil {
		t.Fatal("the longest-idle connection is still open")
	}
	if n := lim.Open(); n != 3 {
		t.Fatalf("%d connections open, want 3", n)
	}

	// Every connection busy: the new one is refused, none evicted.
	for _, c := range idle[1:] {
		fmt.Fprintf(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	time.Sleep(100 * time.Millisecond)          // the server read them: busy
	busy, ok := keepAlive(t, addr, "127.0.1.8") // evicts the last idle one (127.0.1.9's)
	if !ok {
		t.Fatal("refused while one was idle")
	}
	fmt.Fprintf(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond)
	if _, ok := keepAlive(t, addr, "127.0.1.7"); ok {
		t.Fatal("a connection was served with every other one busy at the cap")
	}
}

// TestTotalConnsEvictTheFlood: at the cap with every connection busy, the
// address holding the most (more than busyShare) gives up its oldest for a
// new client (an outside recheck held the cap with requests trickling in a
// byte every 5 s); connections that never sent a request count as idle
// after a second.
func TestTotalConnsEvictTheFlood(t *testing.T) {
	_, addr := serveCapped(t, busyShare+2)
	dial := func(from string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 3 * time.Second}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	var flood []net.Conn
	for range busyShare + 2 {
		c := dial("127.0.2.1")
		fmt.Fprintf(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
		flood = append(flood, c)
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if _, ok := keepAlive(t, addr, "127.0.2.2"); !ok {
		t.Fatal("a new client was refused while one address held the whole cap busy")
	}
	_ = flood[0].SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := flood[0].Read(make([]byte, 1)); err == nil {
		t.Fatal("the flood's oldest connection is still open")
	}

	// Connections that send nothing: idle after newGrace.
	_, addr = serveCapped(t, 2)
	dial("127.0.3.1")
	dial("127.0.3.2")
	time.Sleep(newGrace + 200*time.Millisecond)
	if _, ok := keepAlive(t, addr, "127.0.3.3"); !ok {
		t.Fatal("two silent connections held the cap")
	}
}

func mustListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveCapped serves through a limiter of total connections in all: /slow
// answers only when the test ends (a busy connection), anything else at once.
func serveCapped(t *testing.T, total int) (*ConnLimiter, string) {
	t.Helper()
	release := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			<-release
		case "/big": // an answer far larger than the sockets' buffers
			chunk := make([]byte, 64<<10)
			for range 1024 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/queued": // a request waiting in a server queue
			done := Queued(r.Context())
			<-release
			done()
		case "/body": // a request whose body is awaited
			done := AwaitingBody(r.Context().Value(testConnKey{}).(net.Conn))
			_, _ = io.ReadAll(r.Body)
			done()
		case "/hijack", "/hijack-settled": // a websocket, signed in or not yet
			c, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			if r.URL.Path == "/hijack-settled" {
				c.(Settler).Settle()
			}
			_, _ = c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\n\r\n"))
			go func() { <-release; c.Close() }()
			return
		}
		_, _ = w.Write([]byte("ok"))
	})}
	lim := LimitConns(mustListen(t), 0, total, nil)
	srv.ConnState = lim.ConnState
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return WithConn(context.WithValue(ctx, testConnKey{}, c), c)
	}
	go func() { _ = srv.Serve(lim) }()
	t.Cleanup(func() { close(release); srv.Close() })
	return lim, lim.Addr().String()
}

// TestTotalConnsEvictPendingSockets: at the cap, a websocket that has not
// signed in yet is taken like an idle connection; a signed-in one never is.
// A review filled the cap with upgrades that never sent connection_init,
// reopened as each timed out: every new connection was refused.
func TestTotalConnsEvictPendingSockets(t *testing.T) {
	for _, c := range []struct {
		path  string
		taken bool
	}{{"/hijack", true}, {"/hijack-settled", false}} {
		t.Run(c.path, func(t *testing.T) {
			_, addr := serveCapped(t, 2)
			for i := range 2 {
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(fmt.Sprintf("127.0.4.%d", i+1))}, Timeout: 3 * time.Second}
				conn, err := d.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close() })
				fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", c.path)
				_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
				if line, err := bufio.NewReader(conn).ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 101") {
					t.Fatalf("upgrade %d: %q %v", i, line, err)
				}
			}
			time.Sleep(newGrace + 200*time.Millisecond)
			if _, ok := keepAlive(t, addr, "127.0.4.9"); ok != c.taken {
				t.Fatalf("a new client at a cap held by two %s sockets: served %v, want %v", c.path, ok, c.taken)
			}
		})
	}
}

type testConnKey struct{}

// TestTotalConnsEvictSlowBodies: at the cap, a connection whose request's
// body has been awaited past newGrace, or whose answer has been blocked that
// long by a client that does not read it, is taken for a new one, from
// however many addresses they come (reviews held the cap with 8 slow bodies
// from each of 1,260 addresses, and with pipelined downloads never read); a
// busy request whose body arrived is not.
func TestTotalConnsEvictSlowBodies(t *testing.T) {
	for _, c := range []struct {
		path  string
		taken bool
	}{{"/body", true}, {"/slow", false}, {"/big", true}, {"/queued", true}} {
		t.Run(c.path, func(t *testing.T) {
			_, addr := serveCapped(t, 2)
			for i := range 2 {
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(fmt.Sprintf("127.0.6.%d", i+1))}, Timeout: 3 * time.Second}
				conn, err := d.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close() })
				if c.path == "/big" || c.path == "/queued" {
					// An answer asked for and never read; a request waiting
					// its turn.
					fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", c.path)
					continue
				}
				// Ten bytes of a hundred: the rest never comes.
				fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789", c.path)
			}
			time.Sleep(newGrace + 300*time.Millisecond)
			if _, ok := keepAlive(t, addr, "127.0.6.9"); ok != c.taken {
				t.Fatalf("a new client at a cap held by two %s requests: served %v, want %v", c.path, ok, c.taken)
			}
		})
	}
}
