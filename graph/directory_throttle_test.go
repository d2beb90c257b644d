package graph_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/linking"
	"certlink/internal/testenv"
)

// steadyThrottle starts certlink for a test of the directory throttle's
// counting, not of its clock or of deadlines: the throttle's clock stands
// still (no failure leaks away however slowly the test runs: one does every 3
// minutes in DirectoryPairRule), and a request may wait 2 minutes for the
// attempts in flight and for a hashing slot (argon2id takes 50 ms, but
// 200 ms–2 s under -race on a loaded machine, two at a time on two cores).
// What the tests prove is then the same on any machine.
func steadyThrottle(t *testing.T, d testenv.Dialect) *testenv.Env {
	t.Helper()
	const wide = 2 * time.Minute
	e := testenv.Start(t, d, func(c *app.Config) { c.RequestTimeout = wide })
	frozen := time.Now()
	e.App.Throttle.Now = func() time.Time { return frozen }
	e.App.Throttle.MaxWait = wide
	e.App.Passwords.MaxWait = wide
	return e
}

const mAssocLearning = `mutation($e:String,$p:String){associateLearningAccount(input:{email:$e,password:$p}){user{learningAccount{mcid}}}}`

// Item 8: directory passwords are reserved before they are tested, per
// directory account (within the caller's organization and overall) and per
// caller. 100 parallel guesses at jordan@learn.example test at most the limit,
// and the real owner, in another organization, still associates.
func TestDirectoryPasswordGuessing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := steadyThrottle(t, d)
		alex := e.Demo("alex@contoso.example")
		riley := e.Demo("riley@contoso.example")
		before := e.App.Passwords.Runs()
		var wg sync.WaitGroup
		codes := make([]string, 100)
		start := make(chan struct{})
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tok := alex
				if i%2 == 1 {
					tok = riley // two callers of one organization
				}
				r := e.Do(tok, mAssocLearning, map[string]any{"e": "jordan@learn.example", "p": fmt.Sprintf("guess-%d", i)})
				codes[i] = r.Code()
			}()
		}
		close(start)
		wg.Wait()
		tested := 0
		for _, c := range codes {
			switch c {
			case "INVALID_CREDENTIALS":
				tested++
			case "RATE_LIMITED":
			default:
				t.Fatalf("unexpected code %q", c)
			}
		}
		// Exactly the limit: no more (reserved before testing), no fewer (the
		// others waited for the guesses in flight and were refused once they
		// filled the bucket — which the next check relies on).
		limit := int(linking.DirectoryPairRule.Capacity)
		if tested != limit || e.App.Passwords.Runs()-before != int64(limit) {
			t.Fatalf("%d guesses tested (%d checks) of 100; the limit is %d", tested, e.App.Passwords.Runs()-before, limit)
		}
		// The same organization stays throttled for that account, even with the
		// right password…
		if c := call(t, e, alex, mAssocLearning, map[string]any{"e": "jordan@learn.example", "p": "learn-demo"}, nil); c != "RATE_LIMITED" {
			t.Fatalf("right password from the guessing organization: %q", c)
		}
		// …but the owner, signed in at another organization, associates.
		lee := e.Demo("lee@fabrikam.example")
		if c := call(t, e, lee, mAssocLearning, map[string]any{"e": "jordan@learn.example", "p": "learn-demo"}, nil); c != "" {
			t.Fatalf("owner in another organization: %q", c)
		}
		// A caller guessing at many directory accounts is throttled as a caller.
		grace := e.Demo("grace@contoso.example")
		got := map[string]int{}
		for i := 0; i < int(linking.DirectoryCallerRule.Capacity)+2; i++ {
			got[call(t, e, grace, mAssocLearning, map[string]any{"e": fmt.Sprintf("someone%d@learn.example", i), "p": "x"}, nil)]++
		}
		if got["INVALID_CREDENTIALS"] != int(linking.DirectoryCallerRule.Capacity) || got["RATE_LIMITED"] != 2 {
			t.Fatalf("one caller guessing many accounts: %v", got)
		}
		// Partner University access is the same door.
		if c := call(t, e, alex, `mutation{associatePartnerUniversity(input:{email:"jordan@learn.example",password:"x"}){user{email}}}`, nil, nil); c != "RATE_LIMITED" {
			t.Fatalf("associatePartnerUniversity: %q", c)
		}
	})
}

// Right passwords sent at once all go through (an attempt waits for the
// attempts in flight instead of being refused): the throttle counts failures.
func TestDirectoryRightPasswordsInParallel(t *testing.T) {
	e := steadyThrottle(t, testenv.SQLite)
	toks := []string{e.Demo("alex@contoso.example"), e.Demo("riley@contoso.example"), e.Demo("grace@contoso.example"),
		e.Demo("mona@contoso.example")}
	var wg sync.WaitGroup
	codes := make([]string, 12)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Partner University access of riley@learn.example: one association
			// starts, the others meet its L6 cooldown (L8) or the race.
			codes[i] = call(t, e, toks[i%len(toks)], `mutation{associatePartnerUniversity(input:{email:"riley@learn.example",password:"learn-demo"}){user{email}}}`, nil, nil)
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != "" && c != "CONFLICT" && c != "ASSOCIATION_LIMITED" {
			t.Fatalf("right password %d: %q", i, c)
		}
	}
	if f := e.App.Throttle.Failures(linking.DirectoryAccountKey("riley@learn.example")); f != 0 {
		t.Fatalf("right passwords counted %v failures", f)
	}
}
