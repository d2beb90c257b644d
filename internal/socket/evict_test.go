package socket

import (
	"context"
	"testing"
	"time"

	"certlink/internal/viewer"
)

// TestPendingEviction: an upgrade without a sign-in over the address's
// pending cap takes the oldest pending slot; evictions are bounded per
// address (an upgrade waits its turn up to MaxEvictionWait, else is refused);
// an evicted admission is counted no more, cannot be promoted, and nothing
// is left once every upgrade ended.
func TestPendingEviction(t *testing.T) {
	l := DefaultLimits
	l.MaxAddressPending, l.EvictionsPerSecond, l.EvictionBurst, l.MaxEvictionWait = 2, 10, 1, 50*time.Millisecond
	g := NewRegistry(l, nil)
	ctx := context.Background()
	admit := func() (*Admission, *AdmitRefusal) { return g.Admit(ctx, "192.0.2.1", nil) }
	a1, r1 := admit()
	a2, r2 := admit()
	if r1 != nil || r2 != nil {
		t.Fatalf("under the cap: %v %v", r1, r2)
	}
	a3, r3 := admit() // the burst's one eviction: a1 goes
	if r3 != nil {
		t.Fatalf("first upgrade over the cap refused: %v", r3)
	}
	if !a1.evicted || a2.evicted {
		t.Fatalf("evicted: a1 %v, a2 %v; want the oldest only", a1.evicted, a2.evicted)
	}
	if p, _ := g.AddressSockets("192.0.2.1"); p != 2 {
		t.Fatalf("pending after an eviction: %d, want 2", p)
	}
	// The next turn is 100 ms away, past the 50 ms wait: refused.
	if _, r := admit(); r == nil || !r.Evicting {
		t.Fatalf("eviction past the bound: %+v, want an Evicting refusal", r)
	}
	// Waiting longer is allowed: it waits its turn, then evicts a2.
	g.mu.Lock()
	g.Limits.MaxEvictionWait = time.Second
	g.mu.Unlock()
	start := time.Now()
	a4, r4 := admit()
	if r4 != nil || !a2.evicted || a3.evicted {
		t.Fatalf("waiting upgrade: %v; a2 evicted %v, a3 evicted %v", r4, a2.evicted, a3.evicted)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("the upgrade did not wait its turn (%v)", waited)
	}
	// An evicted admission's release does not free another's slot, and it
	// cannot be promoted by a late connection_init.
	a1.Release()
	g.mu.Lock()
	promoted := a2.promoteLocked()
	g.mu.Unlock()
	if promoted {
		t.Fatal("an evicted admission was promoted")
	}
	if p, _ := g.AddressSockets("192.0.2.1"); p != 2 {
		t.Fatalf("pending after releasing an evicted one: %d, want 2", p)
	}
	for _, a := range []*Admission{a2, a3, a4} {
		a.Release()
	}
	if n := g.Addresses(); n != 0 {
		t.Fatalf("%d addresses left after every upgrade ended", n)
	}
}

// TestGoingAwayReachesSocketsAttachedLate: a socket whose upgrade was
// answered just as the process began to stop is attached after
// CloseGoingAway ran (the client saw 101 first): it is closed 1001 as it is
// attached, and a connection_init after it is refused 1001, not left to the
// init timeout (a flake under load showed the gap).
func TestGoingAwayReachesSocketsAttachedLate(t *testing.T) {
	g := NewRegistry(DefaultLimits, nil)
	a, r := g.Admit(context.Background(), "192.0.2.1", nil)
	if r != nil {
		t.Fatal(r)
	}
	if n := g.CloseGoingAway("stopping"); n != 0 {
		t.Fatalf("closed %d before any socket was attached", n)
	}
	f := newFake()
	a.attach(newWSConn(f, DefaultLimits, time.Now()))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if code, reason := f.closeOf(); code == CloseGoingAway && reason == "stopping" {
			break
		}
		if time.Now().After(deadline) {
			code, reason := f.closeOf()
			t.Fatalf("a socket attached after CloseGoingAway: closed %d %q, want %d", code, reason, CloseGoingAway)
		}
		time.Sleep(5 * time.Millisecond)
	}
	ctx := context.WithValue(context.Background(), holderKey{}, &holder{adm: a, ws: a.ws})
	if _, err := g.Open(ctx, "s", &viewer.Viewer{Kind: viewer.KindUser, UserID: 1, OrgID: 1}); err == nil {
		t.Fatal("a socket signed in after CloseGoingAway")
	} else if ref, ok := err.(*Refusal); !ok || ref.Code != CloseGoingAway {
		t.Fatalf("signing in after CloseGoingAway: %v, want a %d refusal", err, CloseGoingAway)
	}
	a.Release()
}
