// Package socket bounds and guards GraphQL websockets (A4, B4): per
// connection its own state (nothing shared between its operations), caps on
// frames, messages, operations, sockets and subscriptions, and the sign-in
// checked again for every operation and whenever it may have changed — a
// socket whose sign-in ended or changed is closed with a coded close.
package socket

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// Limits are the websocket ceilings. Every one is in the README ("Security").
type Limits struct {
	// MaxFrameBytes: a larger message closes the socket (1009).
	MaxFrameBytes int64
	// MessagesPerSecond and MessageBurst: a token bucket per socket over
	// every message (subscribe, complete, ping, pong…); beyond it the socket
	// is closed (4429).
	MessagesPerSecond float64
	MessageBurst      int
	// HeartbeatsPerSecond and HeartbeatBurst: a second, narrower bucket
	// over graphql-transport-ws's ping and pong messages (each ping is
	// answered with a pong); beyond it the socket is closed (4429). Their
	// payload is at most MaxHeartbeatBytes (else 4400).
	HeartbeatsPerSecond float64
	HeartbeatBurst      int
	MaxHeartbeatBytes   int
	// ControlPerSecond and ControlBurst: a token bucket per socket over the
	// websocket's ping and pong control frames (RFC 6455 §5.5; each ping
	// costs a pong write); beyond it no pong is written and the socket is
	// closed with 1008 (policy violation).
	ControlPerSecond float64
	ControlBurst     int
	// ReadBytesPerSecond and ReadBurstBytes: the bytes a client may send,
	// frames of every kind and their headers included (a message cut into
	// millions of empty frames meets no other budget); past them the
	// socket's reads are delayed, so TCP makes the client wait.
	ReadBytesPerSecond int
	ReadBurstBytes     int
	// PendingReadBytesPerSecond and PendingReadBurstBytes are that budget
	// until the socket is signed in (its connection_init accepted): enough
	// for a connection_init, not for a flood from many sockets at once.
	PendingReadBytesPerSecond int
	PendingReadBurstBytes     int
	// WriteTimeout: a write to the socket (an answer, a push, a pong, the
	// close) that the client does not take within it fails and closes the
	// socket, so a client that stops reading holds no goroutine and no
	// queued answer past it (0: no limit).
	WriteTimeout time.Duration
	// MaxOperations: operations in flight on one socket (subscriptions
	// included); one more is refused with RATE_LIMITED.
	MaxOperations int
	// MaxViewerOperations: the same over all the sockets of one sign-in's
	// account (or provider token).
	MaxViewerOperations int
	// MaxViewerSubscriptions: subscriptions open over all the sockets of
	// one account (or provider token). Each push is computed for its
	// subscriber alone (and charged to it: guard.Extension).
	MaxViewerSubscriptions int
	// MaxViewerSockets: open sockets per account (or provider token).
	MaxViewerSockets int
	// MaxAddressSockets: signed-in sockets (connection_init accepted) per
	// client address.
	MaxAddressSockets int
	// MaxOrganizationSockets: signed-in sockets of one organization's
	// accounts and tokens together (0: no cap). A signed-in socket holds its
	// connection against the listener's cap (never evicted): without this,
	// one organization's admin could invite 500 accounts, open 20 sockets
	// each from 53 addresses and hold every connection of the process.
	MaxOrganizationSockets int
	// MaxSignedInSockets: signed-in sockets of everyone together (0: no
	// cap), so that they never hold every connection of the listener's cap:
	// a review filled a cap of 60 with three organizations' 20 each.
	MaxSignedInSockets int
	// MaxAddressPending: sockets per client address that have not completed
	// connection_init yet (the upgrade counts as one until then). Small, so
	// that sockets nobody signs in on cannot take the slots of the address's
	// signed-in users; they do not count in MaxAddressSockets. When they are
	// all taken, a new upgrade without a sign-in closes the address's oldest
	// pending socket (4408, CloseInitEvicted) and takes its place, so that
	// someone holding them cannot keep a tool that signs in within
	// connection_init out.
	MaxAddressPending int
	// EvictionsPerSecond and EvictionBurst bound how often an address's
	// upgrades may close its pending sockets that way: an upgrade beyond them
	// waits for its turn (first come, first served), up to MaxEvictionWait,
	// else it is refused (RATE_LIMITED). A socket is therefore closed for a
	// newer one only after (MaxAddressPending-1-EvictionBurst) /
	// EvictionsPerSecond seconds at the least (2.75 s by default): time
	// enough for any client that sends connection_init at once.
	EvictionsPerSecond float64
	EvictionBurst      int
	MaxEvictionWait    time.Duration
	// InitTimeout: how long a socket may take to complete connection_init
	// before it is closed (1002, "connection initialisation timeout").
	InitTimeout time.Duration
	// OperationTimeout: the deadline of a query or mutation sent on a
	// socket (the app sets --request-timeout).
	OperationTimeout time.Duration
	// Recheck: how often an open socket checks its sign-in when nothing
	// announced a change (expiry; a missed broker message).
	Recheck time.Duration
}

