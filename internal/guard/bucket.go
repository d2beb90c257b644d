package guard

import (
	"context"
	"math"
	"sync"
	"time"

	"certlink/internal/clock"
)

// Buckets meter callers with leaky buckets: each key may spend Capacity points,
// refilled continuously over Period. Idle keys are forgotten.
//
// With Shared set, a key's bucket is the one every certlink process on the
// database shares: this process leases points from it Chunk at a time and
// spends them in memory, so a request costs no database statement except the
// one in every Chunk points that takes the next lease. Points leased are
// never given back: the fleet spends at most one Chunk per process more than
// Capacity (points a process leased and did not spend yet), and Remaining is
// the shared figure (as last seen, leaked since) plus what this process holds.
type Buckets struct {
	Capacity float64
	Period   time.Duration
	Now      func() time.Time
	// Shared is the bucket every process shares (nil: this process's own).
	Shared Lessor
	// Chunk is how many points a lease takes; zero is 5% of Capacity.
	Chunk float64

	mu     sync.Mutex
	state  map[string]*bucket
	leases map[string]*lease
	sweep  time.Time
}

// Lessor is the shared bucket of every key. Lease adds force points to key's
// bucket whatever its level (points already spent), then grants up to want
// points more while the bucket has room; it returns the points granted and
// the bucket's level after.
type Lessor interface {
	Lease(ctx context.Context, now time.Time, key string, force, want, capacity float64, period time.Duration) (granted, level float64, err error)
}

// lease is this process's share of a key's shared bucket.
type lease struct {
	mu sync.Mutex
	// credit: points leased and not spent yet; negative, points spent beyond
	// the leases (Settle), owed to the shared bucket.
	credit float64
	level  float64 // the shared bucket's level at at, as last seen
	at     time.Time
	name   string // the key
}

func (l *lease) key() string { return l.name }

type bucket struct {
	level float64 // points spent and not yet leaked away
	at    time.Time
}

// Quota is a caller's standing after a charge.
type Quota struct {
	Allowed bool
	// Err: the shared bucket could not be reached; nothing was charged and
	// the request is refused UNAVAILABLE (never let through uncounted).
	Err       error
	Limit     int
	Remaining int
	// Reset is when the bucket will be empty again (all points available).
	Reset time.Time
}

func (b *Buckets) now() time.Time { return clock.Now(b.Now) }

