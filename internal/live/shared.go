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
// once and again after every change event, and every subscriber is handed
// that same value. A burst of changes during a computation is one more
// computation, not one per change or per subscriber. Values are shared: a
// subscriber must not modify one.
type Shared[T any] struct {
	Hub *Hub
	// Compute returns the organization's value. It runs with no viewer's
	// context: it must not depend on who subscribed (callers authorize first).
	Compute func(ctx context.Context, orgID int) (T, error)
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
	for {
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
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// wakeAll wakes every subscriber of f; f.mu is held.
func (s *Shared[T]) wakeAll(f *feed[T]) {
	for wake := range f.subs {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}
