package app_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// A GET /graphql that another site's page made the browser send with the
// session cookie (a link: the cookie is SameSite=Lax) is refused FORBIDDEN
// before it runs, and costs the person nothing; from certlink's own pages
// (same-origin), typed in the address bar (none) or with a bearer token it
// runs (review: 20 cross-site navigations to a costly query emptied an
// admin's hourly points, which their API tokens share).
func TestCrossSiteGetDoesNotRunWithTheSession(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		b := e.Browser("")
		if r := b.SignIn("mona@contoso.example", "certlink-demo"); r.Code() != "" {
			t.Fatalf("sign-in: %+v", r.Errors)
		}
		getQuery := func(query, site, auth string) (int, string, string) {
			t.Helper()
			req, _ := http.NewRequest("GET", e.URL+"/graphql?query="+url.QueryEscape(query), nil)
			if site != "" {
				req.Header.Set("Sec-Fetch-Site", site)
				req.Header.Set("Sec-Fetch-Mode", "navigate")
			}
			if auth != "" {
				req.Header.Set("Authorization", "Bearer "+auth)
			}
			res, err := b.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body), res.Header.Get("X-RateLimit-Remaining")
		}
		get := func(site, auth string) (int, string, string) {
			t.Helper()
			return getQuery("{forecast{at} me{email}}", site, auth)
		}
		// The points left, after a query whose cost does not depend on the
		// time it takes (an expensive one's does, A4: on a slow machine the
		// forecast's time made the check below fail).
		left := func() int {
			t.Helper()
			status, body, l := getQuery("{me{email}}", "same-origin", "")
			n, err := strconv.Atoi(l)
			if status != http.StatusOK || !strings.Contains(body, "mona@contoso.example") || err != nil {
				t.Fatalf("same-origin GET with the session: %d %s %q", status, body, l)
			}
			return n
		}
		r1, r2 := left(), left()
		for _, site := range []string{"cross-site", "same-site"} {
			for range 3 {
				status, body, _ := get(site, "")
				if status != http.StatusForbidden || !strings.Contains(body, `"FORBIDDEN"`) || strings.Contains(body, "mona@") {
					t.Fatalf("%s GET with the session: %d %s", site, status, body)
				}
			}
		}
		// The six refused cost nothing: the next query took what one takes.
		if r3 := left(); r2-r3 > r1-r2+1 {
			t.Fatalf("points left %d, %d, then %d after six refused GETs: they were charged", r1, r2, r3)
		}
		for _, site := range []string{"none", ""} {
			if status, body, _ := get(site, ""); status != http.StatusOK || !strings.Contains(body, "mona@contoso.example") {
				t.Fatalf("%q GET with the session: %d %s", site, status, body)
			}
		}
		// Any other value, in any case, is refused too; so is a download, and
		// an old browser's (no Sec-Fetch-Site) GET whose Referer is another site.
		for _, c := range []struct{ path, site, referer string }{
			{"/graphql?query=" + url.QueryEscape("{me{email}}"), "Cross-Site", ""},
			{"/graphql?query=" + url.QueryEscape("{me{email}}"), "cross-site, same-origin", ""},
			{"/graphql?query=" + url.QueryEscape("{me{email}}"), "", "https://evil.example/page"},
			{"/reports/skills.csv", "cross-site", ""},
			{"/reports/audit.csv", "same-site", ""},
			{"/reports/skills.csv", "", "https://evil.example/"},
		} {
			req, _ := http.NewRequest("GET", e.URL+c.path, nil)
			if c.site != "" {
				req.Header.Set("Sec-Fetch-Site", c.site)
			}
			if c.referer != "" {
				req.Header.Set("Referer", c.referer)
			}
			res, err := b.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "FORBIDDEN") {
				t.Errorf("%s (Sec-Fetch-Site %q, Referer %q): %d %.200s", c.path, c.site, c.referer, res.StatusCode, body)
			}
		}
		// The same download from certlink's own page runs.
		req, _ := http.NewRequest("GET", e.URL+"/reports/skills.csv", nil)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Referer", e.URL+"/skills-report")
		if res, err := b.HTTP.Do(req); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("a same-origin download: %v %v", res, err)
		} else {
			res.Body.Close()
		}

		// A bearer token is no cookie a page can make the browser send.
		tok := e.Demo("mona@contoso.example")
		if status, body, _ := get("cross-site", tok); status != http.StatusOK || !strings.Contains(body, "mona@contoso.example") {
			t.Fatalf("cross-site GET with a bearer token: %d %s", status, body)
		}
	})
}
