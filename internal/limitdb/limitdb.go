// Package limitdb keeps the leaky buckets every certlink process on one
// database shares (A4): the password-attempt buckets of throttle.Limiter and
// the API points of guard.Buckets. Each bucket is a row of throttle_buckets —
// (rule, SHA-256 of the key) → level at updated_at, attempts in flight — read
// and written in a short transaction that holds the rows: SELECT … FOR UPDATE
// on MariaDB/MySQL (after an insert that creates missing rows, rows always
// taken in one order so no two transactions wait on each other), SQLite's
// single writer on SQLite. A level leaks at its rule's rate from updated_at;
// empty rows are deleted on the way, once a minute per process.
package limitdb

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"certlink/ent"
	"certlink/ent/predicate"
	"certlink/ent/throttlebucket"
	"certlink/internal/auth"
	"certlink/internal/guard"
	"certlink/internal/store"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
)

// PointsRule is the rule column of the API points buckets.
const PointsRule = "api points"

// DB is the table of shared buckets.
//
// A flood at one bucket (a sign-in storm from one address: every attempt
// reserves and settles in the address's row) must not take the database's
// connections from everyone else. So in this process the transactions on a
// bucket run one at a time — the others wait in memory, not holding a
// connection while the row lock is held — and at most MaxTx bucket
// transactions run at once in all. Across processes each row is then
// contended by at most one transaction per process.
type DB struct {
	Client *ent.Client
	// RowLocks: lock the bucket rows FOR UPDATE (MariaDB/MySQL). SQLite runs
	// one writing transaction at a time, which serializes the buckets.
	RowLocks bool
	// MaxTx bounds the bucket transactions running at once in this process
	// (DefaultMaxTx when 0).
	MaxTx int

	mu      sync.Mutex
	sweptAt time.Time
	once    sync.Once
	slots   chan struct{}
	keys    map[[2]string]*keyTurn
	// first are slots only a priority caller (auth.WithPriority: the
	// owner's recognized browser) takes, beside the others: a flood of
	// strangers' bucket transactions never makes it wait for a slot.
	first chan struct{}
}

// DefaultMaxTx is how many bucket transactions a process runs at once.
const DefaultMaxTx = 4

// keyTurn is one bucket's turn in this process: a transaction on it holds
// the channel's one slot.
type keyTurn struct {
	turn  chan struct{}
	users int
}

