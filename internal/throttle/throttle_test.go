package throttle

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// parallel runs n attempts at once on keys; each that gets a reservation ends
// with outcome after a little work. It returns how many were reserved.
func parallel(l *Limiter, n int, outcome func(*Reservation), keys ...Key) (reserved, refused int64) {
	var wg sync.WaitGroup
	var ok, no atomic.Int64
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := l.Reserve(context.Background(), keys...)
			if err != nil {
				var ref *Refusal
				if !errors.As(err, &ref) {
					panic(err)
				}
				no.Add(1)
				return
			}
			ok.Add(1)
			time.Sleep(2 * time.Millisecond)
			outcome(r)
		}()
	}
	close(start)
	wg.Wait()
	return ok.Load(), no.Load()
}

func TestParallelWrongGuessesAreTestedAtMostCapacityTimes(t *testing.T) {
	rule := &Rule{Name: "account", Capacity: 5, Period: 15 * time.Minute}
	var l Limiter
	reserved, refused := parallel(&l, 100, (*Reservation).Failed, Key{rule, "grace"})
	if reserved != 5 || refused != 95 {
		t.Fatalf("100 parallel wrong guesses: %d tested, %d refused; want 5 and 95", reserved, refused)
	}
	// Another key is untouched.
	if r, err := l.Reserve(context.Background(), Key{rule, "mona"}); err != nil {
		t.Fatalf("another account: %v", err)
	} else {
		r.Release()
	}
}

func TestParallelRightAnswersAllGoThrough(t *testing.T) {
	rule := &Rule{Name: "account", Capacity: 5, Period: 15 * time.Minute}
	var l Limiter
	reserved, refused := parallel(&l, 100, (*Reservation).Release, Key{rule, "grace"})
	if reserved != 100 || refused != 0 {
		t.Fatalf("100 parallel right answers: %d went through, %d refused", reserved, refused)
	}
	if f := l.Failures(Key{rule, "grace"}); f != 0 {
		t.Fatalf("right answers left %v failures", f)
	}
}

func TestReservationIsAllOrNothing(t *testing.T) {
	small := &Rule{Name: "pair", Capacity: 1, Period: time.Minute}
	big := &Rule{Name: "account", Capacity: 10, Period: time.Minute}
	now := time.Now()
	l := Limiter{Now: func() time.Time { return now }}
	r, err := l.Reserve(context.Background(), Key{small, "a"}, Key{big, "x"})
	if err != nil {
		t.Fatal(err)
	}
	r.Failed()
	r.Failed() // a second end changes nothing
	if _, err := l.Reserve(context.Background(), Key{big, "x"}, Key{small, "a"}); err == nil {
		t.Fatal("full bucket reserved")
	}
	if f := l.Failures(Key{big, "x"}); f != 1 {
		t.Fatalf("a refused reservation was counted in another bucket: %v", f)
	}
}

func TestBucketsLeak(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rule := &Rule{Name: "account", Capacity: 3, Period: 3 * time.Minute}
	l := Limiter{Now: func() time.Time { return now }}
	for i := 0; i < 3; i++ {
		r, err := l.Reserve(context.Background(), Key{rule, "k"})
		if err != nil {
			t.Fatal(err)
		}
		r.Failed()
	}
	_, err := l.Reserve(context.Background(), Key{rule, "k"})
	var ref *Refusal
	if !errors.As(err, &ref) || !ref.RetryAt.Equal(now.Add(time.Minute)) || ref.InFlight {
		t.Fatalf("full bucket: %v %+v", err, ref)
	}
	now = now.Add(time.Minute) // one failure leaked away: one more attempt
	r, err := l.Reserve(context.Background(), Key{rule, "k"})
	if err != nil {
		t.Fatalf("after the leak: %v", err)
	}
	r.Failed()
	if _, err := l.Reserve(context.Background(), Key{rule, "k"}); err == nil {
		t.Fatal("full again, yet reserved")
	}
}

func TestWaitEndsAtTheDeadline(t *testing.T) {
	rule := &Rule{Name: "account", Capacity: 1, Period: time.Minute}
	var l Limiter
	held, err := l.Reserve(context.Background(), Key{rule, "k"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1100*time.Millisecond)
	defer cancel()
	_, err = l.Reserve(ctx, Key{rule, "k"})
	var ref *Refusal
	if !errors.As(err, &ref) || !ref.InFlight {
		t.Fatalf("waiting past the deadline: %v", err)
	}
	held.Release()
	r, err := l.Reserve(context.Background(), Key{rule, "k"})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	r.Release()
}