// DefaultLimits fit the web app (two subscriptions per page, a socket per
// tab) with a wide margin.
var DefaultLimits = Limits{
	MaxFrameBytes:             64 << 10,
	MessagesPerSecond:         20,
	MessageBurst:              60,
	HeartbeatsPerSecond:       1,
	HeartbeatBurst:            10,
	MaxHeartbeatBytes:         1024,
	ControlPerSecond:          2,
	ControlBurst:              20,
	ReadBytesPerSecond:        128 << 10,
	ReadBurstBytes:            1 << 20,
	PendingReadBytesPerSecond: 4 << 10,
	PendingReadBurstBytes:     64 << 10,
	WriteTimeout:              30 * time.Second,
	MaxOperations:             10,
	MaxViewerOperations:       40,
	// The web app opens at most two per page, one page per tab.
	MaxViewerSubscriptions: 8,
	MaxViewerSockets:       20,
	MaxAddressSockets:      200,
	MaxAddressPending:      16,
	EvictionsPerSecond:     4,
	EvictionBurst:          4,
	MaxEvictionWait:        2 * time.Second,
	InitTimeout:            5 * time.Second,
	Recheck:                time.Minute,
}

// Close codes (graphql-transport-ws reserves 4400–4499 for the server's).
const (
	// CloseUnauthenticated: the sign-in is missing, wrong, ended or expired.
	// graphql-ws clients do not reconnect.
	CloseUnauthenticated = 4401
	// CloseSessionChanged: roles, organization or password changed; a
	// reconnect gets a socket with the new rights.
	CloseSessionChanged = 4403
	// CloseRateLimited: more messages than the bucket allows, or more
	// sockets than the account may hold.
	CloseRateLimited = 4429
	// CloseInvalidMessage: not JSON, an unknown type, a missing or huge id.
	CloseInvalidMessage = 4400
	// CloseDuplicateID: a subscribe whose id names an operation still
	// running on the socket (graphql-transport-ws: "Subscriber for <id>
	// already exists").
	CloseDuplicateID = 4409
	// ClosePolicyViolation: RFC 6455's 1008, for a flood of control frames.
	ClosePolicyViolation = 1008
	// CloseInitEvicted: graphql-transport-ws's "connection initialisation
	// timeout", for a socket still without connection_init whose pending slot
	// a newer upgrade from its address took (MaxAddressPending).
	CloseInitEvicted = 4408
	// CloseGoingAway: RFC 6455's 1001, the process is stopping; clients
	// reconnect.
	CloseGoingAway = 1001
)

// evictedReason is the close reason of an evicted pending socket.
const evictedReason = "connection initialisation timeout: a newer websocket from this address took this one's place; send connection_init at once"

// Authenticate returns the viewer of a secret, nil when it signs nobody in.
type Authenticate func(ctx context.Context, secret string) (*viewer.Viewer, error)

// Registry holds every open socket of this process.
type Registry struct {
	Limits Limits
	Auth   Authenticate

	mu        sync.Mutex
	conns     map[*Conn]struct{}
	viewers   map[string]*usage
	addresses map[string]*addressUsage
	orgs      map[int]int // signed-in sockets per organization
	settled   int         // signed-in sockets the listener's cap never takes
	// admitted holds the upgrades not released yet, so that a stopping
	// process can close those still without connection_init too.
	admitted map[*Admission]struct{}
	// goingAway is CloseGoingAway's reason once it ran: a socket accepted or
	// signed in after it (its upgrade answered, its connection not yet
	// attached, as the process began to stop) is closed 1001 too.
	goingAway string
}