// enter waits for the turn of every bucket of sorted (in that order: no two
// callers wait on each other) and for one of the process's MaxTx slots, or
// for ctx to end. leave gives them back.
func (d *DB) enter(ctx context.Context, sorted []spec) (func(), error) {
	d.once.Do(func() {
		n := d.MaxTx
		if n <= 0 {
			n = DefaultMaxTx
		}
		d.slots = make(chan struct{}, n)
		d.first = make(chan struct{}, 2)
		d.keys = map[[2]string]*keyTurn{}
	})
	turns := make([]*keyTurn, len(sorted))
	d.mu.Lock()
	for i, s := range sorted {
		k := d.keys[s.id()]
		if k == nil {
			k = &keyTurn{turn: make(chan struct{}, 1)}
			d.keys[s.id()] = k
		}
		k.users++
		turns[i] = k
	}
	d.mu.Unlock()
	held := 0
	leave := func() {
		for _, k := range turns[:held] {
			<-k.turn
		}
		d.mu.Lock()
		for i, s := range sorted {
			if turns[i].users--; turns[i].users == 0 {
				delete(d.keys, s.id())
			}
		}
		d.mu.Unlock()
	}
	for _, k := range turns {
		select {
		case k.turn <- struct{}{}:
			held++
		case <-ctx.Done():
			leave()
			return nil, ctx.Err()
		}
	}
	slot := d.slots
	first := d.first
	if !auth.HasPriority(ctx) {
		first = nil // a nil channel: never ready
	}
	select {
	case d.slots <- struct{}{}:
	case first <- struct{}{}:
		slot = d.first
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	return func() {
		<-slot
		leave()
	}, nil
}

var (
	_ throttle.SharedGate = (*DB)(nil)
	_ guard.Lessor        = (*DB)(nil)
)

// Hash is a bucket's key as stored: no email or address in clear.
func Hash(rule, value string) string {
	sum := sha256.Sum256([]byte("certlink bucket\x00" + rule + "\x00" + value))
	return hex.EncodeToString(sum[:])
}

// spec is one bucket an operation touches.
type spec struct {
	rule, hash string
	capacity   float64
	period     time.Duration
}

func (s spec) id() [2]string { return [2]string{s.rule, s.hash} }

func (s spec) rate() float64 { return s.capacity / float64(s.period) }

// level is the bucket's level at now, leaked since it was written, and at
// most the capacity: a bucket filled under a larger capacity (a restart with
// a lower --rate-limit, whose leases were chunks of the old one) or past it
// (points charged after the fact) holds its key back one period at most.
func (s spec) level(b *ent.ThrottleBucket, now time.Time) float64 {
	elapsed := math.Max(0, float64(now.Sub(b.UpdatedAt)))
	return math.Max(0, math.Min(s.capacity, b.Level)-s.rate()*elapsed)
}

// inFlight is how many attempts hold the bucket at now: none once the
// latest deadline among them has passed.
func inFlight(b *ent.ThrottleBucket, now time.Time) int {
	if b.InFlight <= 0 || b.InFlightUntil == nil || !b.InFlightUntil.After(now) {
		return 0
	}
	return b.InFlight
}

func specsOf(keys []throttle.Key) []spec {
	out := make([]spec, len(keys))
	for i, k := range keys {
		out[i] = specOf(k)
	}
	return out
}

func specOf(k throttle.Key) spec {
	return spec{rule: k.Rule.Name, hash: Hash(k.Rule.Name, k.Value), capacity: k.Rule.Capacity, period: k.Rule.Period}
}

// hold runs fn in a transaction holding the rows of specs (created empty when
// missing). rows is indexed like specs. The rows are locked by key first
// (READ COMMITTED: no gap locks) and only missing ones are inserted, then
// locked: an insert that meets an existing key takes locks the plain lock
// does not, and InnoDB deadlocks on them under contention.
func (d *DB) hold(ctx context.Context, now time.Time, specs []spec, fn func(tx *ent.Tx, rows []*ent.ThrottleBucket) error) error {
	sys := viewer.System(ctx)
	sorted, leave, err := d.enterAll(ctx, specs)
	if err != nil {
		return err
	}
	defer leave()
	err = store.InTxReadCommitted(sys, d.Client, func(tx *ent.Tx) error {
		byID, err := d.lock(sys, tx, sorted)
		if err != nil {
			return err
		}
		var creates []*ent.ThrottleBucketCreate
		for _, s := range sorted {
			if byID[s.id()] == nil {
				creates = append(creates, tx.ThrottleBucket.Create().SetRule(s.rule).SetKeyHash(s.hash).
					SetUpdatedAt(now).SetExpiresAt(now))
			}
		}
		if len(creates) > 0 {
			if err := tx.ThrottleBucket.CreateBulk(creates...).
				OnConflictColumns(throttlebucket.FieldRule, throttlebucket.FieldKeyHash).Ignore().Exec(sys); err != nil {
				return err
			}
			if byID, err = d.lock(sys, tx, sorted); err != nil {
				return err
			}
		}
		rows := make([]*ent.ThrottleBucket, len(specs))
		for i, s := range specs {
			if rows[i] = byID[s.id()]; rows[i] == nil {
				return fmt.Errorf("limitdb: bucket %s/%s missing after its insert", s.rule, s.hash[:8])
			}
		}
		return fn(tx, rows)
	})
	if err == nil {
		d.sweep(sys, now)
	}
	return err
}

// enterAll takes the turns of specs' buckets (enter), each once, in the one
// order every writer uses — no two wait on each other's rows — and returns
// them in that order.
func (d *DB) enterAll(ctx context.Context, specs []spec) ([]spec, func(), error) {
	sorted := slices.Clone(specs)
	slices.SortFunc(sorted, func(a, b spec) int { return cmp.Or(cmp.Compare(a.rule, b.rule), cmp.Compare(a.hash, b.hash)) })
	sorted = slices.CompactFunc(sorted, func(a, b spec) bool { return a.id() == b.id() })
	leave, err := d.enter(ctx, sorted)
	return sorted, leave, err
}

// lock reads (and on MariaDB/MySQL locks) the rows of sorted that exist.
func (d *DB) lock(ctx context.Context, tx *ent.Tx, sorted []spec) (map[[2]string]*ent.ThrottleBucket, error) {
	q := tx.ThrottleBucket.Query().Where(rowsOf(sorted))
	if d.RowLocks {
		q.ForUpdate()
	}
	found, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[[2]string]*ent.ThrottleBucket, len(found))
	for _, b := range found {
		byID[[2]string{b.Rule, b.KeyHash}] = b
	}
	return byID, nil
}

// rowsOf selects the rows of specs.
func rowsOf(specs []spec) predicate.ThrottleBucket {
	or := make([]predicate.ThrottleBucket, len(specs))
	for i, s := range specs {
		or[i] = throttlebucket.And(throttlebucket.Rule(s.rule), throttlebucket.KeyHash(s.hash))
	}
	return throttlebucket.Or(or...)
}

