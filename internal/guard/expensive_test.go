package guard

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

func as(uid int) context.Context {
	return viewer.With(context.Background(), &viewer.Viewer{Kind: viewer.KindUser, UserID: uid, TokenID: uid * 10})
}

// A call that finds its account's slot taken waits for it (briefly), one past
// the waiting bound is refused at once, and nothing is left held.
func TestExpensiveQueuesThenRefuses(t *testing.T) {
	x := &Expensive{Slots: 1, PerCaller: 1, MaxWaiting: 8, MaxWaitingPerCaller: 1, Wait: 5 * time.Second}
	release, err := x.Acquire(as(1))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	got := make(chan error, 1)
	go func() {
		defer wg.Done()
		r, err := x.Acquire(as(1)) // another session of account 1: waits
		if err == nil {
			r()
		}
		got <- err
	}()
	// Wait until it is queued, then a third call of the same account is refused at once.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		x.mu.Lock()
		n := x.waiting
		x.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second call never queued")
		}
	}
	if _, err := x.Acquire(as(1)); apperr.CodeOf(err) != apperr.RateLimited {
		t.Fatalf("third call of one account: %v", err)
	}
	release()
	wg.Wait()
	if err := <-got; err != nil {
		t.Fatalf("the queued call: %v", err)
	}
	// The process's one slot: another account waits Wait, then is refused.
	x.Wait = 20 * time.Millisecond
	release, _ = x.Acquire(as(1))
	if _, err := x.Acquire(as(2)); apperr.CodeOf(err) != apperr.RateLimited {
		t.Fatalf("past the process's slots: %v", err)
	}
	release()
	release() // twice is harmless
	if x.Running() != 0 || len(x.callers) != 0 || x.waiting != 0 {
		t.Fatalf("left held: running %d, callers %d, waiting %d", x.Running(), len(x.callers), x.waiting)
	}
}

func inOrg(uid, org int) context.Context {
	return viewer.With(context.Background(), &viewer.Viewer{Kind: viewer.KindUser, UserID: uid, OrgID: org})
}

// One organization's accounts together run and queue at most
// PerOrganization calls: its next is refused at once, while another
// organization's call still queues and runs. Nothing is left counted.
func TestExpensiveBoundsAnOrganization(t *testing.T) {
	x := &Expensive{Slots: 1, PerCaller: 1, MaxWaiting: 8, MaxWaitingPerCaller: 1, PerOrganization: 2, Wait: 5 * time.Second}
	release, err := x.Acquire(inOrg(1, 7))
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 2)
	queue := func(ctx context.Context) {
		go func() {
			r, err := x.Acquire(ctx)
			if err == nil {
				time.Sleep(5 * time.Millisecond)
				r()
			}
			results <- err
		}()
	}
	waiting := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			x.mu.Lock()
			w := x.waiting
			x.mu.Unlock()
			if w == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d waiting, want %d", w, n)
			}
		}
	}
	queue(inOrg(2, 7))
	waiting(1)
	_, err = x.Acquire(inOrg(3, 7))
	if apperr.CodeOf(err) != apperr.RateLimited || !strings.Contains(err.Error(), "Your organization") {
		t.Fatalf("organization 7's third call: %v", err)
	}
	queue(inOrg(4, 8))
	waiting(2)
	release()
	for range 2 {
		if err := <-results; err != nil {
			t.Fatalf("a queued call: %v", err)
		}
	}
	if x.Running() != 0 || len(x.callers) != 0 || x.waiting != 0 || len(x.orgs) != 0 {
		t.Fatalf("left held: running %d, callers %d, waiting %d, organizations %v", x.Running(), len(x.callers), x.waiting, x.orgs)
	}
}
