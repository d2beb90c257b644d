package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
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
// exhaust the process's file descriptors, nor many addresses together. At
// the total cap a connection is closed to make room: the one idle the
// longest (between requests, or open a second without a request, as
// ConnState reports) — a keep-alive connection can be reopened — else the
// oldest of the address holding the most connections, when that is more
// than busyShare (its requests trickling in are the flood's, not a
// browser's few); only when neither exists is the new one refused. An
// outside review held 20,000 idle connections from 90 addresses and the
// process could open no file, its SQLite database included; a recheck held
// them busy instead, each sending a byte of its body every 5 s. IPv6 clients
// count per /64 (one host usually owns the whole prefix).
type ConnLimiter struct {
	net.Listener
	perAddress, total int
	trusted           TrustedProxies

	mu    sync.Mutex
	open  map[netip.Addr]int
	n     int
	idle  map[*limitedConn]time.Time
	conns map[*limitedConn]struct{} // every connection held, for eviction at the cap
}

// busyShare: at the total cap, an address holding more connections than
// this gives its oldest one up for a new connection even while it is busy.
const busyShare = 8

// newGrace: a connection that has sent no request this long is as good as
// idle at the cap.
const newGrace = time.Second

// LimitConns wraps ln with the caps; perAddress or total <= 0 is no cap of
// that kind.
func LimitConns(ln net.Listener, perAddress, total int, trusted TrustedProxies) *ConnLimiter {
	return &ConnLimiter{Listener: ln, perAddress: perAddress, total: total, trusted: trusted,
		open: map[netip.Addr]int{}, idle: map[*limitedConn]time.Time{}, conns: map[*limitedConn]struct{}{}}
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
			if evict = l.oldestIdleLocked(); evict == nil {
				evict = l.floodLocked()
			}
			if evict == nil {
				evict = l.stalledLocked()
			}
			if evict == nil {
				l.mu.Unlock()
				_ = c.Close() // every connection is busy and none is a flood's: refused at once
				continue
			}
			delete(l.idle, evict)
			delete(l.conns, evict)
		}
		if keyed {
			l.open[key]++
		}
		l.n++
		lc := &limitedConn{Conn: c, key: key, keyed: keyed, since: time.Now()}
		lc.release = func() { l.release(lc, key, keyed) }
		lc.settle = func() {
			l.mu.Lock()
			lc.settled = true
			l.mu.Unlock()
		}
		l.conns[lc] = struct{}{}
		l.mu.Unlock()
		if evict != nil {
			_ = evict.Close()
		}
		return lc, nil
	}
}

// oldestIdleLocked is the connection idle the longest: between requests, or
// open past newGrace without one.
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
	cutoff := time.Now().Add(-newGrace)
	for c := range l.conns {
		if ((!c.started && !c.hijacked) || c.pendingSocket()) && c.since.Before(cutoff) && (oldest == nil || c.since.Before(since)) {
			oldest, since = c, c.since
		}
	}
	return oldest
}

// floodLocked is the oldest connection (a signed-in websocket's excepted) of
// the client address holding the most, when it holds more than busyShare.
func (l *ConnLimiter) floodLocked() *limitedConn {
	var top netip.Addr
	most := busyShare
	for a, n := range l.open {
		if n > most {
			top, most = a, n
		}
	}
	if most == busyShare {
		return nil
	}
	var oldest *limitedConn
	for c := range l.conns {
		if c.keyed && c.key == top && (!c.hijacked || c.pendingSocket()) && (oldest == nil || c.since.Before(oldest.since)) {
			oldest = c
		}
	}
	return oldest
}

// stalledLocked is, among the connections stalled past newGrace — waiting
// for a request's body (AwaitingBody), or blocked writing an answer the
// client does not read — the one moving the fewest bytes a second since it
// stalled: a slow sender or a reader that stopped, from however many
// addresses they come. Reviews held the cap with slow bodies from 1,260
// addresses (8 each: no flood, none idle) and with pipelined downloads
// never read; every new connection was refused. A large upload at its
// normal pace moves far more bytes a second and is taken last.
func (l *ConnLimiter) stalledLocked() *limitedConn {
	var (
		slowest *limitedConn
		rate    float64
	)
	now := time.Now()
	for c := range l.conns {
		if c.hijacked && c.settled {
			continue // a signed-in websocket is never taken
		}
		since, moved := c.stall()
		if since.IsZero() || now.Sub(since) < newGrace {
			continue
		}
		r := float64(moved) / now.Sub(since).Seconds()
		if slowest == nil || r < rate {
			slowest, rate = c, r
		}
	}
	return slowest
}

