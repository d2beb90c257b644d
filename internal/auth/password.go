// Package auth hashes passwords (argon2id) and bearer secrets (SHA-256), and
// holds the password policy.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"certlink/internal/apperr"
	"certlink/internal/clock"
	"certlink/internal/web"
)

// Argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Hasher runs argon2id computations, a bounded number at once. Each holds 19
// MiB and a core for about 50 ms: more at once than cores only thrash, and an
// unbounded burst of sign-ins would take gigabytes. Callers queue instead —
// at most Queue of them, each at most until its context's deadline (or
// MaxWait) — and are then refused with ErrBusy, a coded error, instead of
// piling up.
//
// The queue is fair between parties (a party is what Party says of a caller's
// context: its client address in certlink). A freed slot goes to the parties
// with callers waiting in turn, one caller each, not to whoever came first, and
// one party may hold at most half the queue (PartyShare): a flood of sign-ins
// from one address (say, with invented emails, which no account bucket stops)
// waits behind itself while another address's sign-in waits for about one
// computation per party.
type Hasher struct {
	mu      sync.Mutex
	free    int               // slots not running a computation
	parties map[string]*party // parties with callers waiting
	turn    []*party          // the order in which they get freed slots
	// first are the parties of priority callers (WithPriority), served
	// before every party of turn, in turn among themselves.
	first   []*party
	queue   int
	waiting atomic.Int64
	runs    atomic.Int64
	// MaxWait bounds a wait when the context has no earlier deadline.
	MaxWait time.Duration
	// Party names the party of a caller (nil: every caller is one party).
	Party func(context.Context) string
	// PartyShare is the most callers of one party that may wait (0: half the
	// queue, at least 1).
	PartyShare int
}

type party struct {
	key     string
	waiters []chan struct{}
}

type priorityKey struct{}

// WithPriority marks a caller whose password check goes before everyone
// else's: a sign-in from a browser the account signed in from before (its
// device cookie, which no stranger can make). A flood of sign-ins from many
// addresses then fills the queue of strangers only, never the owner's turn.
func WithPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, priorityKey{}, true)
}

// HasPriority reports whether ctx is a priority caller's (WithPriority).
func HasPriority(ctx context.Context) bool { v, _ := ctx.Value(priorityKey{}).(bool); return v }

// NewHasher returns a Hasher running at most concurrent computations, with at
// most queue callers waiting for one.
func NewHasher(concurrent, queue int) *Hasher {
	return &Hasher{free: max(1, concurrent), parties: map[string]*party{}, queue: max(0, queue), MaxWait: 10 * time.Second}
}

// DefaultConcurrency is one computation per core, at least two.
func DefaultConcurrency() int { return max(2, runtime.NumCPU()) }

// DefaultQueue is how many callers may wait for a computation: with ~50 ms a
// computation, a few seconds of work per core.
const DefaultQueue = 256

// Default serves code without a Hasher of its own (seeding, tests).
var Default = NewHasher(DefaultConcurrency(), DefaultQueue)

// ErrBusy refuses a password check that could not start before its deadline.
var ErrBusy = apperr.New(apperr.RateLimited,
	"Too many passwords are being checked right now. Try again in a few seconds.").With("retryAfterSeconds", 2)

// Runs reports how many argon2id computations this Hasher has run: every
// password check, hash, and check spent on an unknown account counts one.
func (h *Hasher) Runs() int64 { return h.runs.Load() }

func (h *Hasher) share() int {
	if h.PartyShare > 0 {
		return h.PartyShare
	}
	return max(1, h.queue/2)
}

// acquire takes a slot, waiting in its party's line when none is free.
func (h *Hasher) acquire(ctx context.Context) error {
	key := ""
	if h.Party != nil {
		key = h.Party(ctx)
	}
	urgent := HasPriority(ctx)
	if urgent {
		key = "priority\x00" + key
	}
	h.mu.Lock()
	if h.free > 0 && len(h.turn) == 0 && len(h.first) == 0 {
		h.free--
		h.mu.Unlock()
		return nil
	}
	p := h.parties[key]
	// The queue's bound is the strangers' (a priority caller is let in
	// whatever they filled); each party's share applies to all.
	if (!urgent && int(h.waiting.Load()) >= h.queue) || (p != nil && len(p.waiters) >= h.share()) {
		h.mu.Unlock()
		return ErrBusy
	}
	if p == nil {
		p = &party{key: key}
		h.parties[key] = p
		if urgent {
			h.first = append(h.first, p)
		} else {
			h.turn = append(h.turn, p)
		}
	}
	granted := make(chan struct{}, 1)
	p.waiters = append(p.waiters, granted)
	h.waiting.Add(1)
	h.mu.Unlock()
	// Waiting for a core, the request's connection moves nothing: at the
	// connection cap it may be taken for a new one (web.Queued).
	defer web.Queued(ctx)()

	// Leave the request time to finish once its check has run.
	timer := time.NewTimer(clock.WaitBudget(ctx, h.MaxWait, time.Second))
	defer timer.Stop()
	select {
	case <-granted:
		return nil
	case <-ctx.Done():
	case <-timer.C:
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if i := slices.Index(p.waiters, granted); i >= 0 {
		p.waiters = slices.Delete(p.waiters, i, i+1)
		h.waiting.Add(-1)
		if len(p.waiters) == 0 {
			h.dropLocked(p)
		}
		return ErrBusy
	}
	// Granted while giving up: pass the slot on.
	h.releaseLocked()
	return ErrBusy
}

// release gives a slot back: to the next party in turn, else to the free pool.
func (h *Hasher) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.releaseLocked()
}

