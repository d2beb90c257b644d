package web

import (
	"net"
	"net/netip"
	"sync"
)

// DefaultConnsPerAddress is how many connections one client address may hold
// open at once (--max-conns-per-address).
const DefaultConnsPerAddress = 256

// LimitConns wraps ln so that one client address holds at most max
// connections at once: a connection beyond that is closed as it is accepted,
// before it costs a goroutine or a request. Idle keep-alive connections count
// too, so one address cannot exhaust the process's file descriptors. IPv6
// clients count per /64 (one host usually owns the whole prefix). Peers that
// are trusted proxies are not limited: a load balancer carries many clients
// on its connections. max <= 0 leaves ln as it is.
func LimitConns(ln net.Listener, max int, trusted TrustedProxies) net.Listener {
	if max <= 0 {
		return ln
	}
	return &connLimiter{Listener: ln, max: max, trusted: trusted, open: map[netip.Addr]int{}}
}

type connLimiter struct {
	net.Listener
	max     int
	trusted TrustedProxies
	mu      sync.Mutex
	open    map[netip.Addr]int
}

func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, ok := connKey(c.RemoteAddr())
		if !ok || l.trusted.trusts(key) {
			return c, nil
		}
		key = addressKey(key)
		l.mu.Lock()
		if l.open[key] >= l.max {
			l.mu.Unlock()
			_ = c.Close() // over the cap: refused at once
			continue
		}
		l.open[key]++
		l.mu.Unlock()
		return &limitedConn{Conn: c, release: func() { l.release(key) }}, nil
	}
}

func (l *connLimiter) release(key netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
}

func connKey(a net.Addr) (netip.Addr, bool) { return parseHop(a.String()) }

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite keeps net/http's graceful close (a half-close before the
// connection's end) working through the wrapper.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
