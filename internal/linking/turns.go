package linking

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/clock"
)

// turns admits the transactions that start or end links in this process, one
// at a time per row they lock — the work account and the profile — taken
// together or not at all. Without them every association of a flood waits in
// the database's lock queues instead: holding its work account's row while it
// waits for the profile's (and so stalling every other request of that
// account, whatever profile it wants), on a connection, and with no idea of
// its deadline — a queue of seconds that ends in TIMEOUT for whoever is at
// its back, and goes on holding the rows after the caller gave up. Here a
// request waits in memory, holding nothing, for as long as its deadline leaves
// it time to run the transaction (turnReserve); past that it is refused at
// once with RATE_LIMITED and a retryAt. Across processes each row is then
// contended by at most one transaction per process.
type turns struct {
	mu      sync.Mutex
	held    map[string]bool
	changed chan struct{}
}

// turnReserve is the time a request keeps for its transaction after waiting
// for its turn: the transaction meets at most one of each other process's on
// its rows.
const turnReserve = 2 * time.Second

// turnMaxWait bounds the wait when the context has no earlier deadline.
const turnMaxWait = 10 * time.Second

// errTurnBusy refuses a change that could not get its turn in time.
func errTurnBusy(now time.Time) error {
	at := now.Add(time.Second).Truncate(time.Second).Add(time.Second)
	secs := max(1, int(math.Ceil(time.Until(at).Seconds())))
	return apperr.New(apperr.RateLimited, "Another association or removal of this work account or of this profile is being saved right now. Try again in a second.").
		With("retryAfterSeconds", secs).With("retryAt", at.UTC().Format(time.RFC3339))
}

func userTurn(id int) string    { return "u" + strconv.Itoa(id) }
func profileTurn(id int) string { return "p" + strconv.Itoa(id) }

// take waits until no other transaction of this process holds any of keys,
// then holds them all; release gives them back. It refuses (errTurnBusy) when
// the wait would leave the request less than turnReserve before its
// deadline.
func (t *turns) take(ctx context.Context, keys ...string) (release func(), err error) {
	budget := clock.WaitBudget(ctx, turnMaxWait, turnReserve)
	var timer *time.Timer
	for {
		t.mu.Lock()
		if t.held == nil {
			t.held = map[string]bool{}
			t.changed = make(chan struct{})
		}
		free := true
		for _, k := range keys {
			if t.held[k] {
				free = false
				break
			}
		}
		if free {
			for _, k := range keys {
				t.held[k] = true
			}
			t.mu.Unlock()
			return func() { t.give(keys) }, nil
		}
		changed := t.changed
		t.mu.Unlock()
		if timer == nil {
			if budget <= 0 {
				return nil, errTurnBusy(time.Now())
			}
			timer = time.NewTimer(budget)
			defer timer.Stop()
		}
		select {
		case <-changed:
		case <-timer.C:
			return nil, errTurnBusy(time.Now())
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (t *turns) give(keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.held, k)
	}
	close(t.changed)
	t.changed = make(chan struct{})
}
