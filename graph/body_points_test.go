package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// A review posted 800 KB bodies (400,000 numbers in variables, a name given
// twice) in parallel: each was refused INVALID_INPUT after ~0.2 s of CPU
// spent reading it, and the caller's API points never moved. A body's
// reading now costs points by its size (one per 16 KiB past the first,
// whether the request then runs or is refused), so a caller repeating it
// meets RATE_LIMITED with Retry-After, while a small request costs nothing
// extra.
func TestLargeBodiesCostTheirReading(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 200 })
	body := `{"query":"{__typename}","variables":{"a":[` + strings.TrimSuffix(strings.Repeat("1,", 400000), ",") + `],"a":1}}`
	post := func(b string) (*http.Response, map[string]any) {
		res, err := http.Post(e.URL+"/graphql", "application/json", strings.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return res, out
	}
	code := func(out map[string]any) string {
		errs, _ := out["errors"].([]any)
		if len(errs) == 0 {
			return ""
		}
		ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
		c, _ := ext["code"].(string)
		return c
	}
	refused := 0
	for i := 0; i < 10; i++ {
		res, out := post(body)
		switch code(out) {
		case "INVALID_INPUT":
			if !strings.Contains(strings.ToLower(out["errors"].([]any)[0].(map[string]any)["message"].(string)), "twice") {
				t.Fatalf("request %d: %v", i, out)
			}
		case "RATE_LIMITED":
			if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
				t.Fatalf("request %d: %d, Retry-After %q", i, res.StatusCode, res.Header.Get("Retry-After"))
			}
			refused++
		default:
			t.Fatalf("request %d: %d %v", i, res.StatusCode, out)
		}
	}
	// 200 points pay for four 800 KB bodies (48 points each).
	if refused != 6 {
		t.Fatalf("%d of 10 large bodies refused RATE_LIMITED, want 6", refused)
	}
	// What is left still serves small requests (they cost no reading points).
	if res, out := post(`{"query":"{__typename}"}`); res.StatusCode != http.StatusOK || code(out) != "" {
		t.Fatalf("a small request after the large ones: %d %v", res.StatusCode, out)
	}
}

// Names cost by their number too: 90,000 of them in 900 KB took 0.21 s to
// decode, and cost 90 points beside the 54 of their bytes.
func TestManyNamesCostTheirDecoding(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 120 })
	var b strings.Builder
	b.WriteString(`{"query":"{__typename}","extensions":{"k0":1`)
	for i := 1; i < 90000; i++ {
		fmt.Fprintf(&b, `,"k%d":1`, i)
	}
	b.WriteString("}}")
	if n := b.Len() / (16 << 10); n >= 120 || n+90 <= 120 {
		t.Fatalf("the body's bytes cost %d points: the test needs them under 120 and with the names' over it", n)
	}
	res, err := http.Post(e.URL+"/graphql", "application/json", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(raw), "RATE_LIMITED") {
		t.Fatalf("90,000 names with 120 points: %d %s", res.StatusCode, raw)
	}
}