// addressUsage counts one client address's sockets: pending (upgraded, no
// connection_init accepted yet) and open (signed in). queue holds the pending
// admissions without a sign-in, oldest first; evictions is the bucket of
// their evictions (EvictionsPerSecond), which may go below zero by the
// upgrades waiting for their turn.
type addressUsage struct {
	pending, open int
	queue         []*Admission
	evictions     float64
	evictedAt     time.Time
}

// dequeue removes a from the address's pending queue.
func (u *addressUsage) dequeue(a *Admission) {
	if i := slices.Index(u.queue, a); i >= 0 {
		u.queue = slices.Delete(u.queue, i, i+1)
	}
}

// usage is one account's (or token's): its open sockets, its operations in
// flight, and its upgrades that carried its sign-in and have not completed
// connection_init yet.
type usage struct{ sockets, operations, subscriptions, upgrades int }

// NewRegistry returns a registry.
func NewRegistry(l Limits, auth Authenticate) *Registry {
	return &Registry{Limits: l, Auth: auth, conns: map[*Conn]struct{}{}, viewers: map[string]*usage{}, addresses: map[string]*addressUsage{},
		orgs: map[int]int{}, admitted: map[*Admission]struct{}{}}
}

// Admission is one websocket upgrade from a client address, counted as
// pending until Open accepts its connection_init, then as open, until
// Release.
type Admission struct {
	g       *Registry
	address string
	viewer  string // the viewer key of the upgrade's sign-in, "" for none
	upgrade bool   // counted in g.viewers[viewer].upgrades, under g.mu
	open    bool   // under g.mu
	done    bool   // under g.mu
	// evicted: a newer upgrade took its pending slot; it is no longer
	// counted, and its socket is closed (CloseInitEvicted). Under g.mu.
	evicted bool
	ws      *wsConn // the accepted socket, under g.mu
}

// AdmitRefusal says why Admit refused an upgrade.
type AdmitRefusal struct {
	Pending, Open int
	SignedIn      bool // the refused upgrade carried a sign-in
	// Viewer: the upgrade's account (or token) holds MaxViewerSockets
	// sockets and upgrades already.
	Viewer bool
	// Evicting: the address's pending slots are full and its upgrades close
	// pending sockets faster than EvictionsPerSecond allows (past
	// MaxEvictionWait).
	Evicting bool
}

// Admit counts a websocket upgrade from address; Release it when the request
// ends. An upgrade that carries a valid sign-in (signedIn: the session cookie
// or an Authorization header) counts as signed in at once; any other as
// pending until Open accepts its connection_init. It is refused when the
// address holds MaxAddressSockets signed-in sockets, or, for a pending one,
// MaxAddressPending pending ones; a signed-in upgrade also when its account
// holds MaxViewerSockets sockets and upgrades (so that one account cannot
// take an address's signed-in slots with upgrades that never initialise).
// A pending upgrade that finds the address's MaxAddressPending slots taken
// closes the oldest pending socket and takes its slot, waiting first (ctx
// bounds the wait) for its turn when the address evicts faster than
// EvictionsPerSecond.
func (g *Registry) Admit(ctx context.Context, address string, v *viewer.Viewer) (*Admission, *AdmitRefusal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	signedIn := v != nil
	u := g.addresses[address]
	if u == nil {
		u = &addressUsage{}
	}
	if u.open >= g.Limits.MaxAddressSockets {
		return nil, &AdmitRefusal{Pending: u.pending, Open: u.open, SignedIn: signedIn}
	}
	if !signedIn && u.pending >= g.Limits.MaxAddressPending {
		g.addresses[address] = u // kept while it waits: its bucket is the address's
		var refused *AdmitRefusal
		if u, refused = g.evictLocked(ctx, address, u); refused != nil {
			return nil, refused
		}
	}
	a := &Admission{g: g, address: address, open: signedIn}
	if signedIn {
		a.viewer = v.RunsKey()
		vu := g.viewers[a.viewer]
		if vu == nil {
			vu = &usage{}
		}
		if vu.sockets+vu.upgrades >= g.Limits.MaxViewerSockets {
			return nil, &AdmitRefusal{Pending: u.pending, Open: u.open, SignedIn: true, Viewer: true}
		}
		vu.upgrades++
		g.viewers[a.viewer] = vu
		a.upgrade = true
		u.open++
	} else {
		u.pending++
		u.queue = append(u.queue, a)
	}
	g.addresses[address] = u
	g.admitted[a] = struct{}{}
	return a, nil
}

