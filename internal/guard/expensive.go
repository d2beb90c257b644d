package guard

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Expensive bounds the operations whose cost the query's shape cannot tell —
// what-ifs (a rolled-back transaction running the whole engine), the
// forecast, a link's ending impact: a few fields that may each take the
// engine hundreds of milliseconds. At most Slots of them run in the process at
// once and at most PerCaller for one caller (CallerKey: an account, whatever
// its sessions and tokens); a call that finds no slot waits up to Wait (never
// past a second before its deadline), then is refused RATE_LIMITED with
// retryAfterSeconds and Retry-After. Each call is charged to the caller's
// rate-limit bucket by the time it held its slot (one point per PointEvery), on
// top of its points for the fields it asked: expensive work costs what it
// costs. Cheap requests (me, signIn) never wait here.
type Expensive struct {
	Slots, PerCaller int
	// MaxWaiting bounds the calls queued for a slot in the process, PerCaller
	// +MaxWaitingPerCaller for one caller: beyond, a call is refused at once.
	MaxWaiting, MaxWaitingPerCaller int
	// PerOrganization bounds the calls one organization's accounts and
	// tokens run and queue together (0: no bound): beyond, a call is refused
	// at once. A review's 15 self-invited accounts of one organization kept
	// the queue full, and another organization's what-if took 0.4–1.5 s
	// instead of 0.06 s, on its way to being refused.
	PerOrganization int
	Wait            time.Duration
	PointEvery      time.Duration
	Buckets         *Buckets

	once    sync.Once
	global  chan struct{}
	mu      sync.Mutex
	waiting int
	callers map[string]*callerSlots
	orgs    map[int]int // running and waiting calls per organization
}

type callerSlots struct {
	slots chan struct{}
	users int // running and waiting
}

// DefaultExpensive leaves one core to everything else on a machine with more
// than one: the cheap requests stay near their usual latency under a flood.
func DefaultExpensive(b *Buckets) *Expensive {
	slots := max(1, runtime.GOMAXPROCS(0)-1)
	return &Expensive{Slots: slots, PerCaller: 1, MaxWaiting: 64, MaxWaitingPerCaller: 2, PerOrganization: slots + 3,
		Wait: 2 * time.Second, PointEvery: 20 * time.Millisecond, Buckets: b}
}

func (x *Expensive) init() {
	x.once.Do(func() {
		x.global = make(chan struct{}, max(1, x.Slots))
		x.callers = map[string]*callerSlots{}
		x.orgs = map[int]int{}
	})
}

// Acquire holds a slot for the caller in ctx, or returns the refusal. release
// gives the slot back and charges the time it was held.
func (x *Expensive) Acquire(ctx context.Context) (release func(), err error) {
	x.init()
	key := CallerKey(ctx)
	org := 0
	if v := viewer.From(ctx); v != nil && x.PerOrganization > 0 {
		org = v.OrgID
	}
	x.mu.Lock()
	if org != 0 && x.orgs[org] >= x.PerOrganization {
		x.mu.Unlock()
		return nil, x.refuse(ctx, orgBusy)
	}
	c := x.callers[key]
	if c == nil {
		c = &callerSlots{slots: make(chan struct{}, max(1, x.PerCaller))}
		x.callers[key] = c
	}
	if full := c.users >= max(1, x.PerCaller)+x.MaxWaitingPerCaller; full || x.waiting >= x.MaxWaiting {
		x.dropLocked(key, c, false)
		x.mu.Unlock()
		if full {
			return nil, x.refuse(ctx, mineBusy)
		}
		return nil, x.refuse(ctx, allBusy)
	}
	c.users++
	x.waiting++
	if org != 0 {
		x.orgs[org]++
	}
	x.mu.Unlock()

	wait := x.Wait
	if d, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(d)-time.Second)
	}
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	got := 0
take:
	for _, ch := range []chan struct{}{c.slots, x.global} {
		select {
		case ch <- struct{}{}:
			got++
			continue
		default:
		}
		select {
		case ch <- struct{}{}:
			got++
			continue
		case <-timer.C:
		case <-ctx.Done():
		}
		break take
	}
	x.mu.Lock()
	x.waiting--
	x.mu.Unlock()
	if got < 2 {
		if got == 1 {
			<-c.slots
		}
		x.mu.Lock()
		x.dropLocked(key, c, true)
		x.leaveOrgLocked(org)
		x.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if got == 0 {
			return nil, x.refuse(ctx, mineBusy)
		}
		return nil, x.refuse(ctx, allBusy)
	}
	start := time.Now()
	var done sync.Once
	return func() {
		done.Do(func() {
			held := time.Since(start)
			<-x.global
			<-c.slots
			x.mu.Lock()
			x.dropLocked(key, c, true)
			x.leaveOrgLocked(org)
			x.mu.Unlock()
			if x.Buckets != nil && x.PointEvery > 0 {
				if pts := math.Floor(float64(held) / float64(x.PointEvery)); pts > 0 {
					setRateHeaders(ctx, x.Buckets.Settle(key, pts))
				}
			}
		})
	}, nil
}

// dropLocked forgets one user of c (when counted) and c itself once unused.
func (x *Expensive) dropLocked(key string, c *callerSlots, counted bool) {
	if counted {
		c.users--
	}
	if c.users == 0 {
		delete(x.callers, key)
	}
}

// leaveOrgLocked forgets one call of org (0: not counted).
func (x *Expensive) leaveOrgLocked(org int) {
	if org == 0 {
		return
	}
	if x.orgs[org]--; x.orgs[org] <= 0 {
		delete(x.orgs, org)
	}
}

const (
	orgBusy  = "Your organization already has as many what-if, forecast and impact computations running and waiting as it may"
	mineBusy = "Your account already has a what-if, forecast or impact computation running"
	allBusy  = "The server is busy with other what-if, forecast and impact computations"
)

func (x *Expensive) refuse(ctx context.Context, why string) error {
	secs := max(1, int(math.Ceil(x.Wait.Seconds())))
	web.Header(ctx).Set("Retry-After", strconv.Itoa(secs))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return apperr.New(apperr.RateLimited, "%s. Try again in %d %s.", why, secs, unit).
		With("retryAfterSeconds", secs).
		With("retryAt", time.Now().Add(time.Duration(secs)*time.Second).UTC().Format(time.RFC3339))
}

// Running reports the calls holding a slot now (for tests and metrics).
func (x *Expensive) Running() int {
	x.init()
	return len(x.global)
}
