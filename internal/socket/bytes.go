package socket

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// The bytes a client sends on a socket are budgeted below every frame: a
// websocket message may be cut into any number of frames (empty
// continuation frames cost 6 bytes each and never finish a message, so no
// message or control-frame bucket sees them). The budget delays the reads
// (TCP pushes back on the client) instead of closing: a legitimate large
// message only arrives a little later.

// hijackThrottle hands the websocket implementation a connection whose reads
// spend a byte bucket and whose writes each have writeTimeout to complete.
type hijackThrottle struct {
	http.ResponseWriter
	rate, burst  float64
	writeTimeout time.Duration
}

func (h *hijackThrottle) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// Hijack implements http.Hijacker.
func (h *hijackThrottle) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	tc := newThrottledConn(c, h.rate, h.burst, time.Now(), time.Sleep)
	tc.writeTimeout = h.writeTimeout
	// The returned writer writes to the connection it was made for, not to
	// tc: the websocket library writes through it (it reads from the
	// connection it is given), so it must go through tc too.
	if err := brw.Writer.Flush(); err != nil {
		c.Close()
		return nil, nil, err
	}
	brw.Writer.Reset(tc)
	return tc, brw, nil
}

// throttledConn delays its reads past rate bytes a second (after a burst),
// and fails a write the peer does not take within writeTimeout. The
// websocket library writes with a context that never ends (gqlgen's), so
// without the deadline a client that stops reading would hold its writer,
// and every answer queued behind it, until the TCP connection died (outside
// review: 2 MB queued on a socket still open after 600 s).
type throttledConn struct {
	net.Conn
	sleep        func(time.Duration)
	writeTimeout time.Duration

	mu          sync.Mutex
	rate, burst float64
	tokens      float64
	last        time.Time
	now         func() time.Time
}

func newThrottledConn(c net.Conn, rate, burst float64, now time.Time, sleep func(time.Duration)) *throttledConn {
	return &throttledConn{Conn: c, sleep: sleep, rate: rate, burst: burst, tokens: burst, last: now, now: time.Now}
}

// Read reads, then waits until the bytes read are paid for.
func (c *throttledConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.rate > 0 {
		if d := c.spend(n); d > 0 {
			c.sleep(d)
		}
	}
	return n, err
}

// Write writes p within the write timeout; past it the write fails (a
// timeout error) and the websocket closes the connection.
func (c *throttledConn) Write(p []byte) (int, error) {
	if c.writeTimeout > 0 {
		if err := c.Conn.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
			return 0, err
		}
	}
	n, err := c.Conn.Write(p)
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		// Half a frame may be out: nothing more can be written on it, and
		// the reader must stop too for the socket to end.
		c.Conn.Close()
	}
	return n, err
}

// spend takes n bytes from the bucket and returns how long to wait for the
// debt to be paid.
func (c *throttledConn) spend(n int) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.tokens = min(c.burst, c.tokens+now.Sub(c.last).Seconds()*c.rate)
	c.last = now
	c.tokens -= float64(n)
	if c.tokens >= 0 {
		return 0
	}
	return time.Duration(-c.tokens / c.rate * float64(time.Second))
}
