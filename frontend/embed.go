// Package frontend serves the web app built into dist/ by Vite, embedded in the
// binary: hashed assets with a long cache, app routes falling back to
// index.html, and a 404 — not the index — for a missing asset. The build writes
// name.br and name.gz beside each text file (scripts/precompress.ts); a browser
// that accepts one gets it, so nothing is compressed per request.
package frontend

import (
	"bytes"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"certlink/internal/web"
)

//go:embed all:dist
var dist embed.FS

// Built reports whether the embedded app has an index.html (the frontend was
// built before the binary).
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}

// Handler serves the app.
func Handler() http.Handler {
	root, _ := fs.Sub(dist, "dist")
	return handler(root)
}

// encodings are the precompressed forms the build writes, best first.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

func handler(root fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "The web app's pages and files answer GET and HEAD only.")
			return
		}
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(root, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					// Vite puts a content hash in every asset name.
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				serve(w, r, root, p)
				return
			}
			if path.Ext(p) != "" || p == "assets" || strings.HasPrefix(p, "assets/") || strings.ContainsFunc(p, unicode.IsControl) {
				// A missing asset is a 404, not the app.
				writeError(w, http.StatusNotFound, "NOT_FOUND", "There is no file at this path.")
				return
			}
		}
		if _, err := fs.Stat(root, "index.html"); err != nil {
			writeError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "The web app is not built into this binary: run `npm ci && npm run build`, then build certlink again.")
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		if !AppPaths[path.Clean(r.URL.Path)] {
			// The app shows its own "page not found", but the status says it
			// too: a path that is no page of the app (an /auth/oidc/login of
			// a server without single sign-on, an /api or /debug a scanner
			// tries) is a 404, not a live endpoint (review).
			w = notFound{w}
		}
		serve(w, r, root, "index.html")
	})
}

// writeError answers an error as the API does (A5), never a bare text; the
// answer is not a precompressed file's.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Del("Content-Encoding")
	web.WriteError(w, status, msg, map[string]any{"code": code})
}

// AppPaths are the paths the app has a page at (frontend/src/App.tsx's routes,
// and the ones it opens My profile on); embed_test.go checks the two agree.
var AppPaths = map[string]bool{
	"/": true, "/signin": true, "/index.html": true,
	"/profile": true, "/competencies": true, "/designations": true, "/skills-report": true,
	"/users": true, "/notifications": true, "/support": true, "/audit-log": true,
	"/api-tokens": true, "/mailbox": true, "/graphiql": true,
}

// notFound sends the app's page with the status 404 (http.ServeContent
// always sets the status before it writes).
type notFound struct{ http.ResponseWriter }

func (n notFound) WriteHeader(code int) {
	if code == http.StatusOK {
		code = http.StatusNotFound
	}
	n.ResponseWriter.WriteHeader(code)
}

// serve sends file p, or its precompressed form when the request accepts it.
func serve(w http.ResponseWriter, r *http.Request, root fs.FS, p string) {
	h := w.Header()
	ctype := mime.TypeByExtension(path.Ext(p))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	name := p
	for _, enc := range encodings {
		if _, err := fs.Stat(root, p+enc.ext); err != nil {
			continue
		}
		// The answer depends on Accept-Encoding whenever a compressed form exists.
		h.Add("Vary", "Accept-Encoding")
		for _, e := range encodings {
			if web.Accepts(r.Header.Get("Accept-Encoding"), e.name) {
				if _, err := fs.Stat(root, p+e.ext); err == nil {
					name = p + e.ext
					h.Set("Content-Encoding", e.name)
					break
				}
			}
		}
		break
	}
	b, err := fs.ReadFile(root, name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL", "A file of the web app could not be read.")
		return
	}
	// ServeContent leaves Content-Length out of an encoded answer, which then goes
	// out chunked; a whole file's length is known (a Range answer gets its own).
	if h.Get("Content-Encoding") != "" && r.Header.Get("Range") == "" {
		h.Set("Content-Length", strconv.Itoa(len(b)))
	}
	// Embedded files carry no time; ServeContent adds Range and HEAD handling.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}
