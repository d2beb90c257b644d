package live

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Shared runs one computation per organization for all its subscribers (B4):
// while an organization has subscribers, one goroutine computes its value at
// once, again after every change event, and again when time alone changes the
// value (Next: an expiry, a validity end, an anniversary), and every
// subscriber is handed that same value. A burst of changes during a
// computation is one more computation, not one per change or per subscriber.
// Values are shared: a subscriber must not modify one.
type Shared[T any] struct {
	Hub *Hub
	// Compute returns the organization's value. It runs with no viewer's
	// context: it must not depend on who subscribed (callers authorize first).
	Compute func(ctx context.Context, orgID int) (T, error)
	// Next, if set, returns the first moment after at (a moment no later than
	// the one val was computed at) at which time passing, with no writer,
	// changes val — zero when none. The organization's goroutine sleeps until
	// then, computes again and pushes (one timer per organization with
	// subscribers, re-armed after every computation, a write-driven one
	// included). Like Compute, it must not depend on who subscribed.
	Next func(ctx context.Context, orgID int, val T, at time.Time) (time.Time, error)
	// Now is the clock Next's moments are read on (nil: time.Now); the
	// computations' own clock, so that a test's clock moves both.
	Now func() time.Time
	// Timeout bounds one computation (default 30s).
	Timeout time.Duration
	Log     *slog.Logger

	mu    sync.Mutex
	feeds map[int]*feed[T]
	runs  atomic.Int64
}

type feed[T any] struct {
	refs int
	stop context.CancelFunc

	mu   sync.Mutex
	ver  uint64 // 0 until the first computation ended
	val  T
	err  error // the first computation's error, if it failed
	subs map[chan struct{}]struct{}
}

// Computations counts the computations run so far (for tests and metrics).
func (s *Shared[T]) Computations() int64 { return s.runs.Load() }

// Feeds counts the organizations being computed for subscribers.
func (s *Shared[T]) Feeds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.feeds)
}

// Watch returns a channel that receives orgID's value at once and again
// after every change, until ctx ends (then the channel closes). A subscriber
// slower than the changes skips to the latest value. If the organization's
// first computation fails, Watch returns its error.
func (s *Shared[T]) Watch(ctx context.Context, orgID int) (<-chan T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := s.join(orgID)
	wake := make(chan struct{}, 1)
	f.mu.Lock()
	f.subs[wake] = struct{}{}
	if f.ver > 0 {
		wake <- struct{}{}
	}
	f.mu.Unlock()
	leave := func() {
		f.mu.Lock()
		delete(f.subs, wake)
		f.mu.Unlock()
		s.leave(orgID, f)
	}
	// The first value (or the first computation's error), within ctx.
	select {
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	case <-wake:
	}
	f.mu.Lock()
	val, ver, err := f.val, f.ver, f.err
	f.mu.Unlock()
	if err != nil {
		leave()
		return nil, err
	}
	out := make(chan T, 1)
	out <- val
	go func() {
		defer close(out)
		defer leave()
		seen := ver
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			}
			f.mu.Lock()
			val, ver := f.val, f.ver
			f.mu.Unlock()
			if ver == seen {
				continue
			}
			seen = ver
			// A value the subscriber has not taken yet is replaced: it gets
			// the latest state, never an older one first (a subscription
			// paced by guard.Extension takes one at most every PushEvery).
			select {
			case <-out:
			default:
			}
			select {
			case out <- val:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// join returns orgID's feed, starting it for the first subscriber.
func (s *Shared[T]) join(orgID int) *feed[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.feeds == nil {
		s.feeds = map[int]*feed[T]{}
	}
	f := s.feeds[orgID]
	if f == nil {
		ctx, cancel := context.WithCancel(context.Background())
		f = &feed[T]{stop: cancel, subs: map[chan struct{}]struct{}{}}
		s.feeds[orgID] = f
		changed, unsubscribe := s.Hub.Subscribe(orgID)
		go s.run(ctx, orgID, f, changed, unsubscribe)
	}
	f.refs++
	return f
}

// leave stops orgID's feed when its last subscriber left.
func (s *Shared[T]) leave(orgID int, f *feed[T]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.refs--
	if f.refs == 0 {
		f.stop()
		if s.feeds[orgID] == f {
			delete(s.feeds, orgID)
		}
	}
}

func (s *Shared[T]) run(ctx context.Context, orgID int, f *feed[T], changed <-chan struct{}, unsubscribe func()) {
	defer unsubscribe()
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	var next time.Time // when time alone changes the value; zero: never
	for {
		at := now()
		cctx, cancel := context.WithTimeout(ctx, timeout)
		val, err := s.Compute(cctx, orgID)
		cancel()
		s.runs.Add(1)
		if ctx.Err() != nil {
			return
		}
		f.mu.Lock()
		if err != nil && f.ver == 0 {
			// The subscribers waiting for a first value get the error; the
			// next subscriber starts a new feed and computes again.
			f.err = err
			f.ver++
			s.wakeAll(f)
			f.mu.Unlock()
			s.mu.Lock()
			if s.feeds[orgID] == f {
				delete(s.feeds, orgID)
			}
			s.mu.Unlock()
			return
		}
		if err != nil {
			// Subscribers keep the last value they had.
			log.Error("live: computing an organization's value", "org", orgID, "err", err)
		} else {
			f.val = val
			f.ver++
			s.wakeAll(f)
		}
		f.mu.Unlock()
		switch {
		case err == nil && s.Next != nil:
			// After the push: the subscribers do not wait for it.
			nctx, cancel := context.WithTimeout(ctx, timeout)
			var nerr error
			next, nerr = s.Next(nctx, orgID, val, at)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if nerr != nil {
				// The value stands; when it expires is asked again soon.
				log.Error("live: reading when time changes an organization's value", "org", orgID, "err", nerr)
				next = now().Add(retryNext)
			}
		case err != nil && !next.IsZero() && next.Before(now().Add(retryNext)):
			// A failed computation keeps the moment armed before it, but
			// is not retried in a loop once that moment has passed.
			next = now().Add(retryNext)
		}
		if !s.wait(ctx, changed, next, now) {
			return
		}
	}
}

// wait returns when the organization changed or its value's moment next (zero:
// none) has come on the clock now, false when ctx ended. Timers are capped
// at maxTimer, and a timer that fires before now reaches next (the wall
// clock stepped back; a test's clock that does not run) waits again without
// a computation: the value changes on the clock's time, not the timer's.
func (s *Shared[T]) wait(ctx context.Context, changed <-chan struct{}, next time.Time, now func() time.Time) bool {
	if next.IsZero() {
		select {
		case <-ctx.Done():
			return false
		case <-changed:
			return true
		}
	}
	timer := time.NewTimer(min(max(next.Sub(now()), 0), maxTimer))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-changed:
			return true
		case <-timer.C:
			if !now().Before(next) {
				return true
			}
			timer.Reset(min(max(next.Sub(now()), time.Second), maxTimer))
		}
	}
}

// maxTimer bounds one timer, so that a wall clock set forward is noticed.
const maxTimer = time.Hour

// retryNext is how soon Next is asked again after it failed.
const retryNext = time.Minute

// wakeAll wakes every subscriber of f; f.mu is held.
func (s *Shared[T]) wakeAll(f *feed[T]) {
	for wake := range f.subs {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}
