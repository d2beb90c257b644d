package frontend

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

// TestPrecompressedAssets: the best precompressed form the request accepts is
// sent, with the original's type and Vary; identity otherwise; a file built
// without compressed forms is sent as is, without Vary; index.html, as the
// fallback of app routes, too; a missing asset stays a 404.
func TestPrecompressedAssets(t *testing.T) {
	js := strings.Repeat("console.log('certlink');", 100)
	root := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>certlink</title>")},
		"index.html.gz":      {Data: gz("<!doctype html><title>certlink</title>")},
		"assets/app-1.js":    {Data: []byte(js)},
		"assets/app-1.js.gz": {Data: gz(js)},
		"assets/app-1.js.br": {Data: []byte("BROTLI")},
		"favicon.svg":        {Data: []byte("<svg/>")},
	}
	h := handler(root)
	for _, c := range []struct {
		path, accept, wantEnc, wantBody string
		vary                            bool
	}{
		{"/assets/app-1.js", "gzip, deflate, br", "br", "BROTLI", true},
		{"/assets/app-1.js", "gzip", "gzip", js, true},
		{"/assets/app-1.js", "br;q=0, gzip;q=0.5", "gzip", js, true},
		{"/assets/app-1.js", "*", "br", "BROTLI", true},
		{"/assets/app-1.js", "*;q=0", "", js, true},
		{"/assets/app-1.js", "", "", js, true},
		{"/assets/app-1.js", "GZIP;Q=1.0", "gzip", js, true},
		{"/assets/app-1.js", "gzip;q=0", "", js, true},
		{"/favicon.svg", "gzip, br", "", "<svg/>", false},
		{"/competencies", "gzip, br", "gzip", "<!doctype html><title>certlink</title>", true},
	} {
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if c.wantEnc == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s (%q): %v", c.path, c.accept, err)
			}
			body, _ = io.ReadAll(zr)
		}
		if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != c.wantEnc || string(body) != c.wantBody {
			t.Fatalf("%s (%q): %d, encoding %q, body %.40q", c.path, c.accept, res.StatusCode, res.Header.Get("Content-Encoding"), body)
		}
		if res.Header.Get("Content-Length") != strconv.Itoa(int(rec.Body.Len())) {
			t.Fatalf("%s (%q): Content-Length %q for %d bytes", c.path, c.accept, res.Header.Get("Content-Length"), rec.Body.Len())
		}
		if got := res.Header.Get("Vary") == "Accept-Encoding"; got != c.vary {
			t.Fatalf("%s (%q): Vary %q", c.path, c.accept, res.Header.Get("Vary"))
		}
		wantType := map[string]string{"/assets/app-1.js": "text/javascript", "/favicon.svg": "image/svg+xml", "/competencies": "text/html"}[c.path]
		if !strings.HasPrefix(res.Header.Get("Content-Type"), wantType) {
			t.Fatalf("%s: Content-Type %q", c.path, res.Header.Get("Content-Type"))
		}
	}
	// Anything under /assets/ that is not a file, or a path with control
	// characters, is a 404, never the app.
	for _, p := range []string{"/assets/missing.js", "/assets/%00", "/assets/", "/assets", "/assets/x", "/comp%00etencies", "/a%0Ab"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path, _ = url.PathUnescape(p)
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", p, rec.Code)
		}
	}
}
