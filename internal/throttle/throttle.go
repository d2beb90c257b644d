// Package throttle meters attempts that test a secret (a sign-in's password, a
// directory account's password) so that guessing is slow however the guesses
// arrive. An attempt is reserved before the secret is tested, in every bucket
// that applies, all at once or not at all: a key never has more attempts in
// flight than failures it may still spend. Parallel guesses therefore cannot
// overtake the count — of 100 guesses sent at once, at most a bucket's capacity
// are ever tested. An attempt that proves right gives its reservation back, so
// right answers never use up anyone's budget, and an attempt that cannot get a
// slot because others are still being tested waits for them (up to its
// deadline) instead of failing: the owner's parallel requests queue, the
// attacker's wrong guesses fill the bucket and the rest are refused.
//
// Each bucket leaks: Capacity failures are forgiven over Period, so a full
// bucket lets one more attempt through every Period/Capacity — a steady delay,
// never a permanent wall.
//
// With Shared set, the buckets are the ones every certlink process on the
// database shares (failures and attempts in flight alike), so N processes
// allow no more guesses than one; this process only keeps the channel that
// wakes its own waiting attempts, and polls for the others'.
package throttle

import (
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/clock"
)

// Rule is one kind of bucket: Capacity failures per Period for each key.
type Rule struct {
	Name     string
	Capacity float64
	Period   time.Duration
}

// Key is one bucket: a rule and the value it counts for (an email, an address…).
type Key struct {
	Rule  *Rule
	Value string
}

// Limiter holds the buckets of every rule. The zero value is ready to use.
type Limiter struct {
	// Now is the clock (tests); nil is the wall clock.
	Now func() time.Time
	// MaxWait bounds how long Reserve waits for attempts in flight when the
	// context has no earlier deadline. Zero means 10 seconds.
	MaxWait time.Duration
	// Shared, when set, holds the buckets instead of this process's memory:
	// every process on the database counts in the same ones.
	Shared SharedGate

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
	sweptAt time.Time
	// changed is closed (and replaced) whenever an attempt in flight ends, to
	// wake the reservations waiting for one.
	changed chan struct{}
}

// SharedGate is a store of buckets every process shares. Reserve counts one
// attempt in flight (until until at the latest) in every key's bucket, all or
// nothing: refusal when failures alone fill one (the first in keys' order),
// busy when only attempts in flight stand in the way. Settle ends an attempt,
// adding failures[i] to keys[i]'s bucket. Failures is a bucket's level now.
type SharedGate interface {
	Reserve(ctx context.Context, now time.Time, keys []Key, until time.Time) (refusal *Refusal, busy bool, err error)
	Settle(ctx context.Context, now time.Time, keys []Key, failures []float64) error
	Failures(ctx context.Context, now time.Time, k Key) (float64, error)
	// Busy reports, without locking anything, whether some key's bucket is
	// still short of room (failures and attempts in flight).
	Busy(ctx context.Context, now time.Time, keys []Key) (bool, error)
}

// ErrUnavailable: the shared buckets could not be read or written; the
// secret was not tested.
var ErrUnavailable = apperr.New(apperr.Unavailable, "Attempts cannot be counted right now, so the password was not checked. Try again in a few seconds.")

// sharedPoll is how soon an attempt waiting for attempts in flight in other
// processes first looks again (those of this process wake it at once); it
// looks less often the longer it waits, up to once a second.
const sharedPoll = 100 * time.Millisecond

type bucketKey struct {
	rule  *Rule
	value string
}

type bucket struct {
	failures float64 // failures not yet leaked away
	at       time.Time
	inFlight int // reserved attempts whose outcome is not known yet
}

// Refusal says that an attempt may not be made now, and when it may.
type Refusal struct {
	// Rule is the first rule whose bucket was full.
	Rule *Rule
	// RetryAt is when that bucket will have room for one more failure.
	RetryAt time.Time
	// InFlight: the bucket had room, but not before the attempts being tested
	// ended, and waiting for them took too long.
	InFlight bool
}

func (r *Refusal) Error() string { return "throttle: " + r.Rule.Name + " is full" }

// Reservation is one attempt counted in every bucket it was reserved in. Exactly
// one of Failed or Release must be called when the attempt's outcome is known.
type Reservation struct {
	l    *Limiter
	keys []bucketKey
	// shared: the keys reserved in l.Shared (keys is then empty).
	shared []Key
	// deadline is the request's: the settlement is waited for until just
	// before it, then left to finish on its own.
	deadline time.Time
	// priority: the attempt's settlement keeps its caller's priority
	// (auth.WithPriority).
	priority bool
	once     sync.Once
}

func (l *Limiter) now() time.Time { return clock.Now(l.Now) }

