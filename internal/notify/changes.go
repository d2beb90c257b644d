package notify

import (
	"slices"
	"sync"
)

// changes collects the organizations whose progress changed since a worker
// last took them (or that every one may have), and wakes the worker. The risk
// follow-up (Resolver) and the time-based check (Periodic) each keep one.
type changes struct {
	mu      sync.Mutex
	pending map[int]bool
	all     bool
	wake    chan struct{}
}

// woken is the channel a change wakes the worker on.
func (c *changes) woken() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	return c.wake
}

// add records orgIDs as changed; it never blocks.
func (c *changes) add(orgIDs ...int) {
	if len(orgIDs) == 0 {
		return
	}
	c.mu.Lock()
	if c.pending == nil {
		c.pending = map[int]bool{}
	}
	for _, id := range orgIDs {
		c.pending[id] = true
	}
	c.mu.Unlock()
	c.poke()
}

// addAll records that every organization may have changed; it never blocks.
func (c *changes) addAll() {
	c.mu.Lock()
	c.all = true
	c.mu.Unlock()
	c.poke()
}

func (c *changes) poke() {
	select {
	case c.woken() <- struct{}{}:
	default: // a wake is pending already
	}
}

// take returns the organizations changed since the last call, sorted, and
// whether every one may have.
func (c *changes) take() (orgs []int, all bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.pending {
		orgs = append(orgs, id)
	}
	all, c.pending, c.all = c.all, nil, false
	slices.Sort(orgs)
	return orgs, all
}
