// Package limitdb keeps the leaky buckets every certlink process on one
// database must share (A4): the password-attempt buckets (throttle.SharedGate)
// and the API points of each caller (guard.Lessor). Each bucket is a row of
// throttle_buckets — (rule, SHA-256 of the key) → level at updated_at — read
// and written in a short transaction that holds the row: SELECT … FOR UPDATE
// on MariaDB/MySQL (after an upsert that creates missing rows in key order),
// SQLite's single writer on SQLite. The level leaks at the rule's rate from
// updated_at; rows past expires_at (empty buckets) are deleted on the way,
// once a minute per process.
package limitdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"certlink/ent"
	"certlink/ent/predicate"
	"certlink/ent/throttlebucket"
	"certlink/internal/store"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
)

// PointsRule is the rule column of the API points buckets.
const PointsRule = "api points"

// DB is the table of shared buckets.
type DB struct {
	Client *ent.Client
	// RowLocks: lock the bucket rows FOR UPDATE (MariaDB/MySQL). SQLite runs
	// one writing transaction at a time, which serializes the buckets.
	RowLocks bool

	mu      sync.Mutex
	sweptAt time.Time
}

var (
	_ throttle.SharedGate = (*DB)(nil)
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

func (s spec) rate() float64 { return s.capacity / float64(s.period) }

func (s spec) leak(b *ent.ThrottleBucket, now time.Time) float64 {
	elapsed := math.Max(0, float64(now.Sub(b.UpdatedAt)))
	return math.Max(0, b.Level-s.rate()*elapsed)
}

func (s spec) expires(level float64, now time.Time) time.Time {
	return now.Add(time.Duration(level / s.rate()))
}

func specs(keys []throttle.Key) []spec {
	out := make([]spec, len(keys))
	for i, k := range keys {
		out[i] = spec{rule: k.Rule.Name, hash: Hash(k.Rule.Name, k.Value), capacity: k.Rule.Capacity, period: k.Rule.Period}
	}
	return out
}

// hold runs fn in a transaction holding the rows of specs (created empty
// when missing), keyed by rule and hash.
func (d *DB) hold(ctx context.Context, now time.Time, specs []spec, fn func(tx *ent.Tx, rows map[[2]string]*ent.ThrottleBucket) error) error {
	sys := viewer.System(ctx)
	// One order for every transaction: no two wait on each other's rows.
	sorted := slices.Clone(specs)
	slices.SortFunc(sorted, func(a, b spec) int {
		if a.rule != b.rule {
			return compare(a.rule, b.rule)
		}
		return compare(a.hash, b.hash)
	})
	err := store.InTx(sys, d.Client, func(tx *ent.Tx) error {
		creates := make([]*ent.ThrottleBucketCreate, len(sorted))
		or := make([]predicate.ThrottleBucket, len(sorted))
		for i, s := range sorted {
			creates[i] = tx.ThrottleBucket.Create().SetRule(s.rule).SetKeyHash(s.hash).
				SetLevel(0).SetUpdatedAt(now).SetExpiresAt(now)
			or[i] = throttlebucket.And(throttlebucket.Rule(s.rule), throttlebucket.KeyHash(s.hash))
		}
		if err := tx.ThrottleBucket.CreateBulk(creates...).
			OnConflictColumns(throttlebucket.FieldRule, throttlebucket.FieldKeyHash).Ignore().Exec(sys); err != nil {
			return err
		}
		q := tx.ThrottleBucket.Query().Where(throttlebucket.Or(or...))
		if d.RowLocks {
			q.ForUpdate()
		}
		found, err := q.All(sys)
		if err != nil {
			return err
		}
		rows := make(map[[2]string]*ent.ThrottleBucket, len(found))
		for _, b := range found {
			rows[[2]string{b.Rule, b.KeyHash}] = b
		}
		for _, s := range sorted {
			if rows[[2]string{s.rule, s.hash}] == nil {
				return fmt.Errorf("limitdb: bucket %s/%s missing after its upsert", s.rule, s.hash[:8])
			}
		}
		return fn(tx, rows)
	})
	if err == nil {
		d.sweep(sys, now)
	}
	return err
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func set(ctx context.Context, tx *ent.Tx, b *ent.ThrottleBucket, s spec, level float64, now time.Time) error {
	return tx.ThrottleBucket.UpdateOneID(b.ID).SetLevel(level).SetUpdatedAt(now).SetExpiresAt(s.expires(level, now)).Exec(ctx)
}

// Charge implements throttle.SharedGate: one attempt in every key's bucket,
// or a refusal naming the first full one (keys' order) and when it has room.
func (d *DB) Charge(ctx context.Context, now time.Time, keys []throttle.Key) (*throttle.Refusal, error) {
	sp := specs(keys)
	var refusal *throttle.Refusal
	err := d.hold(ctx, now, sp, func(tx *ent.Tx, rows map[[2]string]*ent.ThrottleBucket) error {
		refusal = nil
		levels := make([]float64, len(sp))
		for i, s := range sp {
			levels[i] = s.leak(rows[[2]string{s.rule, s.hash}], now)
			if levels[i]+1 > s.capacity {
				room := levels[i] + 1 - s.capacity
				refusal = &throttle.Refusal{Rule: keys[i].Rule, RetryAt: now.Add(time.Duration(room / s.capacity * float64(s.period)))}
				return nil
			}
		}
		for i, s := range sp {
			if err := set(viewer.System(ctx), tx, rows[[2]string{s.rule, s.hash}], s, levels[i]+1, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return refusal, nil
}

// Refund implements throttle.SharedGate: the attempt charged in keys' buckets
// is taken back.
func (d *DB) Refund(ctx context.Context, now time.Time, keys []throttle.Key) error {
	sp := specs(keys)
	return d.hold(ctx, now, sp, func(tx *ent.Tx, rows map[[2]string]*ent.ThrottleBucket) error {
		for _, s := range sp {
			b := rows[[2]string{s.rule, s.hash}]
			if err := set(viewer.System(ctx), tx, b, s, math.Max(0, s.leak(b, now)-1), now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Lease implements guard.Lessor: key's API points bucket takes force points
// whatever its level, then grants up to want more while it has room.
func (d *DB) Lease(ctx context.Context, now time.Time, key string, force, want, capacity float64, period time.Duration) (granted, level float64, err error) {
	s := spec{rule: PointsRule, hash: Hash(PointsRule, key), capacity: capacity, period: period}
	err = d.hold(ctx, now, []spec{s}, func(tx *ent.Tx, rows map[[2]string]*ent.ThrottleBucket) error {
		b := rows[[2]string{s.rule, s.hash}]
		level = s.leak(b, now) + force
		granted = math.Min(want, math.Max(0, capacity-level))
		level += granted
		return set(viewer.System(ctx), tx, b, s, level, now)
	})
	if err != nil {
		return 0, 0, err
	}
	return granted, level, nil
}

// Level reports the level of a bucket now (tests, metrics).
func (d *DB) Level(ctx context.Context, now time.Time, k throttle.Key) (float64, error) {
	s := specs([]throttle.Key{k})[0]
	b, err := d.Client.ThrottleBucket.Query().Where(throttlebucket.Rule(s.rule), throttlebucket.KeyHash(s.hash)).Only(viewer.System(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return s.leak(b, now), nil
}

// sweep deletes the empty buckets, at most once a minute.
func (d *DB) sweep(ctx context.Context, now time.Time) {
	d.mu.Lock()
	if now.Sub(d.sweptAt) < time.Minute && !d.sweptAt.IsZero() {
		d.mu.Unlock()
		return
	}
	d.sweptAt = now
	d.mu.Unlock()
	// A row past its expiry is an empty bucket: deleting it changes nothing.
	// The minute's margin leaves alone a row a transaction just created.
	_, _ = d.Client.ThrottleBucket.Delete().Where(throttlebucket.ExpiresAtLT(now.Add(-time.Minute))).Exec(ctx)
}
