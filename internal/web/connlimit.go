package web

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// DefaultConnsPerAddress is how many connections one client address may hold
// open at once (--max-conns-per-address).
const DefaultConnsPerAddress = 256

// ConnLimiter is a listener that bounds the connections it holds open: per
// client address (perAddress; trusted proxies are exempt: a load balancer
// carries many clients on its connections) and in all (total). A connection
// beyond a cap is closed as it is accepted, before it costs a goroutine or a
// request. Idle keep-alive connections count too, so one address cannot
// exhaust the process's file descriptors, nor many addresses together: at
// the total cap the connection idle the longest (between requests, as
// ConnState reports) is closed to make room — a keep-alive connection can
// be reopened — and only when none is idle is the new one refused (an
// outside review held 20,000 idle connections from 90 addresses and the
// process could open no file, its SQLite database included). IPv6 clients
// count per /64 (one host usually owns the whole prefix).
type ConnLimiter struct {
	net.Listener
	perAddress, total int
	trusted           TrustedProxies

	mu   sync.Mutex
	open map[netip.Addr]int
	n    int
	idle map[*limitedConn]time.Time
}

// LimitConns wraps ln with the caps; perAddress or total <= 0 is no cap of
// that kind.
func LimitConns(ln net.Listener, perAddress, total int, trusted TrustedProxies) *ConnLimiter {
	return &ConnLimiter{Listener: ln, perAddress: perAddress, total: total, trusted: trusted,
		open: map[netip.Addr]int{}, idle: map[*limitedConn]time.Time{}}
}

func (l *ConnLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, keyed := connKey(c.RemoteAddr())
		if keyed && !l.trusted.trusts(key) {
			key = addressKey(key)
		} else {
			keyed = false
		}
		l.mu.Lock()
		if keyed && l.perAddress > 0 && l.open[key] >= l.perAddress {
			l.mu.Unlock()
			_ = c.Close() // over the address's cap: refused at once
			continue
		}
		var evict *limitedConn
		if l.total > 0 && l.n >= l.total {
			evict = l.oldestIdleLocked()
			if evict == nil {
				l.mu.Unlock()
				_ = c.Close() // every connection is busy: refused at once
				continue
			}
			delete(l.idle, evict)
		}
		if keyed {
			l.open[key]++
		}
		l.n++
		l.mu.Unlock()
		if evict != nil {
			_ = evict.Close()
		}
		lc := &limitedConn{Conn: c}
		lc.release = func() { l.release(lc, key, keyed) }
		return lc, nil
	}
}

func (l *ConnLimiter) oldestIdleLocked() *limitedConn {
	var (
		oldest *limitedConn
		since  time.Time
	)
	for c, at := range l.idle {
		if oldest == nil || at.Before(since) {
			oldest, since = c, at
		}
	}
	return oldest
}

func (l *ConnLimiter) release(c *limitedConn, key netip.Addr, keyed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n--
	delete(l.idle, c)
	if keyed {
		if l.open[key]--; l.open[key] <= 0 {
			delete(l.open, key)
		}
	}
}

// ConnState is http.Server's ConnState hook: it tells the limiter which
// connections are idle between requests.
func (l *ConnLimiter) ConnState(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == http.StateIdle {
		if !lc.isClosed() {
			l.idle[lc] = time.Now()
		}
		return
	}
	delete(l.idle, lc)
}

// Open is how many connections the limiter holds (tests, metrics).
func (l *ConnLimiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func connKey(a net.Addr) (netip.Addr, bool) { return parseHop(a.String()) }

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	done    bool
	mu      sync.Mutex
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.mu.Lock()
		c.done = true
		c.mu.Unlock()
		c.release()
	})
	return err
}

func (c *limitedConn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}