func (h *Hasher) releaseLocked() {
	line := &h.turn
	if len(h.first) > 0 {
		line = &h.first
	}
	if len(*line) == 0 {
		h.free++
		return
	}
	p := (*line)[0]
	next := p.waiters[0]
	p.waiters = p.waiters[1:]
	h.waiting.Add(-1)
	*line = (*line)[1:]
	if len(p.waiters) > 0 {
		*line = append(*line, p) // its next caller waits for every other party's
	} else {
		delete(h.parties, p.key)
	}
	next <- struct{}{}
}

// dropLocked removes a party with no one left waiting.
func (h *Hasher) dropLocked(p *party) {
	delete(h.parties, p.key)
	for _, line := range []*[]*party{&h.turn, &h.first} {
		if i := slices.Index(*line, p); i >= 0 {
			*line = slices.Delete(*line, i, i+1)
		}
	}
}

func (h *Hasher) idKey(ctx context.Context, password, salt []byte, t, m uint32, p uint8, keyLen uint32) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	if ctx.Err() != nil {
		return nil, ErrBusy // the caller is gone: spend nothing on it
	}
	h.runs.Add(1)
	return argon2.IDKey(password, salt, t, m, p, keyLen), nil
}

// Hash returns the PHC string of an argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := h.idKey(ctx, []byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Check reports whether password matches the PHC hash. Every call costs exactly
// one argon2id computation with the current parameters, whatever the hash: an
// empty one (no such account, or an account without a password) or a malformed
// one is checked against a dummy hash and never matches. So an unknown email
// and a wrong password take the same work. The error is ErrBusy only.
func (h *Hasher) Check(ctx context.Context, hash, password string) (bool, error) {
	ph, err := parse(hash)
	never := err != nil
	if never {
		ph = dummy
	}
	got, err := h.idKey(ctx, []byte(password), ph.salt, ph.t, ph.m, ph.p, uint32(len(ph.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, ph.key) == 1 && !never, nil
}

// HashPassword hashes with the Default hasher (seeding, tests).
func HashPassword(password string) (string, error) {
	return Default.Hash(context.Background(), password)
}

// CheckPassword checks with the Default hasher (tests).
func CheckPassword(hash, password string) bool {
	ok, _ := Default.Check(context.Background(), hash, password)
	return ok
}

var errBadHash = errors.New("auth: malformed password hash")

type phc struct {
	t, m      uint32
	p         uint8
	salt, key []byte
}

// dummy is what an empty or malformed hash is checked against: the current
// parameters, so the work is that of a real check.
var dummy = func() phc {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := make([]byte, argonKeyLen)
	_, _ = rand.Read(key)
	return phc{t: argonTime, m: argonMemory, p: argonThreads, salt: salt, key: key}
}()

func parse(hash string) (phc, error) {
	var ph phc
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ph, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return ph, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &ph.m, &ph.t, &ph.p); err != nil {
		return ph, errBadHash
	}
	// Parameters outside what certlink writes would let a bad row cost far
	// more (or less) than a real check.
	if ph.m != argonMemory || ph.t != argonTime || ph.p != argonThreads {
		return ph, errBadHash
	}
	var err error
	if ph.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return ph, errBadHash
	}
	if ph.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(ph.key) != argonKeyLen {
		return ph, errBadHash
	}
	return ph, nil
}

// NewSecret returns a random bearer secret with a readable prefix that says its
// kind (so a leaked one can be recognized by secret scanners).
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is what is stored for a bearer secret: its SHA-256. Secrets carry
// 256 random bits, so a fast hash is enough and lookups stay a single index probe.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