// evictLocked makes room for one pending upgrade of address, whose slots are
// full: it takes a turn in the address's eviction bucket (waiting for it,
// g.mu released meanwhile) and closes the oldest pending socket, unless a
// slot freed while it waited. It returns the address's usage as it is then.
// g.mu is held.
func (g *Registry) evictLocked(ctx context.Context, address string, u *addressUsage) (*addressUsage, *AdmitRefusal) {
	l := g.Limits
	if l.EvictionsPerSecond > 0 {
		now := time.Now()
		if u.evictedAt.IsZero() {
			u.evictions = float64(l.EvictionBurst)
		} else {
			u.evictions = min(float64(l.EvictionBurst), u.evictions+now.Sub(u.evictedAt).Seconds()*l.EvictionsPerSecond)
		}
		u.evictedAt = now
		wait := time.Duration(0)
		if u.evictions < 1 {
			wait = time.Duration((1 - u.evictions) / l.EvictionsPerSecond * float64(time.Second))
		}
		if wait > l.MaxEvictionWait {
			return u, &AdmitRefusal{Pending: u.pending, Open: u.open, Evicting: true}
		}
		u.evictions-- // the turn is this upgrade's, even if it leaves
		if wait > 0 {
			g.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
			g.mu.Lock()
			if cur := g.addresses[address]; cur != u {
				// Every socket of the address ended meanwhile: a fresh count
				// that keeps the bucket.
				if cur == nil {
					cur = &addressUsage{evictions: u.evictions, evictedAt: u.evictedAt}
					g.addresses[address] = cur
				}
				u = cur
			}
			if ctx.Err() != nil {
				g.forgetAddress(address, u)
				return u, &AdmitRefusal{Pending: u.pending, Open: u.open, Evicting: true}
			}
		}
	}
	if u.pending < l.MaxAddressPending {
		return u, nil // a slot freed while it waited
	}
	if len(u.queue) == 0 {
		// Only signed-in upgrades hold the pending slots: nothing to close.
		g.forgetAddress(address, u)
		return u, &AdmitRefusal{Pending: u.pending, Open: u.open}
	}
	old := u.queue[0]
	u.queue = u.queue[1:]
	u.pending--
	old.evicted = true
	if ws := old.ws; ws != nil {
		go ws.WriteClose(CloseInitEvicted, evictedReason)
	}
	return u, nil
}

// forgetAddress drops an address that holds no socket (its eviction bucket
// with it: with no slot held there is nothing to evict); g.mu is held.
func (g *Registry) forgetAddress(address string, u *addressUsage) {
	if u.open <= 0 && u.pending <= 0 && g.addresses[address] == u {
		delete(g.addresses, address)
	}
}

// attach records the accepted socket of the admission; one evicted already
// is closed at once.
func (a *Admission) attach(ws *wsConn) {
	g := a.g
	g.mu.Lock()
	a.ws = ws
	evicted, away := a.evicted, g.goingAway
	g.mu.Unlock()
	switch {
	case evicted:
		go ws.WriteClose(CloseInitEvicted, evictedReason)
	case away != "":
		// The client saw its upgrade answered just as the process began to
		// stop: CloseGoingAway found no connection to close yet.
		go ws.WriteClose(CloseGoingAway, away)
	}
}

// endUpgrade stops counting the admission among its account's upgrades; g.mu
// is held.
func (a *Admission) endUpgrade() {
	if !a.upgrade {
		return
	}
	a.upgrade = false
	if vu := a.g.viewers[a.viewer]; vu != nil {
		vu.upgrades--
		a.g.forget(a.viewer, vu)
	}
}

// Error implements error.
func (r *AdmitRefusal) Error() string {
	return fmt.Sprintf("socket: address holds %d pending and %d signed-in sockets", r.Pending, r.Open)
}

// promoteLocked moves the admission from pending to open when the address
// has room; g.mu is held.
func (a *Admission) promoteLocked() bool {
	g := a.g
	if a.done || a.evicted {
		return false
	}
	if a.open {
		a.endUpgrade()
		return true
	}
	u := g.addresses[a.address]
	if u.open >= g.Limits.MaxAddressSockets {
		return false
	}
	u.pending--
	u.dequeue(a)
	u.open++
	a.open = true
	return true
}

