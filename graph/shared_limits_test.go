package graph_test

import (
	"strings"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// A4 across processes: two certlink processes on one database share the
// password-attempt buckets. Wrong sign-in passwords alternating between them
// are tested exactly the pair bucket's capacity (5) times in all, not 5 each.
func TestSignInThrottleTwoProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e2 := e.Second()
		frozen := time.Now()
		for _, p := range []*testenv.Env{e, e2} {
			p.App.Throttle.Now = func() time.Time { return frozen }
		}
		tested, refused := 0, 0
		for i := 0; i < 16; i++ {
			p := []*testenv.Env{e, e2}[i%2]
			r := p.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "wrong-password-y"})
			switch r.Code() {
			case "INVALID_CREDENTIALS":
				tested++
			case "RATE_LIMITED":
				refused++
				if r.Errors[0].Extensions["retryAt"] == nil {
					t.Errorf("attempt %d: RATE_LIMITED without retryAt: %+v", i, r.Errors[0])
				}
			default:
				t.Fatalf("attempt %d on process %d: %+v", i, i%2+1, r.Errors)
			}
		}
		if tested != 5 || refused != 11 {
			t.Fatalf("two processes tested %d wrong passwords and refused %d; the shared bucket allows 5 in all", tested, refused)
		}
		// The right password is refused too while the bucket is full (the
		// bucket is the address's and account's, not the process's)...
		if c := e2.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "certlink-demo"}).Code(); c != "RATE_LIMITED" {
			t.Fatalf("right password with the shared bucket full: %q, want RATE_LIMITED", c)
		}
		// ...and one Period/Capacity later one more attempt is let through, on
		// either process: the shared bucket leaks.
		frozen = frozen.Add(3*time.Minute + time.Second)
		if c := e2.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "wrong-password-y"}).Code(); c != "INVALID_CREDENTIALS" {
			t.Fatalf("after the leak: %q, want INVALID_CREDENTIALS", c)
		}
		if c := e.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "wrong-password-y"}).Code(); c != "RATE_LIMITED" {
			t.Fatalf("second attempt after one leak: %q, want RATE_LIMITED", c)
		}
	})
}

// A4 across processes: one API points budget per account for the whole
// fleet. Alternating requests between two processes are served the budget in
// all (each process leases Chunk points at a time and spends them), not twice
// the budget, and the remaining each reports is the fleet's within one chunk.
func TestAPIPointsTwoProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		const budget, chunk = 100, 5
		e := testenv.Start(t, d, func(c *app.Config) { c.RateLimit = budget })
		e2 := e.Second()
		frozen := time.Now()
		for _, p := range []*testenv.Env{e, e2} {
			p.App.RateLimits.Now = func() time.Time { return frozen }
			if got := p.App.RateLimits.Chunk; got != 0 {
				t.Fatalf("chunk %v set by the app; the test expects the default", got)
			}
		}
		token := e.Demo("sam@fabrikam.example")
		served := 0
		for i := 0; i < 3*budget; i++ {
			p := []*testenv.Env{e, e2}[(i/3)%2] // three on one, three on the other…
			r := p.Do(token, `{me{email}}`, nil)
			if r.Code() == "RATE_LIMITED" {
				continue
			}
			if len(r.Errors) > 0 {
				t.Fatalf("request %d: %+v", i, r.Errors)
			}
			served++
			cost, _ := r.Extensions["cost"].(map[string]any)
			remaining, _ := cost["remaining"].(float64)
			// The fleet's truth is budget-served. A process reports the shared
			// figure as of its last lease minus its own spending since: it
			// counts the other's unspent lease as spent (at most a chunk) and
			// has not seen what the other leased since its own last lease
			// (here at most two chunks).
			if truth := float64(budget - served); remaining > truth+2*chunk || remaining < truth-chunk {
				t.Fatalf("request %d on process %d: remaining %v, the fleet has %v left (one chunk: %d)", i, (i/3)%2+1, remaining, truth, chunk)
			}
		}
		if served != budget {
			t.Fatalf("two processes served %d requests of one point; the shared budget is %d", served, budget)
		}
	})
}

// The shared gate's database failing never opens it, and a sign-in is then
// answered UNAVAILABLE (the password not tested), never INTERNAL.
func TestSignInWithTheSharedGateDown(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	// A first attempt leases this address's API points, so the next request
	// passes the rate limit from memory and meets the password gate.
	if c := e.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "wrong-password-y"}).Code(); c != "INVALID_CREDENTIALS" {
		t.Fatalf("first attempt: %q", c)
	}
	before := e.App.Passwords.Runs()
	e.App.DB.SQL.Close()
	r := e.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "certlink-demo"})
	if r.Code() != "UNAVAILABLE" || r.Status >= 500 || !strings.Contains(r.Errors[0].Message, "not checked") {
		t.Fatalf("sign-in with the gate's database closed: status %d %+v, want UNAVAILABLE from the gate", r.Status, r.Errors)
	}
	if runs := e.App.Passwords.Runs(); runs != before {
		t.Fatalf("the password was tested (%d argon2id runs) with the gate closed", runs-before)
	}
}
