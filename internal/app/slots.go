package app

import (
	"context"
	"sync"
	"time"

	"certlink/internal/web"
)

// slots counts what runs at once, per owner, per group of owners (an
// organization) and in all: downloads, ingests.
type slots struct {
	mu    sync.Mutex
	total int
	per   map[string]int
}

// refusal says which cap refused a slot.
type refusal int

const (
	admitted refusal = iota
	ownerFull
	groupFull
	processFull
)

// take counts one more for owner (and its group, unless group is "") when
// owner runs fewer than perMax, the group fewer than groupMax and the
// process fewer than totalMax; release gives it back (once, however often
// called). When refused, n is what was running under the cap that refused
// it, and why names that cap.
func (s *slots) take(owner, group string, perMax, groupMax, totalMax int) (release func(), n int, why refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.per == nil {
		s.per = map[string]int{}
	}
	owner = "owner " + owner
	if group != "" {
		group = "group " + group
	}
	switch {
	case s.per[owner] >= perMax:
		return nil, s.per[owner], ownerFull
	case group != "" && s.per[group] >= groupMax:
		return nil, s.per[group], groupFull
	case s.total >= totalMax:
		return nil, s.total, processFull
	}
	s.per[owner]++
	if group != "" {
		s.per[group]++
	}
	s.total++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.total--
			for _, k := range []string{owner, group} {
				if k == "" {
					continue
				}
				if s.per[k]--; s.per[k] <= 0 {
					delete(s.per, k)
				}
			}
		})
	}, 0, admitted
}

// running is how many run in all.
func (s *slots) running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// queue admits each caller's GraphQL requests over HTTP a few at a time: a
// caller's next request waits (in memory, holding nothing) until one of its
// running ones ends. One account sending 30 heavy queries at once ran them
// all at once and slowed every other user (outside review); now it runs
// perCaller of them and the rest queue behind, its own.
type queue struct {
	mu    sync.Mutex
	per   map[string]int
	freed chan struct{} // closed (and replaced) whenever one ends
}

// enter waits until key runs fewer than max requests, at most wait (or
// until ctx ends): ok false when it could not.
func (q *queue) enter(ctx context.Context, key string, max int, wait time.Duration) (leave func(), ok bool) {
	var timer <-chan time.Time
	for {
		q.mu.Lock()
		if q.per == nil {
			q.per, q.freed = map[string]int{}, make(chan struct{})
		}
		if q.per[key] < max {
			q.per[key]++
			q.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { q.leave(key) }) }, true
		}
		freed := q.freed
		q.mu.Unlock()
		if timer == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timer = t.C
			// Waiting its turn, the connection moves nothing.
			defer web.Queued(ctx)()
		}
		select {
		case <-freed:
		case <-timer:
			return nil, false
		case <-ctx.Done():
			return nil, false
		}
	}
}

func (q *queue) leave(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.per[key]--; q.per[key] <= 0 {
		delete(q.per, key)
	}
	close(q.freed)
	q.freed = make(chan struct{})
}