// Release stops counting the admission (the upgrade request ended).
func (a *Admission) Release() {
	if a == nil {
		return
	}
	g := a.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	delete(g.admitted, a)
	a.endUpgrade()
	u := g.addresses[a.address]
	switch {
	case a.open:
		u.open--
	case !a.evicted: // an evicted one is counted no more
		u.pending--
		u.dequeue(a)
	}
	g.forgetAddress(a.address, u)
}

// AddressSockets reports address's pending and signed-in sockets.
func (g *Registry) AddressSockets(address string) (pending, open int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if u := g.addresses[address]; u != nil {
		return u.pending, u.open
	}
	return 0, 0
}

// Conn is one signed-in socket: its sign-in, its operations in flight and the
// means to close it with a code.
type Conn struct {
	g       *Registry
	ws      *wsConn
	secret  string
	key     string
	org     int
	settled bool
	cancel  context.CancelFunc
	check   chan struct{}
	// checkedAt is when the sign-in was last found valid (unix nanoseconds).
	checkedAt atomic.Int64

	mu       sync.Mutex
	v        *viewer.Viewer
	active   int
	closed   bool
	closedBy string
}

type connKey struct{}

// From returns the socket of an operation, nil over HTTP.
func From(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}

// Viewer is the socket's sign-in as last checked.
func (c *Conn) Viewer() *viewer.Viewer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v
}

// Operations counts the socket's operations in flight.
func (c *Conn) Operations() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active
}

// Open registers the socket of ctx (its upgrade went through Implementation)
// signed in as v with secret. It returns the context every operation of the
// socket derives from; it ends when the socket closes.
func (g *Registry) Open(ctx context.Context, secret string, v *viewer.Viewer) (context.Context, error) {
	h, _ := ctx.Value(holderKey{}).(*holder)
	if h == nil || h.ws == nil {
		return ctx, fmt.Errorf("socket: the upgrade did not go through socket.Implementation")
	}
	key := v.RunsKey()
	g.mu.Lock()
	u := g.viewers[key]
	if u == nil {
		u = &usage{}
		g.viewers[key] = u
	}
	if u.sockets >= g.Limits.MaxViewerSockets {
		g.mu.Unlock()
		return ctx, &Refusal{Code: CloseRateLimited, Reason: fmt.Sprintf("RATE_LIMITED: this account has %d sockets open, the limit", g.Limits.MaxViewerSockets)}
	}
	if max := g.Limits.MaxSignedInSockets; max > 0 && !v.MustChangePassword && g.settled >= max {
		g.mu.Unlock()
		return ctx, &Refusal{Code: CloseRateLimited, Reason: fmt.Sprintf("RATE_LIMITED: the server holds %d signed-in sockets, the most it keeps open; try again later", max)}
	}
	if max := g.Limits.MaxOrganizationSockets; max > 0 && g.orgs[v.OrgID] >= max {
		g.mu.Unlock()
		return ctx, &Refusal{Code: CloseRateLimited, Reason: fmt.Sprintf("RATE_LIMITED: your organization has %d sockets open, the limit", max)}
	}
	if h.adm != nil && h.adm.evicted {
		g.mu.Unlock()
		return ctx, &Refusal{Code: CloseInitEvicted, Reason: evictedReason}
	}
	if g.goingAway != "" {
		g.mu.Unlock()
		return ctx, &Refusal{Code: CloseGoingAway, Reason: g.goingAway}
	}
	if h.adm != nil && !h.adm.promoteLocked() {
		g.mu.Unlock()
		return ctx, &Refusal{Code: CloseRateLimited, Reason: fmt.Sprintf("RATE_LIMITED: this address has %d signed-in sockets open, the limit", g.Limits.MaxAddressSockets)}
	}
	u.sockets++
	g.viewers[key] = u // promoteLocked may have forgotten u with the upgrade it counted
	g.orgs[v.OrgID]++
	settled := !v.MustChangePassword
	if settled {
		g.settled++
	}
	if h.settle != nil && settled {
		// Signed in: the listener's cap no longer takes the connection. A
		// session still holding a temporary password may subscribe to
		// nothing: its socket stays one the cap may take.
		h.settle()
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &Conn{g: g, ws: h.ws, secret: secret, key: key, org: v.OrgID, settled: settled, cancel: cancel, check: make(chan struct{}, 1), v: v}
	c.checkedAt.Store(time.Now().UnixNano())
	g.conns[c] = struct{}{}
	g.mu.Unlock()
	h.ws.onClose(func() { c.Close(0, "") })
	go c.watch(ctx)
	return context.WithValue(ctx, connKey{}, c), nil
}

// Refusal is a handshake refused with a websocket close code.
type Refusal struct {
	Code   int
	Reason string
	// Message, when set, is the sign-in's own refusal (an expiry, saying
	// when), for the operations the closed socket answers.
	Message string
}

func (r *Refusal) Error() string { return r.Reason }

// Changed asks the sockets of these tokens and accounts to check their
// sign-in now (called after a commit that revoked, deleted or changed them).
func (g *Registry) Changed(tokens, users []int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.mu.Lock()
		hit := slices.Contains(tokens, c.v.TokenID) || (c.v.UserID != 0 && slices.Contains(users, c.v.UserID))
		c.mu.Unlock()
		if hit {
			select {
			case c.check <- struct{}{}:
			default:
			}
		}
	}
}

