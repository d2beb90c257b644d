package graph_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"certlink/internal/account"
	"certlink/internal/app"
	"certlink/internal/auth"
	"certlink/internal/limitdb"
	"certlink/internal/testenv"
	"certlink/internal/throttle"
	"certlink/internal/web"
)

// A4 across processes: two certlink processes on one database count sign-in
// attempts in the same buckets. Wrong passwords alternating between them are
// tested the pair bucket's capacity (5) times in all, not 5 each; then the
// right password is refused too, on either process, until the bucket leaks.
func TestSignInThrottleTwoProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e2 := e.Second()
		frozen := time.Now()
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return frozen }
		for _, p := range []*testenv.Env{e, e2} {
			p.App.Throttle.Now = clock
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
		if limit := int(account.PairRule.Capacity); tested != limit || refused != 16-limit {
			t.Fatalf("two processes tested %d wrong passwords and refused %d; the shared bucket allows %d in all", tested, refused, limit)
		}
		if c := e2.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "certlink-demo"}).Code(); c != "RATE_LIMITED" {
			t.Fatalf("right password with the shared bucket full: %q, want RATE_LIMITED", c)
		}
		// One Period/Capacity later one more attempt gets through, on either
		// process, and only one.
		mu.Lock()
		frozen = frozen.Add(account.PairRule.Period/time.Duration(account.PairRule.Capacity) + time.Second)
		mu.Unlock()
		if c := e2.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "wrong-password-y"}).Code(); c != "INVALID_CREDENTIALS" {
			t.Fatalf("after the leak: %q, want INVALID_CREDENTIALS", c)
		}
		if c := e.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "wrong-password-y"}).Code(); c != "RATE_LIMITED" {
			t.Fatalf("second attempt after one leak: %q, want RATE_LIMITED", c)
		}
	})
}

// The same attack in parallel: 60 guesses sent at once, half to each process,
// one of them right. Wrong ones are tested at most the limit in all, however
// the two processes interleave; the right one is either let in or refused,
// never counted as a failure.
func TestParallelGuessesOnTwoProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e2 := e.Second()
		before := e.App.Passwords.Runs() + e2.App.Passwords.Runs()
		codes := attack(t, 60, func(i int, pw string) *testenv.Response {
			return []*testenv.Env{e, e2}[i%2].Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": pw})
		})
		wrong, _ := tally(t, codes)
		limit := int(account.PairRule.Capacity)
		if wrong > limit {
			t.Fatalf("%d wrong guesses of 60 sent at once to two processes were tested; the limit is %d in all", wrong, limit)
		}
		if runs := e.App.Passwords.Runs() + e2.App.Passwords.Runs() - before; runs > int64(limit+1) {
			t.Fatalf("%d password checks ran on two processes; the limit is %d (+1 right)", runs, limit)
		}
		if f := e.App.Throttle.Failures(throttle.Key{Rule: account.PairRule, Value: "mona@contoso.example\x00127.0.0.1"}); f > float64(limit)+0.01 || f < float64(wrong)-1 {
			t.Fatalf("the shared pair bucket holds %.2f failures after %d wrong guesses were tested", f, wrong)
		}
	})
}

// Right passwords on both processes at once are never refused for the
// others in flight: an attempt in flight is not a failure. The owner's own
// parallel sign-ins (a team tool signing in from eight workers, half on each
// process) all succeed.
func TestParallelRightPasswordsOnTwoProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e2 := e.Second()
		codes := make([]string, 16)
		atOnce(len(codes), func(i int) {
			codes[i] = []*testenv.Env{e, e2}[i%2].Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": "certlink-demo"}).Code()
		})
		for i, c := range codes {
			if c != "" {
				t.Fatalf("right password %d of 16 on two processes answered %q (all: %v)", i, c, codes)
			}
		}
	})
}

