package frontend

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
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
		// With a code, as every error (A5; review: a bare "404 page not found").
		var body struct {
			Errors []struct{ Extensions struct{ Code string } }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Extensions.Code != "NOT_FOUND" {
			t.Fatalf("%s: %q (%v), want a NOT_FOUND error", p, rec.Body.String(), err)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/competencies", nil))
	if rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Body.String(), `"METHOD_NOT_ALLOWED"`) || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Fatalf("DELETE /competencies: %d %q", rec.Code, rec.Body.String())
	}
}

// A path that is no page of the app gets the app (which shows "page not
// found") with the status 404; the app's pages get 200. AppPaths lists the
// routes of src/App.tsx, no more, no fewer.
func TestUnknownPathsAre404(t *testing.T) {
	root := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>certlink</title>")}}
	h := handler(root)
	for p, want := range map[string]int{
		"/": 200, "/profile": 200, "/skills-report": 200, "/graphiql": 200, "/profile/": 200,
		"/auth/oidc/login": 404, "/auth/directory/callback": 404, "/api": 404, "/debug/pprof/": 404, "/nowhere": 404,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != want || !strings.Contains(rec.Body.String(), "<title>certlink") {
			t.Errorf("%s: %d %q, want %d and the app", p, rec.Code, rec.Body.String(), want)
		}
	}
	src, err := os.ReadFile("src/App.tsx")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`\{ path: '(/[a-z-]*)'`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 5 {
		t.Fatalf("found %d routes in src/App.tsx: the pattern is out of date", len(routes))
	}
	seen := map[string]bool{"/": true, "/signin": true, "/index.html": true}
	for _, m := range routes {
		seen[m[1]] = true
		if !AppPaths[m[1]] {
			t.Errorf("src/App.tsx has the page %s, AppPaths does not", m[1])
		}
	}
	for p := range AppPaths {
		if !seen[p] {
			t.Errorf("AppPaths has %s, src/App.tsx has no such page", p)
		}
	}
}
