package web

import (
	"bufio"
	"compress/gzip"
	"net"
	"net/http"
	"strings"
	"sync"
)

// compressMin is the smallest answer worth compressing: below it gzip's own
// header costs about what it saves.
const compressMin = 1024

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// Gzip compresses the answers of next whose Content-Type one of types begins
// with, for a request that accepts gzip, once the answer is at least 1 KiB.
// It sets Vary: Accept-Encoding on every such answer. Websocket upgrades and
// answers already encoded pass through.
func Gzip(next http.Handler, types ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w, types: types, accepts: Accepts(r.Header.Get("Accept-Encoding"), "gzip")}
		defer cw.finish()
		next.ServeHTTP(cw, r)
	})
}

// compressWriter holds the first KiB of an answer to decide whether to compress it.
type compressWriter struct {
	http.ResponseWriter
	types   []string
	accepts bool

	status   int
	decided  bool
	checked  bool
	eligible bool
	buf      []byte
	gz       *gzip.Writer
	hijack   bool
}

func (c *compressWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		c.compressible()
		c.decide(false)
	}
}

// compressible reports, once the handler has set its headers, whether the
// answer may be compressed; it marks answers of the types Vary: Accept-Encoding.
func (c *compressWriter) compressible() bool {
	if c.checked {
		return c.eligible
	}
	c.checked = true
	h := c.Header()
	if h.Get("Content-Encoding") != "" {
		return false
	}
	ct := h.Get("Content-Type")
	for _, t := range c.types {
		if strings.HasPrefix(ct, t) {
			h.Add("Vary", "Accept-Encoding")
			c.eligible = c.accepts
			return c.eligible
		}
	}
	return false
}

// decide sends the header, compressed or not; the held bytes follow.
func (c *compressWriter) decide(compress bool) {
	if c.decided {
		return
	}
	c.decided = true
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	if compress {
		h := c.Header()
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		c.gz = gzipWriters.Get().(*gzip.Writer)
		c.gz.Reset(c.ResponseWriter)
	}
	c.ResponseWriter.WriteHeader(status)
	if len(c.buf) > 0 {
		buf := c.buf
		c.buf = nil
		_, _ = c.write(buf)
	}
}

func (c *compressWriter) write(p []byte) (int, error) {
	if c.gz != nil {
		return c.gz.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

func (c *compressWriter) Write(p []byte) (int, error) {
	if c.decided {
		return c.write(p)
	}
	if !c.compressible() {
		c.decide(false)
		return c.write(p)
	}
	c.buf = append(c.buf, p...)
	if len(c.buf) >= compressMin {
		c.decide(true)
	}
	return len(p), nil
}

// Flush sends what is held (a streamed answer decides at its first flush).
func (c *compressWriter) Flush() {
	if !c.decided {
		c.decide(c.compressible() && len(c.buf) >= compressMin)
	}
	if c.gz != nil {
		_ = c.gz.Flush()
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection over (websockets reach here only without an
// Upgrade header, which the server refuses; kept for http.ResponseController).
func (c *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c.hijack = true
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *compressWriter) finish() {
	if c.hijack {
		return
	}
	if !c.decided {
		c.decide(c.compressible() && len(c.buf) >= compressMin)
	}
	if c.gz != nil {
		_ = c.gz.Close()
		c.gz.Reset(nil)
		gzipWriters.Put(c.gz)
		c.gz = nil
	}
}