func (l *ConnLimiter) release(c *limitedConn, key netip.Addr, keyed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n--
	delete(l.idle, c)
	delete(l.conns, c)
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
	switch state {
	case http.StateIdle:
		// The request's body is read (or given up) by now.
		lc.awaitingSince.Store(0)
		if !lc.isClosed() {
			l.idle[lc] = time.Now()
		}
		return
	case http.StateActive:
		lc.started = true
	case http.StateHijacked:
		lc.hijacked = true
		lc.awaitingSince.Store(0)
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
	settle  func()

	// Bytes read and written, and since when a request's body is awaited
	// (with the bytes moved then) and since when a write is blocked (unix
	// nanoseconds; 0: not), for stalledLocked.
	in, out       atomic.Int64
	awaitingSince atomic.Int64
	awaitingMoved atomic.Int64
	writingSince  atomic.Int64
	writingMoved  atomic.Int64
	queuedSince   atomic.Int64
	queuedMoved   atomic.Int64

	// Under the limiter's lock: who holds it, since when, and what
	// ConnState said (a request began; a websocket took it over), and
	// whether the websocket is signed in (Settle).
	key                        netip.Addr
	keyed                      bool
	since                      time.Time
	started, hijacked, settled bool
}

func (c *limitedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	return n, err
}

func (c *limitedConn) Write(p []byte) (int, error) {
	c.writingMoved.Store(c.in.Load() + c.out.Load())
	c.writingSince.Store(time.Now().UnixNano())
	n, err := c.Conn.Write(p)
	c.writingSince.Store(0)
	c.out.Add(int64(n))
	return n, err
}

// stall is since when c is stalled (zero: it is not) and how many bytes it
// moved since: the earliest of a body awaited, a write blocked and a wait
// in a server queue.
func (c *limitedConn) stall() (time.Time, int64) {
	moved := c.in.Load() + c.out.Load()
	var since int64
	var base int64
	for _, s := range [][2]*atomic.Int64{{&c.awaitingSince, &c.awaitingMoved}, {&c.writingSince, &c.writingMoved}, {&c.queuedSince, &c.queuedMoved}} {
		if t := s[0].Load(); t != 0 && (since == 0 || t < since) {
			since, base = t, s[1].Load()
		}
	}
	if since == 0 {
		return time.Time{}, 0
	}
	return time.Unix(0, since), moved - base
}

type connCtxKey struct{}

// WithConn is ctx carrying the connection its request arrived on (Queued).
func WithConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connCtxKey{}, c)
}

// Queued marks the connection of ctx's request (WithConn; a ConnLimiter's)
// as waiting in one of the server's queues — a password check, the
// caller's turn — until done is called: it moves nothing meanwhile, and at
// the total cap a connection stalled so past a second may be taken
// (stalledLocked). A review held the cap with sign-ins waiting their turn
// in the password queue, one connection from each of 60 addresses.
func Queued(ctx context.Context) (done func()) {
	lc, ok := ctx.Value(connCtxKey{}).(*limitedConn)
	if !ok {
		return func() {}
	}
	now := time.Now().UnixNano()
	if !lc.queuedSince.CompareAndSwap(0, now) {
		return func() {} // an outer wait marked it already, and counts from there
	}
	lc.queuedMoved.Store(lc.in.Load() + lc.out.Load())
	return func() { lc.queuedSince.CompareAndSwap(now, 0) }
}

// AwaitingBody marks c (a connection of a ConnLimiter; any other is left
// alone) as waiting for its request's body until the returned function is
// called, or until the connection next goes idle: at the total cap, a
// stalled connection may be taken for a new one (stalledLocked).
func AwaitingBody(c net.Conn) (done func()) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return func() {}
	}
	lc.awaitingMoved.Store(lc.in.Load() + lc.out.Load())
	lc.awaitingSince.Store(time.Now().UnixNano())
	return func() { lc.awaitingSince.Store(0) }
}

// Settle marks a websocket's connection signed in: the cap never takes it
// then. Until it is, a websocket (upgraded, its connection_init not yet
// accepted) is taken like an idle connection: a review filled the cap with
// upgrades that never sent connection_init, reopened as each timed out, and
// every new connection was refused.
func (c *limitedConn) Settle() { c.settle() }

// pendingSocket: a websocket not signed in yet; under the limiter's lock.
func (c *limitedConn) pendingSocket() bool { return c.hijacked && !c.settled }

// Settler is a connection a websocket marks signed in (ConnLimiter's).
type Settler interface{ Settle() }

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

// TCPConn is the TCP connection under c (a connection this package's
// limiter accepted, or one of net's), or nil.
func TCPConn(c net.Conn) *net.TCPConn {
	if lc, ok := c.(*limitedConn); ok {
		c = lc.Conn
	}
	tc, _ := c.(*net.TCPConn)
	return tc
}