// CloseGoingAway closes every signed-in socket with 1001 (going away), as
// the process stops: a client told so reconnects, to another process behind
// the load balancer or to this one restarted, instead of seeing its
// connection drop (1006) with no reason. It returns how many it closed.
func (g *Registry) CloseGoingAway(reason string) int {
	g.mu.Lock()
	if reason == "" {
		reason = "going away"
	}
	g.goingAway = reason
	conns := make([]*Conn, 0, len(g.conns))
	owned := map[*wsConn]bool{}
	for c := range g.conns {
		conns = append(conns, c)
		owned[c.ws] = true
	}
	// Upgrades still without connection_init (a bearer sent with the
	// upgrade, or none yet) are told too (a review's were dropped, 1006).
	var pending []*wsConn
	for a := range g.admitted {
		if a.ws != nil && !owned[a.ws] && !a.evicted {
			pending = append(pending, a.ws)
		}
	}
	g.mu.Unlock()
	for _, c := range conns {
		_ = c.Close(CloseGoingAway, reason)
	}
	for _, ws := range pending {
		_ = ws.WriteClose(CloseGoingAway, reason)
	}
	return len(conns) + len(pending)
}

// Sockets counts the open sockets.
func (g *Registry) Sockets() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}

// Accounts counts the accounts holding a socket or an operation (0 once
// everything closed: nothing leaks).
func (g *Registry) Accounts() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.viewers)
}

// Addresses counts the client addresses holding a websocket request.
func (g *Registry) Addresses() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.addresses)
}

// watch checks the sign-in when told to, every Recheck, and the moment the
// sign-in expires, until the socket closes.
func (c *Conn) watch(ctx context.Context) {
	every := c.g.Limits.Recheck
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	expiry := time.NewTimer(time.Hour)
	defer expiry.Stop()
	for {
		// Armed again after every check: the expiry may have changed.
		expires := expiry.C
		if at := c.Viewer().ExpiresAt; at.IsZero() {
			expiry.Stop()
			expires = nil
		} else {
			expiry.Reset(untilExpiry(at))
		}
		select {
		case <-ctx.Done():
			return
		case <-c.check:
		case <-t.C:
		case <-expires:
		}
		if _, err := c.Recheck(ctx); err != nil && c.isClosed() {
			return
		}
	}
}

// untilExpiry is how long to wait to check a sign-in that expires at at: a
// little past it (the check must find it expired), or a second when at has
// passed but the last check still found it valid (the database's clock, or a
// test's, lags this one) — never a busy loop.
func untilExpiry(at time.Time) time.Duration {
	if d := time.Until(at); d > 0 {
		return d + 10*time.Millisecond
	}
	return time.Second
}

