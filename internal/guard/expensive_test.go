package guard

import (
	"context"
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
