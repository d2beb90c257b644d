package guard

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

// memLessor is one shared bucket per key, counting the leases asked.
type memLessor struct {
	mu     sync.Mutex
	level  map[string]float64
	at     map[string]time.Time
	leases int
	fail   bool
}

func (m *memLessor) Lease(_ context.Context, now time.Time, key string, force, want, capacity float64, period time.Duration) (float64, float64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leases++
	if m.fail {
		return 0, 0, errors.New("database down")
	}
	if m.level == nil {
		m.level, m.at = map[string]float64{}, map[string]time.Time{}
	}
	lvl := m.level[key]
	if at, ok := m.at[key]; ok {
		lvl = math.Max(0, lvl-capacity/float64(period)*float64(now.Sub(at)))
	}
	lvl += force
	g := math.Min(want, math.Max(0, capacity-lvl))
	m.level[key], m.at[key] = lvl+g, now
	return g, lvl + g, nil
}

// A process spends leased points in memory: one lease per chunk, none per
// request; a caller refused costs no lease until its bucket leaked; two
// processes on one shared bucket spend the capacity in all.
func TestSharedBucketsLeaseChunks(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	shared := &memLessor{}
	a := &Buckets{Capacity: 100, Period: time.Hour, Now: clock, Shared: shared}
	b := &Buckets{Capacity: 100, Period: time.Hour, Now: clock, Shared: shared}
	served := 0
	for i := 0; i < 300; i++ {
		p := []*Buckets{a, b}[i%2]
		if q := p.Take("user:1", 1); q.Allowed {
			served++
		}
	}
	if served != 100 {
		t.Fatalf("two processes served %d points of a shared 100", served)
	}
	if shared.leases != 20+1 {
		// 20 chunks of 5, and one refused lease by the process that had not
		// seen the bucket full; every later refusal was answered from memory.
		t.Fatalf("%d leases for 100 points in chunks of 5", shared.leases)
	}
	if q := a.Take("user:1", 1); q.Allowed || q.Remaining != 0 || !q.Reset.Equal(now.Add(time.Hour)) {
		t.Fatalf("full bucket: %+v", q)
	}
	// 36 seconds leak one point: one more request, one more lease.
	now = now.Add(36 * time.Second)
	if q := b.Take("user:1", 1); !q.Allowed {
		t.Fatalf("after a leak: %+v", q)
	}
	if q := a.Take("user:1", 1); q.Allowed {
		t.Fatalf("a second point after one leaked: %+v", q)
	}
	// Settle: what was not used comes back to the process, what was served
	// beyond is owed and paid to the shared bucket with the next lease.
	c := &Buckets{Capacity: 100, Period: time.Hour, Now: clock, Shared: &memLessor{}}
	if q := c.Take("k", 10); !q.Allowed || q.Remaining != 90 {
		t.Fatalf("take 10: %+v", q)
	}
	if q := c.Settle("k", -4); q.Remaining != 94 {
		t.Fatalf("settle -4: %+v", q)
	}
	if q := c.Settle("k", 30); q.Remaining != 64 {
		t.Fatalf("settle +30: %+v", q)
	}
	if q := c.Peek("k"); q.Remaining != 64 {
		t.Fatalf("peek: %+v", q)
	}
	shared2 := c.Shared.(*memLessor)
	if q := c.Take("k", 1); !q.Allowed || q.Remaining != 63 || shared2.level["k"] != 41 {
		t.Fatalf("take after a debt: %+v, shared level %v (want 10+26 owed +5 leased = 41)", q, shared2.level["k"])
	}
}

// A shared bucket that cannot be reached refuses: nothing is served uncounted.
func TestSharedBucketsFailClosed(t *testing.T) {
	b := &Buckets{Capacity: 100, Period: time.Hour, Shared: &memLessor{fail: true}}
	if q := b.Take("user:1", 1); q.Allowed || q.Err == nil {
		t.Fatalf("take with the database down: %+v", q)
	}
}
