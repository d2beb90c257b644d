package guard

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"certlink/internal/clock"
)

// Buckets meter callers with leaky buckets: each key may spend Capacity points,
// refilled continuously over Period. Idle keys are forgotten.
//
// With Shared set, an account's or a token's bucket is the one every certlink
// process on the database shares (an address's stays the process's own): this process leases points from it a Chunk at a time and
// spends them from memory, so a request costs no database statement except
// one in every Chunk points. Points leased are never given back (stricter,
// never looser): the fleet spends at most Capacity plus what the processes
// hold leased and unspent. Points charged after the fact (Settle) are owed
// and paid with the next lease, so Settle never waits for the database.
type Buckets struct {
	Capacity float64
	Period   time.Duration
	Now      func() time.Time
	// Shared is the bucket every process shares (nil: this process's own).
	Shared Lessor
	// Chunk is how many points a lease takes beyond the need; zero is 5% of
	// Capacity.
	Chunk float64

	mu     sync.Mutex
	state  map[string]*bucket
	leases map[string]*lease
	sweep  time.Time
}

// Lessor is the shared bucket of every key. Lease adds owed points to key's
// bucket whatever its level (points already spent), then grants up to want
// points more while the bucket has room; it returns the points granted and
// the bucket's level after.
type Lessor interface {
	Lease(ctx context.Context, now time.Time, key string, owed, want, capacity float64, period time.Duration) (granted, level float64, err error)
}

// lease is this process's share of a key's shared bucket.
type lease struct {
	mu sync.Mutex
	// credit: points leased and not spent yet; negative, points spent beyond
	// the leases (Settle), owed to the shared bucket.
	credit float64
	level  float64 // the shared bucket's level at at, as last seen
	at     time.Time
}

type bucket struct {
	level float64 // points spent and not yet leaked away
	at    time.Time
}

// Quota is a caller's standing after a charge.
type Quota struct {
	Allowed bool
	// Err: the shared bucket could not be reached; nothing was charged and
	// the request is refused UNAVAILABLE (never served uncounted).
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
	if b.shared(key) {
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
	if b.shared(key) {
		l := b.leaseOf(key)
		l.mu.Lock()
		defer l.mu.Unlock()
		now := b.now()
		return b.standing(l, now, b.seen(l, now)-l.credit < b.Capacity)
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
	if b.shared(key) {
		l := b.leaseOf(key)
		l.mu.Lock()
		defer l.mu.Unlock()
		return b.waitShared(l, b.now(), cost)
	}
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
	if b.shared(key) {
		l := b.leaseOf(key)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.credit -= delta
		return b.standing(l, b.now(), true)
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

// shared reports whether key's bucket is the one every process shares: an
// account's or a token's. An anonymous caller's (an address, "ip:…") stays
// this process's own: what it protects is this process's CPU, the guesses
// it could make are bounded by the shared password buckets, and a flood
// from many new addresses then costs the database nothing.
func (b *Buckets) shared(key string) bool {
	return b.Shared != nil && !strings.HasPrefix(key, "ip:")
}

func (b *Buckets) chunk() float64 {
	if b.Chunk > 0 {
		return b.Chunk
	}
	return math.Max(1, math.Ceil(b.Capacity/20))
}

func (b *Buckets) rate() float64 { return b.Capacity / float64(b.Period) }

// leaseOf returns key's lease, forgetting the leases last renewed more than a
// Period ago with nothing owed (their credit is lost: stricter, never looser).
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
		l = &lease{at: now}
		b.leases[key] = l
	}
	return l
}

// seen is the shared level as last seen, leaked since.
func (b *Buckets) seen(l *lease, now time.Time) float64 {
	return math.Max(0, l.level-b.rate()*float64(now.Sub(l.at)))
}

// standing is the caller's quota as this process sees it: the shared level
// as last seen, less what it holds leased and unspent (plus what it owes).
func (b *Buckets) standing(l *lease, now time.Time, allowed bool) Quota {
	level := math.Max(0, b.seen(l, now)-l.credit)
	return Quota{Allowed: allowed, Limit: int(b.Capacity),
		Remaining: int(math.Max(0, math.Floor(b.Capacity-level))),
		Reset:     now.Add(time.Duration(level / b.rate()))}
}

// takeShared charges cost points from the lease, leasing more (and paying
// what is owed) when it holds too few.
func (b *Buckets) takeShared(key string, cost float64) Quota {
	l := b.leaseOf(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := b.now()
	if l.credit < cost && b.seen(l, now)+cost-l.credit > b.Capacity {
		// The shared bucket only leaks or fills (points leased are never
		// given back), so as last seen it cannot have room yet: refused
		// from memory, a caller with an empty bucket costs no statement.
		return b.standing(l, now, false)
	}
	if l.credit < cost {
		owed := math.Max(0, -l.credit)
		need := cost - math.Max(0, l.credit)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		granted, level, err := b.Shared.Lease(ctx, now, key, owed, need+b.chunk(), b.Capacity, b.Period)
		cancel()
		if err != nil && errors.Is(err, context.DeadlineExceeded) {
			// Waited its turn among the process's bucket transactions (a
			// flood of new callers) too long: busy, retry in a second.
			q := b.standing(l, now, false)
			q.Reset = now.Add(time.Second)
			return q
		}
		if err != nil {
			q := b.standing(l, now, false)
			q.Err = err
			return q
		}
		l.credit = math.Max(0, l.credit) + granted
		l.level, l.at = level, now
	}
	if l.credit < cost {
		return b.standing(l, now, false)
	}
	l.credit -= cost
	return b.standing(l, now, true)
}

// waitShared is how long until cost points fit: none when the lease holds
// them, else until the shared bucket as last seen has leaked enough.
func (b *Buckets) waitShared(l *lease, now time.Time, cost float64) time.Duration {
	if l.credit >= cost {
		return 0
	}
	over := b.seen(l, now) + cost - l.credit - b.Capacity
	if over <= 0 {
		return 0
	}
	return time.Duration(over / b.rate())
}
