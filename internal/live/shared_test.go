package live

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// state is the "database" the shared computation reads; the oracle is its
// current version, computed directly.
type state struct {
	mu  sync.Mutex
	ver map[int]int
}

func (s *state) bump(org int) {
	s.mu.Lock()
	s.ver[org]++
	s.mu.Unlock()
}

func (s *state) read(org int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ver[org]
}

func recv(t *testing.T, ch <-chan int, want int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case v, ok := <-ch:
			if !ok {
				t.Fatal("the feed closed")
			}
			if v == want {
				return
			}
			if v > want {
				t.Fatalf("got %d, want %d", v, want)
			}
		case <-deadline:
			t.Fatalf("no value %d", want)
		}
	}
}

// One computation per organization and change, whatever the number of
// subscribers; every subscriber gets the value the oracle computes; a burst
// of changes costs at most two computations; nothing is left once they leave.
func TestSharedComputesOncePerChange(t *testing.T) {
	h, _ := New("", "", "i1", nil)
	db := &state{ver: map[int]int{}}
	var perOrg [3]atomic.Int64
	s := &Shared[int]{Hub: h, Compute: func(ctx context.Context, org int) (int, error) {
		perOrg[org].Add(1)
		time.Sleep(2 * time.Millisecond)
		return db.read(org), nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	subs := map[int][]<-chan int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		org := 1 + i%2
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch, err := s.Watch(ctx, org)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			subs[org] = append(subs[org], ch)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for org, chs := range subs {
		for _, ch := range chs {
			recv(t, ch, db.read(org))
		}
	}
	if s.Feeds() != 2 || h.Subscribers() != 2 {
		t.Fatalf("%d feeds and %d hub subscriptions for 2 organizations", s.Feeds(), h.Subscribers())
	}
	for org := 1; org <= 2; org++ {
		if n := perOrg[org].Load(); n != 1 {
			t.Fatalf("org %d computed %d times for 30 subscribers", org, n)
		}
	}
	// One change of org 1: one computation, every subscriber of org 1 hears
	// the oracle's value, org 2 is not computed.
	db.bump(1)
	h.Publish(1)
	for _, ch := range subs[1] {
		recv(t, ch, db.read(1))
	}
	if n := perOrg[1].Load(); n != 2 {
		t.Fatalf("org 1: %d computations after one change, want 2", n)
	}
	if n := perOrg[2].Load(); n != 1 {
		t.Fatalf("org 2 computed again (%d) after org 1 changed", n)
	}
	// A burst of 200 changes: at most one computation running and one
	// pending, and everyone ends on the last value.
	for i := 0; i < 200; i++ {
		db.bump(1)
		h.Publish(1)
	}
	for _, ch := range subs[1] {
		recv(t, ch, db.read(1))
	}
	if n := perOrg[1].Load(); n > 4 {
		t.Fatalf("200 changes in a burst cost %d computations", n-2)
	}
	cancel()
	for _, chs := range subs {
		for _, ch := range chs {
			for range ch {
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for (s.Feeds() != 0 || h.Subscribers() != 0) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Feeds() != 0 || h.Subscribers() != 0 {
		t.Fatalf("after everyone left: %d feeds, %d hub subscriptions", s.Feeds(), h.Subscribers())
	}
}

// A failed first computation is every waiting subscriber's error; the next
// subscriber computes again. Subscribers joining and leaving at random while
// changes arrive (run with -race) always get a value.
func TestSharedErrorsAndChurn(t *testing.T) {
	h, _ := New("", "", "i1", nil)
	var fail atomic.Bool
	fail.Store(true)
	s := &Shared[int]{Hub: h, Compute: func(ctx context.Context, org int) (int, error) {
		if fail.Load() {
			return 0, errors.New("database down")
		}
		return org * 10, nil
	}}
	if _, err := s.Watch(context.Background(), 7); err == nil || err.Error() != "database down" {
		t.Fatalf("first computation failed: %v", err)
	}
	fail.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := s.Watch(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	recv(t, ch, 70)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				h.Publish(7)
				time.Sleep(time.Millisecond)
			}
		}
	}()
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				ctx, cancel := context.WithCancel(context.Background())
				ch, err := s.Watch(ctx, 7)
				if err != nil {
					t.Error(err)
					cancel()
					return
				}
				if v := <-ch; v != 70 {
					t.Errorf("got %d", v)
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	close(stop)
	// A subscriber whose context ends while waiting for the first value.
	short, cancelShort := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancelShort()
	<-short.Done()
	if _, err := s.Watch(short, 8); err == nil {
		t.Fatal("a subscriber whose context ended got a feed")
	}
}

// Time alone changes a value (an expiry, no writer): the feed computes again
// at the value's next moment and pushes it, re-arms after every computation
// (a change's included), and computes nothing once no moment is ahead.
func TestSharedPushesWhenTimeChangesTheValue(t *testing.T) {
	h, _ := New("", "", "i1", nil)
	var mu sync.Mutex
	start := time.Now()
	ends := []time.Time{start.Add(150 * time.Millisecond), start.Add(300 * time.Millisecond)}
	counting := func(at time.Time) (n int, next time.Time) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range ends {
			if e.After(at) {
				n++
				if next.IsZero() || e.Before(next) {
					next = e
				}
			}
		}
		return n, next
	}
	s := &Shared[int]{Hub: h,
		Compute: func(ctx context.Context, org int) (int, error) {
			n, _ := counting(time.Now())
			return n, nil
		},
		Next: func(ctx context.Context, org int, _ int, at time.Time) (time.Time, error) {
			_, next := counting(at)
			return next, nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := s.Watch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	recv(t, ch, 2)
	recv(t, ch, 1) // the first end passed: no Publish
	recv(t, ch, 0)
	// A write adds a span ending soon: the push after it arms its end.
	mu.Lock()
	ends = append(ends, time.Now().Add(150*time.Millisecond))
	mu.Unlock()
	h.Publish(1)
	recv(t, ch, 1)
	recv(t, ch, 0)
	runs := s.Computations()
	time.Sleep(300 * time.Millisecond)
	if n := s.Computations(); n != runs {
		t.Fatalf("%d computations with no change and no moment ahead", n-runs)
	}
	cancel()
	for range ch {
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Feeds() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Feeds() != 0 {
		t.Fatal("the feed outlived its subscribers")
	}
}

// A clock behind the timers (a test's clock that does not run, a wall clock
// set back) is waited for: the timer firing early computes nothing.
func TestSharedWaitsForTheClock(t *testing.T) {
	h, _ := New("", "", "i1", nil)
	var clock atomic.Int64 // nanoseconds after base
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return base.Add(time.Duration(clock.Load())) }
	end := base.Add(100 * time.Millisecond)
	s := &Shared[int]{Hub: h, Now: now,
		Compute: func(ctx context.Context, org int) (int, error) {
			if now().Before(end) {
				return 1, nil
			}
			return 0, nil
		},
		Next: func(ctx context.Context, org int, _ int, at time.Time) (time.Time, error) {
			if at.Before(end) {
				return end, nil
			}
			return time.Time{}, nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := s.Watch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	recv(t, ch, 1)
	time.Sleep(300 * time.Millisecond) // the timer fired; the clock is still at base
	if n := s.Computations(); n != 1 {
		t.Fatalf("%d computations before the clock reached the moment", n)
	}
	clock.Store(int64(time.Second)) // the clock passes the end: the next re-armed timer (≥1s) sees it
	recv(t, ch, 0)
}