// Take charges cost points to key. A charge that would overflow the bucket is
// refused and charges nothing.
func (b *Buckets) Take(key string, cost float64) Quota {
	if b.Shared != nil {
		return b.takeShared(key, cost)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if b.state == nil {
		b.state = map[string]*bucket{}
	}
	if now.Sub(b.sweep) > b.Period {
		for k, s := range b.state {
			if b.leak(s, now) == 0 {
				delete(b.state, k)
			}
		}
		b.sweep = now
	}
	s, ok := b.state[key]
	if !ok {
		s = &bucket{at: now}
		b.state[key] = s
	}
	level := b.leak(s, now)
	q := Quota{Limit: int(b.Capacity)}
	if level+cost <= b.Capacity {
		level += cost
		q.Allowed = true
	}
	s.level, s.at = level, now
	q.Remaining = int(math.Max(0, math.Floor(b.Capacity-level)))
	q.Reset = now.Add(time.Duration(level / b.Capacity * float64(b.Period)))
	return q
}

// Peek reports key's standing without charging.
func (b *Buckets) Peek(key string) Quota {
	if b.Shared != nil {
		l := b.leaseOf(key)
		l.mu.Lock()
		defer l.mu.Unlock()
		return b.standing(l, b.now(), level(b, l, b.now()) < b.Capacity)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	level := 0.0
	if s, ok := b.state[key]; ok {
		level = b.leak(s, now)
	}
	return Quota{Allowed: level < b.Capacity, Limit: int(b.Capacity),
		Remaining: int(math.Max(0, b.Capacity-level)), Reset: now.Add(time.Duration(level / b.Capacity * float64(b.Period)))}
}

// Wait is how long key must wait until cost points fit in its bucket: 0
// when they fit now.
func (b *Buckets) Wait(key string, cost float64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.state[key]
	if !ok {
		return 0
	}
	over := b.leak(s, b.now()) + cost - b.Capacity
	if over <= 0 {
		return 0
	}
	return time.Duration(over / b.Capacity * float64(b.Period))
}

func (b *Buckets) leak(s *bucket, now time.Time) float64 {
	rate := b.Capacity / float64(b.Period)
	return math.Max(0, s.level-rate*float64(now.Sub(s.at)))
}

// Settle moves key's charge by delta points once an operation's real cost is
// known: a negative delta gives back what was not used, a positive one charges
// what was served beyond the estimate even past the capacity (the caller then
// waits longer; the answer was already bounded by the meter).
func (b *Buckets) Settle(key string, delta float64) Quota {
	if b.Shared != nil {
		return b.settleShared(key, delta)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	q := Quota{Allowed: true, Limit: int(b.Capacity)}
	s, ok := b.state[key]
	if !ok {
		if delta <= 0 {
			q.Remaining, q.Reset = int(b.Capacity), now
			return q
		}
		if b.state == nil {
			b.state = map[string]*bucket{}
		}
		s = &bucket{at: now}
		b.state[key] = s
	}
	level := math.Max(0, b.leak(s, now)+delta)
	s.level, s.at = level, now
	q.Remaining = int(math.Max(0, math.Floor(b.Capacity-level)))
	q.Reset = now.Add(time.Duration(level / b.Capacity * float64(b.Period)))
	return q
}

func (b *Buckets) chunk() float64 {
	if b.Chunk > 0 {
		return b.Chunk
	}
	return math.Max(1, math.Ceil(b.Capacity/20))
}

// leaseOf returns key's lease, forgetting the leases whose shared bucket was
// last seen empty long enough ago to have leaked away (their credit is lost:
// stricter, never looser).
func (b *Buckets) leaseOf(key string) *lease {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if b.leases == nil {
		b.leases = map[string]*lease{}
	}
	if now.Sub(b.sweep) > b.Period {
		for k, l := range b.leases {
			if l.mu.TryLock() {
				if now.Sub(l.at) > b.Period && l.credit >= 0 {
					delete(b.leases, k)
				}
				l.mu.Unlock()
			}
		}
		b.sweep = now
	}
	l, ok := b.leases[key]
	if !ok {
		l = &lease{name: key}
		b.leases[key] = l
	}
	return l
}

// level is the shared bucket's level now as this process last saw it, leaked
// since: other processes only add to it, so the real level is at least this.
func level(b *Buckets, l *lease, now time.Time) float64 {
	if l.at.IsZero() {
		return 0
	}
	rate := b.Capacity / float64(b.Period)
	return math.Max(0, l.level-rate*float64(now.Sub(l.at)))
}

// standing is the caller's quota: the shared bucket's room plus the points
// this process holds.
func (b *Buckets) standing(l *lease, now time.Time, allowed bool) Quota {
	used := math.Max(0, level(b, l, now)-l.credit)
	return Quota{Allowed: allowed, Limit: int(b.Capacity),
		Remaining: int(math.Max(0, math.Floor(b.Capacity-used))),
		Reset:     now.Add(time.Duration(used / b.Capacity * float64(b.Period)))}
}

// renew pays what l owes and leases at least need points more (a Chunk when
// there is room for it). Called with l.mu held.
func (b *Buckets) renew(l *lease, now time.Time, need float64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	force := math.Max(0, -l.credit)
	granted, lvl, err := b.Shared.Lease(ctx, now, l.key(), force, math.Max(b.chunk(), need), b.Capacity, b.Period)
	if err != nil {
		return err
	}
	l.credit += force + granted
	l.level, l.at = lvl, now
	return nil
}

func (b *Buckets) takeShared(key string, cost float64) Quota {
	l := b.leaseOf(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := b.now()
	if l.credit < cost {
		need := cost - math.Max(0, l.credit)
		// Ask the shared bucket only when the level last seen leaves room:
		// a caller refused costs no statement until its bucket leaked.
		if l.at.IsZero() || level(b, l, now)+need <= b.Capacity {
			if err := b.renew(l, now, need); err != nil {
				q := b.standing(l, now, false)
				q.Err = err
				return q
			}
		}
	}
	allowed := l.credit >= cost
	if allowed {
		l.credit -= cost
	}
	return b.standing(l, now, allowed)
}

func (b *Buckets) settleShared(key string, delta float64) Quota {
	l := b.leaseOf(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := b.now()
	l.credit -= delta
	// Points spent beyond the leases are owed to the shared bucket and paid
	// with the next lease (Take). Settle itself never waits for the database:
	// it runs inside operations that may hold SQLite's one write lock (an
	// expensive what-if charges its time as it runs).
	return b.standing(l, now, true)
}
