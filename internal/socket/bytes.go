package socket

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"certlink/internal/web"
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
	rate, burst float64
	// pendingRate and pendingBurst, when > 0, are the budget until the
	// socket is signed in (settle): a socket that has not sent its
	// connection_init needs a few hundred bytes, and a flood of them from
	// many addresses (each at the full budget) took both cores (review).
	pendingRate, pendingBurst float64
	writeTimeout              time.Duration
	// maxFrame, when > 0, closes the socket 1009 as soon as a data frame's
	// header declares more payload than it (frameWatch).
	maxFrame int64
	// settle marks the hijacked connection signed in at the listener's cap
	// (web.Settler; nil when it is not one).
	settle func()
}

func (h *hijackThrottle) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// Hijack implements http.Hijacker.
func (h *hijackThrottle) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	tc := newThrottledConn(c, h.rate, h.burst, time.Now(), time.Sleep)
	var settleListener func()
	if s, ok := c.(web.Settler); ok {
		settleListener = s.Settle
	}
	if h.pendingRate > 0 {
		tc.pending(h.pendingRate, h.pendingBurst)
	}
	h.settle = func() {
		if settleListener != nil {
			settleListener()
		}
		tc.signedIn()
	}
	tc.writeTimeout = h.writeTimeout
	tc.frames.limit = h.maxFrame
	// What the client sent right behind its upgrade request is read from
	// the buffer, not through tc (the library reads the buffer first): the
	// frame watch starts with it, or it would take a payload byte for a
	// header and close a sound socket 1009 (seen under load in CI).
	if n := brw.Reader.Buffered(); n > 0 && tc.frames.limit > 0 {
		early, _ := brw.Reader.Peek(n)
		if !tc.frames.feed(early) {
			closeTooBig(c)
			return nil, nil, errFrameTooLarge
		}
	}
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

	// wmu keeps the close frame Read may write (frameWatch) from
	// interleaving with the library's writes.
	wmu sync.Mutex
	// frames follows the client's frame headers (read by one goroutine).
	frames frameWatch

	mu          sync.Mutex
	rate, burst float64
	tokens      float64
	last        time.Time
	now         func() time.Time
	// full is the budget once signed in, while rate and burst are the
	// pending socket's (pending).
	full *[2]float64
}

// framePenalty is what each frame costs in the byte budget beyond its
// bytes (when the frame watch runs): an empty continuation frame is 6 bytes
// on the wire but a frame's worth of work to read, and a flood of them at
// the byte rate alone took a core (review).
const framePenalty = 512

// pending makes the budget rate and burst until signedIn.
func (c *throttledConn) pending(rate, burst float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.full = &[2]float64{c.rate, c.burst}
	c.rate, c.burst, c.tokens = rate, burst, min(c.tokens, burst)
}

// signedIn gives the socket its full budget.
func (c *throttledConn) signedIn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.full != nil {
		c.rate, c.burst, c.full = c.full[0], c.full[1], nil
	}
}

func newThrottledConn(c net.Conn, rate, burst float64, now time.Time, sleep func(time.Duration)) *throttledConn {
	return &throttledConn{Conn: c, sleep: sleep, rate: rate, burst: burst, tokens: burst, last: now, now: time.Now}
}

// Read reads, then waits until the bytes read are paid for.
func (c *throttledConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	cost := n
	before := c.frames.headers
	if n > 0 && c.frames.limit > 0 && !c.frames.feed(p[:n]) {
		// A message over the limit is closed 1009 once its bytes arrive;
		// one whose header declares it (up to 2^63 bytes) is closed now,
		// not held open waiting for them.
		c.wmu.Lock()
		if c.writeTimeout > 0 {
			_ = c.Conn.SetWriteDeadline(time.Now().Add(c.writeTimeout))
		}
		closeTooBig(c.Conn)
		c.wmu.Unlock()
		return 0, errFrameTooLarge
	}
	cost += (c.frames.headers - before) * framePenalty
	if n > 0 && c.rate > 0 {
		if d := c.spend(cost); d > 0 {
			c.sleep(d)
		}
	}
	return n, err
}

// Write writes p within the write timeout; past it the write fails (a
// timeout error) and the websocket closes the connection.
func (c *throttledConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
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

// closeTooBig writes a close frame 1009 (unmasked, a server's) and closes c.
func closeTooBig(c net.Conn) {
	_, _ = c.Write([]byte{0x88, 0x02, 0x03, 0xf1})
	c.Close()
}

// errFrameTooLarge ends a socket whose client declared a frame over the limit.
var errFrameTooLarge = errors.New("websocket: a frame declared more payload than a message may hold")

// frameWatch follows the frames of a client's byte stream (RFC 6455 5.2):
// it reads each header and skips its payload. feed reports false once a
// data or continuation frame declares more than limit bytes of payload.
type frameWatch struct {
	limit int64
	hdr   [14]byte
	have  int   // header bytes read so far
	skip  int64 // payload bytes still to pass
	// headers counts the frame headers read whole.
	headers int
}

func (w *frameWatch) feed(b []byte) bool {
	for len(b) > 0 {
		if w.skip > 0 {
			k := int64(len(b))
			if k > w.skip {
				k = w.skip
			}
			w.skip -= k
			b = b[k:]
			continue
		}
		w.hdr[w.have] = b[0]
		w.have++
		b = b[1:]
		if w.have < 2 {
			continue
		}
		need := 2
		switch w.hdr[1] & 0x7f {
		case 126:
			need += 2
		case 127:
			need += 8
		}
		if w.hdr[1]&0x80 != 0 {
			need += 4 // the mask key
		}
		if w.have < need {
			continue
		}
		var n uint64
		switch w.hdr[1] & 0x7f {
		case 126:
			n = uint64(w.hdr[2])<<8 | uint64(w.hdr[3])
		case 127:
			for _, x := range w.hdr[2:10] {
				n = n<<8 | uint64(x)
			}
		default:
			n = uint64(w.hdr[1] & 0x7f)
		}
		w.have = 0
		w.headers++
		if op := w.hdr[0] & 0x0f; op < 8 && n > uint64(w.limit) {
			return false
		}
		if n > 1<<62 {
			return false // not a length any frame can have (RFC 6455: the top bit is 0)
		}
		w.skip = int64(n)
	}
	return true
}