// atOnce runs f(0…n-1) in n goroutines released together, and waits for all.
func atOnce(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

// A process that dies while testing a password (its attempt reserved, never
// settled) holds the shared buckets only until the attempt's deadline.
func TestSharedAttemptOfADeadProcessExpires(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		db := a.SharedLimits
		rule := &throttle.Rule{Name: "test: dead process", Capacity: 2, Period: time.Minute}
		key := []throttle.Key{{Rule: rule, Value: "x"}}
		ctx := context.Background()
		now := time.Now()
		for i := 0; i < 2; i++ {
			if refusal, busy, err := db.Reserve(ctx, now, key, now.Add(10*time.Second)); err != nil || refusal != nil || busy {
				t.Fatalf("reservation %d: %v %v %v", i, refusal, busy, err)
			}
		}
		if refusal, busy, err := db.Reserve(ctx, now, key, now.Add(10*time.Second)); err != nil || refusal != nil || !busy {
			t.Fatalf("third attempt with two in flight: refusal %v busy %v err %v, want busy", refusal, busy, err)
		}
		if busy, err := db.Busy(ctx, now, key); err != nil || !busy {
			t.Fatalf("look without locks with two in flight: busy %v err %v", busy, err)
		}
		// The two were never settled: their process died.
		later := now.Add(11 * time.Second)
		if busy, err := db.Busy(ctx, later, key); err != nil || busy {
			t.Fatalf("look without locks after the deadline: busy %v err %v", busy, err)
		}
		if refusal, busy, err := db.Reserve(ctx, later, key, later.Add(10*time.Second)); err != nil || refusal != nil || busy {
			t.Fatalf("after the dead attempts' deadline: refusal %v busy %v err %v, want a reservation", refusal, busy, err)
		}
		// Settling counts failures; a full bucket refuses with a time to retry.
		if err := db.Settle(ctx, later, key, []float64{1}); err != nil {
			t.Fatal(err)
		}
		if refusal, _, _ := db.Reserve(ctx, later, key, later.Add(time.Second)); refusal != nil {
			t.Fatalf("one failure of two: refused %v", refusal)
		}
		if err := db.Settle(ctx, later, key, []float64{1}); err != nil {
			t.Fatal(err)
		}
		refusal, _, _ := db.Reserve(ctx, later, key, later.Add(time.Second))
		if refusal == nil || refusal.RetryAt.Sub(later) <= 0 || refusal.RetryAt.Sub(later) > 31*time.Second {
			t.Fatalf("two failures of two: refusal %+v, want one retrying within Period/Capacity", refusal)
		}
		if f, _ := db.Failures(ctx, later.Add(30*time.Second), key[0]); f > 1.01 || f < 0.99 {
			t.Fatalf("half a period later the bucket holds %.2f failures, want 1", f)
		}
		if limitdb.Hash(rule.Name, "x") == limitdb.Hash(rule.Name, "y") {
			t.Fatal("keys share a hash")
		}
	})
}

// A4 across processes: one API points budget per account for the whole
// fleet. Requests alternating between two processes are served the budget in
// all, not twice it (each process leases a chunk of points at a time and
// spends it from memory), and the remaining each reports stays within a few
// chunks of the fleet's truth.
func TestAPIPointsTwoProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		const budget = 100
		e := testenv.Start(t, d, func(c *app.Config) { c.RateLimit = budget })
		e2 := e.Second()
		frozen := time.Now()
		for _, p := range []*testenv.Env{e, e2} {
			p.App.RateLimits.Now = func() time.Time { return frozen }
		}
		chunk := int(math.Ceil(budget / 20.0))
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
			if truth := float64(budget - served); remaining > truth+float64(3*chunk) || remaining < truth-float64(2*chunk) {
				t.Fatalf("request %d on process %d: remaining %v, the fleet has %v left (chunk %d)", i, (i/3)%2+1, remaining, truth, chunk)
			}
		}
		// The sign-in took its points from the same budget.
		if served > budget || served < budget-2*chunk {
			t.Fatalf("two processes served %d one-point requests; the shared budget is %d", served, budget)
		}
	})
}