// Recheck authenticates the socket's secret again. When the sign-in ended it
// closes the socket with 4401 and returns an UNAUTHENTICATED refusal; when it
// changed (roles, organization, scopes, the temporary password) with 4403.
func (c *Conn) Recheck(ctx context.Context) (*viewer.Viewer, error) {
	cur, err := c.g.Auth(ctx, c.secret)
	if e, ok := apperr.As(err); ok && e.Code == apperr.Unauthenticated {
		// The sign-in expired: the reason says when (it fits a close
		// reason, account.Expired).
		cl := c.Close(CloseUnauthenticated, string(e.Code)+": "+e.Message)
		if r, ok := cl.(*Refusal); ok {
			r.Message = e.Message
		}
		return nil, cl
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The database is unreachable: nothing is answered on a sign-in
		// that could not be checked, but the socket stays.
		return nil, &Refusal{Code: 0, Reason: "INTERNAL: the sign-in could not be checked; try again"}
	}
	prev := c.Viewer()
	switch {
	case cur == nil || cur.UserID != prev.UserID || cur.TokenID != prev.TokenID:
		return nil, c.Close(CloseUnauthenticated, "UNAUTHENTICATED: the sign-in ended (signed out, expired, revoked or deleted)")
	case !same(cur, prev):
		return nil, c.Close(CloseSessionChanged, "SESSION_CHANGED: roles, organization or password changed; reconnect")
	}
	c.mu.Lock()
	c.v = cur
	c.mu.Unlock()
	c.checkedAt.Store(time.Now().UnixNano())
	return cur, nil
}

// PushCheck is how old a socket's sign-in check may be when a subscription
// sends data: a sign-out, a deletion or a demotion through another process
// (which cannot signal this one) stops the data within this long.
const PushCheck = time.Second

// RecheckWithin checks the sign-in again unless it was found valid less than
// maxAge ago.
func (c *Conn) RecheckWithin(ctx context.Context, maxAge time.Duration) error {
	if time.Since(time.Unix(0, c.checkedAt.Load())) < maxAge {
		return nil
	}
	_, err := c.Recheck(ctx)
	return err
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func same(a, b *viewer.Viewer) bool {
	return a.Kind == b.Kind && a.OrgID == b.OrgID && a.MustChangePassword == b.MustChangePassword &&
		slices.Equal(a.Roles, b.Roles) && slices.Equal(a.Scopes, b.Scopes)
}

// Close closes the socket with code and reason (code 0: it closed already)
// and ends its operations. It returns the refusal that describes it.
func (c *Conn) Close(code int, reason string) error {
	c.mu.Lock()
	if c.closed {
		by := c.closedBy
		c.mu.Unlock()
		return &Refusal{Code: code, Reason: by}
	}
	c.closed, c.closedBy = true, reason
	c.mu.Unlock()
	if code != 0 {
		_ = c.ws.WriteClose(code, reason)
	}
	c.cancel()
	c.g.mu.Lock()
	delete(c.g.conns, c)
	if u := c.g.viewers[c.key]; u != nil {
		u.sockets--
		c.g.forget(c.key, u)
	}
	if c.g.orgs[c.org]--; c.g.orgs[c.org] <= 0 {
		delete(c.g.orgs, c.org)
	}
	if c.settled {
		c.g.settled--
	}
	c.g.mu.Unlock()
	return &Refusal{Code: code, Reason: reason}
}

// forget drops an account's usage once it holds nothing; g.mu is held.
func (g *Registry) forget(key string, u *usage) {
	if u.sockets <= 0 && u.operations <= 0 && u.upgrades <= 0 {
		delete(g.viewers, key)
	}
}

// reserve takes an operation slot on the socket and on its account (and a
// subscription slot on the account for a subscription).
func (c *Conn) reserve(subscription bool) (release func(), refusal string) {
	g := c.g
	g.mu.Lock()
	defer g.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active >= g.Limits.MaxOperations {
		return nil, fmt.Sprintf("This socket has %d operations running, the limit: complete one first.", g.Limits.MaxOperations)
	}
	u := g.viewers[c.key]
	if u == nil {
		u = &usage{}
		g.viewers[c.key] = u
	}
	if u.operations >= g.Limits.MaxViewerOperations {
		return nil, fmt.Sprintf("This account has %d operations running on its sockets, the limit: complete one first.", g.Limits.MaxViewerOperations)
	}
	if subscription && g.Limits.MaxViewerSubscriptions > 0 && u.subscriptions >= g.Limits.MaxViewerSubscriptions {
		return nil, fmt.Sprintf("This account has %d subscriptions open on its sockets, the limit: complete one first.", g.Limits.MaxViewerSubscriptions)
	}
	c.active++
	u.operations++
	if subscription {
		u.subscriptions++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			c.mu.Lock()
			c.active--
			c.mu.Unlock()
			if u := g.viewers[c.key]; u != nil {
				u.operations--
				if subscription {
					u.subscriptions--
				}
				g.forget(c.key, u)
			}
		})
	}, ""
}