// Reserve counts one attempt in flight in every key's bucket, atomically: either
// all have room (failures + attempts in flight < capacity) or nothing is
// counted. When only attempts in flight stand in the way it waits for them to
// end, until ctx's deadline or MaxWait; when failures alone fill a bucket it
// refuses at once with a *Refusal, and so it does when the wait ends first
// (InFlight set).
func (l *Limiter) Reserve(ctx context.Context, keys ...Key) (*Reservation, error) {
	wait := l.MaxWait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	// Leave the request time to test the password and answer once it got a turn.
	budget := clock.WaitBudget(ctx, wait, time.Second)
	timer := time.NewTimer(budget)
	defer timer.Stop()
	if l.Shared != nil {
		return l.reserveShared(ctx, keys, budget, timer)
	}
	for {
		r, refusal, changed := l.try(keys)
		if r != nil {
			return r, nil
		}
		if refusal != nil {
			return nil, refusal
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, l.busy(keys)
		case <-timer.C:
			return nil, l.busy(keys)
		}
	}
}

// reserveShared is Reserve on the shared buckets: an attempt in flight there
// holds its place until the request's deadline (plus the time to answer), so
// a process that dies while testing one frees it then.
func (l *Limiter) reserveShared(ctx context.Context, keys []Key, budget time.Duration, timer *time.Timer) (*Reservation, error) {
	until := l.now().Add(budget + 5*time.Second)
	if d, ok := ctx.Deadline(); ok && d.Add(time.Second).After(until) {
		until = d.Add(time.Second)
	}
	// Waiting for the bucket's turn (other attempts at it reserving or
	// settling) counts in the wait budget too: past it the attempt is
	// refused as busy, leaving the request time to answer.
	wctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	// With no time to wait for others (a request timeout shorter than the
	// time kept for testing the secret), the one look at the buckets still
	// runs, in the request's own time: refused as busy only when others are
	// in flight, else tested (a review's every attempt at
	// --request-timeout=1s was refused "being checked right now", alone).
	look := wctx
	if budget <= 0 {
		look = ctx
	}
	for {
		l.mu.Lock()
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		now := l.now()
		refusal, busy, err := l.Shared.Reserve(look, now, keys, until)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err() // the request's own time ran out
		case err != nil && wctx.Err() != nil:
			return nil, l.busy(keys)
		case err != nil:
			slog.WarnContext(ctx, "throttle: the shared buckets failed; the attempt is refused untested", "err", err)
			return nil, ErrUnavailable
		case refusal != nil:
			return nil, refusal
		case !busy:
			deadline, _ := ctx.Deadline()
			return &Reservation{l: l, shared: keys, deadline: deadline, priority: auth.HasPriority(ctx)}, nil
		}
		// Wait for an attempt to end: this process's wake the waiters at
		// once; the others' are seen by a look without locks every
		// sharedPoll, and only then is the reservation tried again.
		for every := sharedPoll; busy; every = min(every*3/2, time.Second) {
			// Looks spread out the longer the wait (a flood of waiting
			// attempts costs the database a few reads a second each at most).
			poll := time.NewTimer(every/2 + rand.N(every))
			select {
			case <-changed:
				busy = false
			case <-poll.C:
				if still, err := l.Shared.Busy(wctx, l.now(), keys); err != nil || !still {
					busy = false
				}
			case <-ctx.Done():
				poll.Stop()
				return nil, l.busy(keys)
			case <-timer.C:
				poll.Stop()
				return nil, l.busy(keys)
			}
			poll.Stop()
		}
	}
}

