package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestGzip: JSON of 1 KiB or more is gzipped for a request accepting gzip
// (Vary set, Content-Length dropped, the body decodes to what was written,
// whether written at once, in pieces or flushed); smaller JSON, other types,
// answers already encoded, 304s and requests refusing gzip pass unchanged.
func TestGzip(t *testing.T) {
	big := `{"data":"` + strings.Repeat("certlink ", 400) + `"}`
	for _, c := range []struct {
		name, accept, ctype, encoding string
		body                          string
		status                        int
		pieces                        int
		flush                         bool
		wantGzip, wantVary            bool
	}{
		{name: "big JSON", accept: "gzip", ctype: "application/json", body: big, wantGzip: true, wantVary: true},
		{name: "big JSON in pieces", accept: "br, gzip", ctype: "application/json", body: big, pieces: 7, wantGzip: true, wantVary: true},
		{name: "big JSON flushed", accept: "gzip", ctype: "application/json", body: big, pieces: 3, flush: true, wantGzip: true, wantVary: true},
		{name: "small JSON", accept: "gzip", ctype: "application/json", body: `{"data":{}}`, wantVary: true},
		{name: "refused", accept: "gzip;q=0", ctype: "application/json", body: big, wantVary: true},
		{name: "not asked", ctype: "application/json", body: big, wantVary: true},
		{name: "CSV", accept: "gzip", ctype: "text/csv", body: big},
		{name: "already encoded", accept: "gzip", ctype: "application/json", encoding: "br", body: big},
		{name: "not modified", accept: "gzip", ctype: "application/json", status: http.StatusNotModified, wantVary: true},
		{name: "error status", accept: "gzip", ctype: "application/json", status: http.StatusRequestEntityTooLarge, body: big, wantGzip: true, wantVary: true},
	} {
		h := Gzip(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", c.ctype)
			w.Header().Set("Content-Length", "999")
			if c.encoding != "" {
				w.Header().Set("Content-Encoding", c.encoding)
			}
			if c.status != 0 {
				w.WriteHeader(c.status)
			}
			n := max(c.pieces, 1)
			step := (len(c.body) + n - 1) / n
			for i := 0; i < len(c.body); i += step {
				_, _ = w.Write([]byte(c.body[i:min(i+step, len(c.body))]))
				if c.flush {
					w.(http.Flusher).Flush()
				}
			}
		}), "application/json")
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		raw, _ := io.ReadAll(res.Body)
		body := raw
		if gz := res.Header.Get("Content-Encoding") == "gzip"; gz != c.wantGzip {
			t.Fatalf("%s: Content-Encoding %q", c.name, res.Header.Get("Content-Encoding"))
		}
		if c.wantGzip {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			body, _ = io.ReadAll(zr)
			if res.Header.Get("Content-Length") != "" || len(raw) >= len(c.body)/2 {
				t.Fatalf("%s: Content-Length %q, %d compressed bytes for %d", c.name, res.Header.Get("Content-Length"), len(raw), len(c.body))
			}
		}
		if string(body) != c.body {
			t.Fatalf("%s: body %.60q", c.name, body)
		}
		if got := strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding"); got != c.wantVary {
			t.Fatalf("%s: Vary %q", c.name, res.Header.Values("Vary"))
		}
		want := c.status
		if want == 0 {
			want = http.StatusOK
		}
		if res.StatusCode != want {
			t.Fatalf("%s: status %d", c.name, res.StatusCode)
		}
	}
}