// Busy implements throttle.SharedGate: whether attempts in flight still leave
// some key's bucket without room, read without a lock or a transaction (the
// cheap look a waiting attempt takes before it tries again).
func (d *DB) Busy(ctx context.Context, now time.Time, keys []throttle.Key) (bool, error) {
	list := specsOf(keys)
	specs := make(map[[2]string]spec, len(list))
	for _, s := range list {
		specs[s.id()] = s
	}
	found, err := d.Client.ThrottleBucket.Query().Where(rowsOf(list)).All(viewer.System(ctx))
	if err != nil {
		return false, err
	}
	for _, b := range found {
		s := specs[[2]string{b.Rule, b.KeyHash}]
		if s.level(b, now)+float64(inFlight(b, now))+1 > s.capacity {
			return true, nil
		}
	}
	return false, nil
}

// state is a bucket row's new state.
type state struct {
	b        *ent.ThrottleBucket
	s        spec
	level    float64
	inFlight int
	until    *time.Time // the latest deadline of the attempts in flight
}

// write stores the buckets' new states in one statement (an UPDATE by id
// that reads nothing back). A row holds nothing once its level has leaked
// away and no attempt holds it: expires_at says when.
func write(ctx context.Context, tx *ent.Tx, now time.Time, states ...state) error {
	if len(states) == 0 {
		return nil
	}
	var level, flying, until, expires strings.Builder
	args := make([][]any, 4)
	ids := make([]any, len(states))
	for i, st := range states {
		exp := now.Add(time.Duration(st.level / st.s.rate()))
		var u any // NULL: no attempt in flight
		if st.inFlight > 0 && st.until != nil {
			u = *st.until
			if st.until.After(exp) {
				exp = *st.until
			}
		}
		for j, v := range []any{st.level, st.inFlight, u, exp} {
			args[j] = append(args[j], st.b.ID, v)
		}
		for _, sb := range []*strings.Builder{&level, &flying, &until, &expires} {
			sb.WriteString(" WHEN ? THEN ?")
		}
		ids[i] = st.b.ID
	}
	q := "UPDATE throttle_buckets SET level = CASE id" + level.String() + " END, in_flight = CASE id" + flying.String() +
		" END, in_flight_until = CASE id" + until.String() + " END, updated_at = ?, expires_at = CASE id" + expires.String() +
		" END WHERE id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
	all := slices.Concat(args[0], args[1], args[2], []any{now}, args[3], ids)
	_, err := tx.ExecContext(ctx, q, all...)
	return err
}

// Reserve implements throttle.SharedGate: one attempt in flight in every key's
// bucket until until, all or nothing. A bucket whose failures alone leave no
// room refuses (the first such key in keys' order); one that has room only
// once attempts in flight end makes the caller wait (busy).
func (d *DB) Reserve(ctx context.Context, now time.Time, keys []throttle.Key, until time.Time) (refusal *throttle.Refusal, busy bool, err error) {
	specs := specsOf(keys)
	err = d.hold(ctx, now, specs, func(tx *ent.Tx, rows []*ent.ThrottleBucket) error {
		refusal, busy = nil, false
		levels := make([]float64, len(specs))
		flying := make([]int, len(specs))
		for i, s := range specs {
			levels[i], flying[i] = s.level(rows[i], now), inFlight(rows[i], now)
			if levels[i]+1 > s.capacity {
				room := levels[i] + 1 - s.capacity
				refusal = &throttle.Refusal{Rule: keys[i].Rule, RetryAt: now.Add(time.Duration(room / s.capacity * float64(s.period)))}
				return nil
			}
			if levels[i]+float64(flying[i])+1 > s.capacity {
				busy = true
			}
		}
		if busy {
			return nil
		}
		states := make([]state, len(specs))
		for i, s := range specs {
			latest := until
			if flying[i] > 0 && rows[i].InFlightUntil.After(latest) {
				latest = *rows[i].InFlightUntil
			}
			states[i] = state{b: rows[i], s: s, level: levels[i], inFlight: flying[i] + 1, until: &latest}
		}
		return write(viewer.System(ctx), tx, now, states...)
	})
	if err != nil {
		return nil, false, err
	}
	return refusal, busy, nil
}

// Settle implements throttle.SharedGate: the attempt reserved in keys' buckets
// ends, adding failures[i] to the level of keys[i].
func (d *DB) Settle(ctx context.Context, now time.Time, keys []throttle.Key, failures []float64) error {
	specs := specsOf(keys)
	if !slices.ContainsFunc(failures, func(f float64) bool { return f != 0 }) {
		err := d.release(ctx, now, specs)
		if err == nil || !store.Transient(err) || store.Unavailable(err) {
			// Done, or an outcome that is not known (the connection went
			// with the statement): settling again could take two attempts
			// off. The attempt's deadline frees its place in any case.
			return err
		}
		// A deadlock or a busy database: the statement changed nothing, and
		// the transaction below reads the rows and retries.
	}
	return d.settle(ctx, now, specs, failures)
}

