package app_test

import (
	"net/http"
	"strconv"
	"testing"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// A download costs its caller API points as a GraphQL answer does (A4): one
// to start and one per MiB sent, visible in X-RateLimit-Remaining; a caller
// out of points is refused (429 RATE_LIMITED, Retry-After) before anything
// is read (an outside review: five downloads left the points unchanged, and a
// rate-limited account still downloaded the report).
func TestDownloadsCostAPIPoints(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 4 })
	grace := e.Demo("grace@contoso.example")
	remaining := -1
	for i := range 4 {
		res, body := e.Get(grace, "/reports/skills.csv")
		if res.StatusCode != http.StatusOK {
			if i == 0 {
				t.Fatalf("first download: %d %s", res.StatusCode, body)
			}
			if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
				t.Fatalf("download %d: %d %s, want 429 with Retry-After", i+1, res.StatusCode, body)
			}
			return
		}
		r, err := strconv.Atoi(res.Header.Get("X-RateLimit-Remaining"))
		if err != nil {
			t.Fatalf("download %d: X-RateLimit-Remaining %q", i+1, res.Header.Get("X-RateLimit-Remaining"))
		}
		if remaining >= 0 && r >= remaining {
			t.Fatalf("download %d left %d points, the one before %d", i+1, r, remaining)
		}
		remaining = r
	}
	t.Fatal("four downloads and a sign-in fit in a budget of 4 points")
}
