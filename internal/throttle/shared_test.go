package throttle

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// recordingGate is a SharedGate that records what it was asked.
type recordingGate struct {
	mu       sync.Mutex
	charged  [][]Key
	refunded [][]Key
	refuse   bool
	fail     bool
}

func (g *recordingGate) Charge(_ context.Context, now time.Time, keys []Key) (*Refusal, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail {
		return nil, errors.New("database down")
	}
	if g.refuse {
		return &Refusal{Rule: keys[0].Rule, RetryAt: now.Add(time.Minute)}, nil
	}
	g.charged = append(g.charged, keys)
	return nil, nil
}

func (g *recordingGate) Refund(_ context.Context, _ time.Time, keys []Key) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refunded = append(g.refunded, keys)
	return nil
}

func TestSharedGateSettles(t *testing.T) {
	a := &Rule{Name: "a", Capacity: 5, Period: time.Minute}
	b := &Rule{Name: "b", Capacity: 5, Period: time.Minute}
	keys := []Key{{Rule: a, Value: "x"}, {Rule: b, Value: "y"}}
	g := &recordingGate{}
	l := &Limiter{Shared: g}
	ctx := context.Background()

	r, err := l.Reserve(ctx, keys...)
	if err != nil {
		t.Fatal(err)
	}
	r.Failed() // a failure keeps the charge everywhere
	r, _ = l.Reserve(ctx, keys...)
	r.Release() // a right or untested attempt is refunded everywhere
	r, _ = l.Reserve(ctx, keys...)
	r.FailedIn(a) // a failure in a only: refunded in b
	if len(g.charged) != 3 || len(g.refunded) != 2 ||
		len(g.refunded[0]) != 2 || len(g.refunded[1]) != 1 || g.refunded[1][0].Rule != b {
		t.Fatalf("charged %v, refunded %v", g.charged, g.refunded)
	}
	if f := l.Failures(keys[0]); f < 1.99 || f > 2 {
		t.Fatalf("memory bucket a: %v failures, want 2", f)
	}

	// A refusal or a failure of the shared gate gives the memory's
	// reservation back: nothing stays in flight.
	g.refuse = true
	if _, err := l.Reserve(ctx, keys...); err == nil {
		t.Fatal("shared refusal not returned")
	} else if _, ok := err.(*Refusal); !ok {
		t.Fatalf("shared refusal returned as %T", err)
	}
	g.refuse, g.fail = false, true
	if _, err := l.Reserve(ctx, keys...); err == nil || err.Error() != Unavailable().Error() {
		t.Fatalf("shared failure: %v, want UNAVAILABLE", err)
	}
	l.mu.Lock()
	for k, bk := range l.buckets {
		if bk.inFlight != 0 {
			t.Errorf("%s/%s: %d in flight after refusals", k.rule.Name, k.value, bk.inFlight)
		}
	}
	l.mu.Unlock()
}