// settleShared ends a reservation in the shared buckets. It outlives the
// request (a failure must be counted even when the caller hung up) and tries
// a few times; a reservation it cannot end frees its place at its deadline.
// The caller waits for it until just before the request's deadline (so a
// settled failure is seen by the caller's next attempt), then answers while
// it finishes: the place stays held meanwhile, so the bound holds either way.
func (r *Reservation) settleShared(failures func(bucketKey) float64) {
	f := make([]float64, len(r.shared))
	for i, k := range r.shared {
		f[i] = failures(bucketKey{k.Rule, k.Value})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.settleSharedNow(f)
	}()
	if r.deadline.IsZero() {
		<-done
		return
	}
	t := time.NewTimer(time.Until(r.deadline) - 500*time.Millisecond)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

func (r *Reservation) settleSharedNow(f []float64) {
	l := r.l
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if r.priority {
		ctx = auth.WithPriority(ctx)
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = l.Shared.Settle(ctx, l.now(), r.shared, f); err == nil {
			break
		}
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		slog.Error("throttle: an attempt could not be settled in the shared buckets", "err", err, "failures", f)
	}
	l.mu.Lock()
	if l.changed != nil {
		close(l.changed)
	}
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// busy is the refusal of an attempt that waited its longest for attempts in
// flight: they end within seconds, so it may try again in one.
func (l *Limiter) busy(keys []Key) *Refusal {
	return &Refusal{Rule: keys[0].Rule, RetryAt: l.now().Add(time.Second), InFlight: true}
}

// try reserves keys when all have room. Otherwise it returns the refusal when
// failures fill a bucket, or the channel to wait on when attempts in flight do.
func (l *Limiter) try(keys []Key) (*Reservation, *Refusal, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.init(now)
	busy := false
	for _, k := range keys {
		b := l.buckets[bucketKey{k.Rule, k.Value}]
		if b == nil {
			continue
		}
		failures := leak(k.Rule, b, now)
		if failures+1 > k.Rule.Capacity {
			room := failures + 1 - k.Rule.Capacity
			return nil, &Refusal{Rule: k.Rule, RetryAt: now.Add(time.Duration(room / k.Rule.Capacity * float64(k.Rule.Period)))}, nil
		}
		if failures+float64(b.inFlight)+1 > k.Rule.Capacity {
			busy = true
		}
	}
	if busy {
		return nil, nil, l.changed
	}
	r := &Reservation{l: l}
	for _, k := range keys {
		bk := bucketKey{k.Rule, k.Value}
		b := l.buckets[bk]
		if b == nil {
			b = &bucket{at: now}
			l.buckets[bk] = b
		}
		b.failures, b.at = leak(k.Rule, b, now), now
		b.inFlight++
		r.keys = append(r.keys, bk)
	}
	return r, nil, nil
}

func (l *Limiter) init(now time.Time) {
	if l.buckets == nil {
		l.buckets = map[bucketKey]*bucket{}
		l.changed = make(chan struct{})
		l.sweptAt = now
	}
	if now.Sub(l.sweptAt) < time.Minute {
		return
	}
	// Forget idle buckets so a stream of new keys (guessed emails) costs no
	// memory once it has leaked away.
	for k, b := range l.buckets {
		if b.inFlight == 0 && leak(k.rule, b, now) == 0 {
			delete(l.buckets, k)
		}
	}
	l.sweptAt = now
}

func leak(r *Rule, b *bucket, now time.Time) float64 {
	rate := r.Capacity / float64(r.Period)
	return math.Max(0, b.failures-rate*float64(now.Sub(b.at)))
}

// Failed ends the attempt as a failure: it stays counted in every bucket.
func (r *Reservation) Failed() { r.end(1) }

// Release ends the attempt without counting it: the secret proved right, or it
// was never tested.
func (r *Reservation) Release() { r.end(0) }

func (r *Reservation) end(failures float64) {
	r.settle(func(bucketKey) float64 { return failures })
}

func (r *Reservation) settle(failures func(bucketKey) float64) {
	if r == nil {
		return
	}
	r.once.Do(func() {
		l := r.l
		if r.shared != nil {
			r.settleShared(failures)
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		now := l.now()
		for _, k := range r.keys {
			b := l.buckets[k]
			if b == nil {
				continue
			}
			b.failures, b.at = leak(k.rule, b, now)+failures(k), now
			b.inFlight--
		}
		close(l.changed)
		l.changed = make(chan struct{})
	})
}

// Failures reports the failures key's bucket holds now (for tests and metrics).
func (l *Limiter) Failures(k Key) float64 {
	if l.Shared != nil {
		f, err := l.Shared.Failures(context.Background(), l.now(), k)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[bucketKey{k.Rule, k.Value}]
	if b == nil {
		return 0
	}
	return leak(k.Rule, b, l.now())
}

// Attempt tests a secret under keys: it reserves the attempt, runs test, and
// settles the reservation — released when test says the secret is right or
// fails with an error (nothing was learned), counted as a failure when it says
// wrong. A refusal is returned as a *Refusal and test does not run. A nil
// Limiter only runs test.
func (l *Limiter) Attempt(ctx context.Context, keys []Key, test func() (bool, error)) (bool, error) {
	if l == nil {
		return test()
	}
	r, err := l.Reserve(ctx, keys...)
	if err != nil {
		return false, err
	}
	ok, err := test()
	if err != nil || ok {
		r.Release()
	} else {
		r.Failed()
	}
	return ok, err
}

// Coded is the refusal as a caller sees it: RATE_LIMITED saying what was
// refused and when to try again (extensions retryAt and retryAfterSeconds).
func (r *Refusal) Coded(what string) *apperr.Error {
	secs := max(1, int(math.Ceil(time.Until(r.RetryAt).Seconds())))
	if r.InFlight {
		return apperr.New(apperr.RateLimited, "%s: other attempts are being checked right now. Try again in a few seconds.", what).
			With("retryAfterSeconds", secs).With("retryAt", r.RetryAt.UTC().Format(time.RFC3339))
	}
	return apperr.New(apperr.RateLimited, "%s. Try again after %s.", what, r.RetryAt.UTC().Format("15:04:05 UTC")).
		With("retryAfterSeconds", secs).With("retryAt", r.RetryAt.UTC().Format(time.RFC3339))
}