// A subscription's pushes are charged to the shared bucket too: a push is
// taken from the lease before it is computed, so an exhausted fleet budget
// stops them on every process (the push test of one process is
// TestSubscriptionFloodIsPacedAndCharged).
func TestPushesTakeSharedPoints(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) { c.RateLimit = 40 })
		e2 := e.Second()
		b := e.App.RateLimits
		if q := b.Take("k", 10); !q.Allowed {
			t.Fatalf("first take: %+v", q)
		}
		// Another process spends the rest of the budget.
		if q := e2.App.RateLimits.Take("k", 28); !q.Allowed {
			t.Fatalf("the other process's take: %+v", q)
		}
		// Settle (after the fact) may overdraw the lease; the debt is paid
		// at the next lease, which then has no room left.
		b.Settle("k", 5)
		if q := b.Take("k", 3); q.Allowed {
			t.Fatalf("take with the fleet's budget spent: %+v", q)
		}
		level, err := e.App.SharedLimits.PointsLevel(context.Background(), time.Now(), "k", 40, time.Hour)
		if err != nil || level < 38 {
			t.Fatalf("shared level %.1f (err %v), want every point spent or leased counted", level, err)
		}
		if w := b.Wait("k", 3); w <= 0 {
			t.Fatalf("wait %v with the budget spent", w)
		}
	})
}

// A sign-in flood from one address (invented emails, every attempt reserved
// and settled in that address's shared bucket row) must not take the
// database from everyone else: in a process the transactions on one bucket
// run one at a time, waiting in memory, and a few bucket transactions run at
// once in all. The owner signing in from elsewhere meanwhile succeeds, and
// the flood itself is answered with coded refusals, never INTERNAL or
// UNAVAILABLE.
func TestSignInFloodFromOneAddressLeavesOthersIn(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) { c.TrustedProxies = "127.0.0.1/32" })
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		for w := 0; w < 120; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := forwardedFor(e.Browser("127.0.0.1"), "198.51.100.66")
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					r := b.Do(mSignIn, map[string]any{"e": fmt.Sprintf("nobody-%d-%d@contoso.example", w, i), "p": "wrong-password-1"})
					mu.Lock()
					codes[r.Code()]++
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Second)
		owner := forwardedFor(e.Browser("127.0.0.1"), "203.0.113.9")
		for i := 0; i < 3; i++ {
			if r := owner.SignIn("mona@contoso.example", "certlink-demo"); r.Code() != "" {
				close(stop)
				wg.Wait()
				t.Fatalf("the owner's sign-in %d during the flood: %+v", i, r.Errors)
			}
		}
		close(stop)
		wg.Wait()
		for code, n := range codes {
			if code != "INVALID_CREDENTIALS" && code != "RATE_LIMITED" {
				t.Fatalf("the flood was answered %s %d times (all: %v)", code, n, codes)
			}
		}
		t.Logf("flood answers: %v", codes)
	})
}

// A sign-in flood from many addresses keeps the argon2id queue full; the
// owner signing in from a browser where they signed in before (device
// cookie) is let in over it every time, while a stranger's new attempt is
// refused busy.
func TestRecognizedDeviceSignsInThroughAFullQueue(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.TrustedProxies = "127.0.0.1/32" })
	owner := forwardedFor(e.Browser("127.0.0.1"), "203.0.113.9")
	if r := owner.SignIn("mona@contoso.example", "certlink-demo"); r.Code() != "" {
		t.Fatalf("first sign-in: %+v", r.Errors)
	}
	h := auth.NewHasher(1, 2)
	h.Party = web.ClientKey
	e.App.Passwords, e.App.Accounts.Passwords = h, h
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var busy atomic.Int64
	for w := 0; w < 40; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := forwardedFor(e.Browser("127.0.0.1"), fmt.Sprintf("198.51.100.%d", w+1))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := b.Do(mSignIn, map[string]any{"e": fmt.Sprintf("nobody-%d-%d@contoso.example", w, i), "p": "wrong-password-1"})
				if r.Code() == "RATE_LIMITED" {
					busy.Add(1)
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	testenv.Eventually(t, 10*time.Second, func() bool { return busy.Load() > 20 }, "the flood never filled the queue")
	for i := 0; i < 5; i++ {
		if r := owner.SignIn("mona@contoso.example", "certlink-demo"); r.Code() != "" {
			t.Fatalf("the owner's recognized browser, sign-in %d during the flood: %+v", i, r.Errors)
		}
	}
}
