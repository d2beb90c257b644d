package guard

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"
)

// lessor is one shared bucket in memory, counting its leases.
type lessor struct {
	mu     sync.Mutex
	level  float64
	at     time.Time
	leases int
}

func (s *lessor) Lease(_ context.Context, now time.Time, _ string, owed, want, capacity float64, period time.Duration) (float64, float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leases++
	if !s.at.IsZero() {
		s.level = math.Max(0, s.level-capacity/float64(period)*float64(now.Sub(s.at)))
	}
	s.at = now
	s.level += owed
	granted := math.Min(want, math.Max(0, capacity-s.level))
	s.level += granted
	return granted, s.level, nil
}

// Two processes share one bucket: together they are served the capacity,
// a chunk leased at a time; once it is spent, refusals come from memory (no
// lease per refused request) until the bucket has leaked enough.
func TestSharedBucketsLeaseAndRefuseFromMemory(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	shared := &lessor{}
	a := &Buckets{Capacity: 100, Period: time.Hour, Now: clock, Shared: shared}
	b := &Buckets{Capacity: 100, Period: time.Hour, Now: clock, Shared: shared}
	served := 0
	for i := 0; i < 300; i++ {
		if q := []*Buckets{a, b}[i%2].Take("k", 1); q.Allowed {
			served++
		}
	}
	if served < 90 || served > 100 {
		t.Fatalf("two processes served %d of a shared 100", served)
	}
	if shared.leases > 40 {
		t.Fatalf("%d leases for %d points served and 200 refused: refusals must not lease", shared.leases, served)
	}
	before := shared.leases
	for i := 0; i < 1000; i++ {
		if q := a.Take("k", 1); q.Allowed {
			t.Fatalf("request %d served with the shared bucket spent", i)
		}
	}
	if shared.leases != before {
		t.Fatalf("1000 refused requests took %d leases; they must be refused from memory", shared.leases-before)
	}
	// An anonymous caller's bucket (an address) is this process's own: no
	// lease, whatever it spends.
	for i := 0; i < 200; i++ {
		a.Take("ip:192.0.2.7", 1)
	}
	if shared.leases != before {
		t.Fatalf("an address's requests took %d leases; its bucket is the process's own", shared.leases-before)
	}
	if q := a.Take("ip:192.0.2.7", 1); q.Allowed {
		t.Fatalf("the address's own bucket of 100 let the 201st point through: %+v", q)
	}
	// A debt charged after the fact (Settle) is paid with the next lease.
	a.Settle("k", 10)
	now = now.Add(12 * time.Minute) // 20 points leaked
	if q := a.Take("k", 5); !q.Allowed {
		t.Fatalf("after 20 points leaked, 5 more with a debt of 10: %+v", q)
	}
	if shared.level < 95 {
		t.Fatalf("shared level %.1f after the debt was paid; want ≥ 95", shared.level)
	}
	if w := a.Wait("k", 50); w <= 0 {
		t.Fatalf("wait for 50 points with the bucket nearly full: %v", w)
	}
}
