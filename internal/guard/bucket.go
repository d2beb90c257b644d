package guard

import (
	"math"
	"sync"
	"time"

	"certlink/internal/clock"
)

// Buckets meter callers with leaky buckets: each key may spend Capacity points,
// refilled continuously over Period. Idle keys are forgotten.
type Buckets struct {
	Capacity float64
	Period   time.Duration
	Now      func() time.Time

	mu    sync.Mutex
	state map[string]*bucket
	sweep time.Time
}

type bucket struct {
	level float64 // points spent and not yet leaked away
	at    time.Time
}

// Quota is a caller's standing after a charge.
type Quota struct {
	Allowed   bool
	Limit     int
	Remaining int
	// Reset is when the bucket will be empty again (all points available).
	Reset time.Time
}

func (b *Buckets) now() time.Time { return clock.Now(b.Now) }

// Take charges cost points to key. A charge that would overflow the bucket is
// refused and charges nothing.
func (b *Buckets) Take(key string, cost float64) Quota {
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