// settle is Settle in a transaction that reads and rewrites the rows.
func (d *DB) settle(ctx context.Context, now time.Time, specs []spec, failures []float64) error {
	return d.hold(ctx, now, specs, func(tx *ent.Tx, rows []*ent.ThrottleBucket) error {
		states := make([]state, len(specs))
		for i, s := range specs {
			b := rows[i]
			states[i] = state{b: b, s: s, level: s.level(b, now) + failures[i], inFlight: max(0, inFlight(b, now)-1), until: b.InFlightUntil}
		}
		return write(viewer.System(ctx), tx, now, states...)
	})
}

// release ends an attempt that adds no failure, in one statement that reads
// nothing back: one fewer in flight in each bucket (none once the latest
// deadline has passed, as inFlight counts them). The level is left as it
// is: it leaks from the row's own updated_at whether or not it is
// rewritten. expires_at, at or after the attempt's deadline, may stay later
// than an empty row needs (the sweep deletes it a little later).
//
// in_flight_until is assigned first: MariaDB/MySQL assign left to right (the
// second CASE sees the new in_flight_until), SQLite all at once; both give
// the same row, since the new in_flight_until is either the old one or NULL
// exactly when the condition is false.
func (d *DB) release(ctx context.Context, now time.Time, specs []spec) error {
	sys := viewer.System(ctx)
	sorted, leave, err := d.enterAll(ctx, specs)
	if err != nil {
		return err
	}
	defer leave()
	now = now.UTC()
	where := make([]string, len(sorted))
	args := []any{now, now}
	for i, s := range sorted {
		where[i] = "(rule = ? AND key_hash = ?)"
		args = append(args, s.rule, s.hash)
	}
	_, err = d.Client.ExecContext(sys, "UPDATE throttle_buckets SET "+
		"in_flight_until = CASE WHEN in_flight > 1 AND in_flight_until > ? THEN in_flight_until ELSE NULL END, "+
		"in_flight = CASE WHEN in_flight > 1 AND in_flight_until > ? THEN in_flight - 1 ELSE 0 END "+
		"WHERE "+strings.Join(where, " OR "), args...)
	if err != nil {
		return err
	}
	// A bucket the statement did not change held no attempt any more (its
	// deadline passed, or a sweep deleted it): nothing to end there.
	d.sweep(sys, now)
	return nil
}

// Failures implements throttle.SharedGate: the level of k's bucket at now.
func (d *DB) Failures(ctx context.Context, now time.Time, k throttle.Key) (float64, error) {
	s := specOf(k)
	return d.levelOf(ctx, now, s)
}

func (d *DB) levelOf(ctx context.Context, now time.Time, s spec) (float64, error) {
	b, err := d.Client.ThrottleBucket.Query().Where(throttlebucket.Rule(s.rule), throttlebucket.KeyHash(s.hash)).Only(viewer.System(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return s.level(b, now), nil
}

// Lease implements guard.Lessor: key's API points bucket takes owed points
// whatever its level (points already spent beyond earlier leases), then
// grants up to want more while it has room. It returns the points granted
// and the level after.
func (d *DB) Lease(ctx context.Context, now time.Time, key string, owed, want, capacity float64, period time.Duration) (granted, level float64, err error) {
	s := spec{rule: PointsRule, hash: Hash(PointsRule, key), capacity: capacity, period: period}
	err = d.hold(ctx, now, []spec{s}, func(tx *ent.Tx, rows []*ent.ThrottleBucket) error {
		level = s.level(rows[0], now) + owed
		granted = math.Min(want, math.Max(0, capacity-level))
		level += granted
		return write(viewer.System(ctx), tx, now, state{b: rows[0], s: s, level: level})
	})
	if err != nil {
		return 0, 0, err
	}
	return granted, level, nil
}

// PointsLevel reports the level of key's API points bucket (tests).
func (d *DB) PointsLevel(ctx context.Context, now time.Time, key string, capacity float64, period time.Duration) (float64, error) {
	return d.levelOf(ctx, now, spec{rule: PointsRule, hash: Hash(PointsRule, key), capacity: capacity, period: period})
}

// sweep deletes the empty buckets, at most once a minute.
func (d *DB) sweep(ctx context.Context, now time.Time) {
	d.mu.Lock()
	if !d.sweptAt.IsZero() && now.Sub(d.sweptAt) < time.Minute {
		d.mu.Unlock()
		return
	}
	d.sweptAt = now
	d.mu.Unlock()
	// A row past its expiry is an empty bucket with nothing in flight:
	// deleting it changes nothing. The minute's margin leaves alone a row a
	// transaction just created.
	_, _ = d.Client.ThrottleBucket.Delete().Where(throttlebucket.ExpiresAtLT(now.Add(-time.Minute))).Exec(ctx)
}
