package limitdb_test

import (
	"context"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"certlink/internal/limitdb"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
)

// open returns n gates on one fresh database, each with its own connection
// pool, as n certlink processes would have.
func open(t *testing.T, d testenv.Dialect, n int) []*limitdb.DB {
	t.Helper()
	dsn := testenv.DSN(t, d)
	var out []*limitdb.DB
	for i := 0; i < n; i++ {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, &limitdb.DB{Client: db.Client, RowLocks: !db.Embedded})
	}
	return out
}

var rule = &throttle.Rule{Name: "test rule", Capacity: 5, Period: 15 * time.Minute}

func TestChargeRefundLeak(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		g := open(t, d, 1)[0]
		ctx := context.Background()
		now := time.Now().Truncate(time.Second)
		keys := []throttle.Key{{Rule: rule, Value: "mona@contoso.example"}}
		for i := 0; i < 5; i++ {
			if r, err := g.Charge(ctx, now, keys); err != nil || r != nil {
				t.Fatalf("charge %d: %v %v", i, r, err)
			}
		}
		r, err := g.Charge(ctx, now, keys)
		if err != nil || r == nil || r.Rule != rule {
			t.Fatalf("sixth charge: refusal %v, err %v; want the rule's refusal", r, err)
		}
		if want := now.Add(3 * time.Minute); !r.RetryAt.Equal(want) {
			t.Fatalf("retryAt %v, want %v", r.RetryAt, want)
		}
		// A refund (right or untested attempt) gives the room back.
		if err := g.Refund(ctx, now, keys); err != nil {
			t.Fatal(err)
		}
		if r, err := g.Charge(ctx, now, keys); err != nil || r != nil {
			t.Fatalf("after a refund: %v %v", r, err)
		}
		// The bucket leaks one attempt every Period/Capacity.
		later := now.Add(3*time.Minute + time.Second)
		if lvl, _ := g.Level(ctx, later, keys[0]); lvl > 4.0 || lvl < 3.9 {
			t.Fatalf("level after one leak %v, want ~4", lvl)
		}
		if r, err := g.Charge(ctx, later, keys); err != nil || r != nil {
			t.Fatalf("after a leak: %v %v", r, err)
		}
		if r, _ := g.Charge(ctx, later, keys); r == nil {
			t.Fatal("a second attempt after one leak was not refused")
		}
		// Keys are stored hashed.
		var n int
		row := g.Client.ThrottleBucket.Query().AllX(viewer.System(ctx))
		for _, b := range row {
			n++
			if strings.Contains(b.KeyHash, "mona") || len(b.KeyHash) != 64 {
				t.Fatalf("key stored as %q", b.KeyHash)
			}
		}
		if n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
		// An empty bucket is deleted by a later sweep.
		empty := later.Add(time.Hour)
		if _, _, err := g.Lease(ctx, empty, "user:1", 0, 1, 100, time.Hour); err != nil {
			t.Fatal(err)
		}
		rows := g.Client.ThrottleBucket.Query().AllX(viewer.System(ctx))
		for _, b := range rows {
			if b.Rule == rule.Name {
				t.Fatalf("the empty bucket was not swept: %+v", b)
			}
		}
	})
}

// A refused charge charges nothing in any bucket, and a failure in some rules
// only is kept there while the others are refunded (FailedIn).
func TestChargeAllOrNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		g := open(t, d, 1)[0]
		ctx := context.Background()
		now := time.Now()
		small := &throttle.Rule{Name: "small", Capacity: 1, Period: time.Minute}
		a := throttle.Key{Rule: rule, Value: "a"}
		s := throttle.Key{Rule: small, Value: "a"}
		if r, err := g.Charge(ctx, now, []throttle.Key{s}); r != nil || err != nil {
			t.Fatal(r, err)
		}
		if r, err := g.Charge(ctx, now, []throttle.Key{a, s}); r == nil || r.Rule != small || err != nil {
			t.Fatalf("refusal %v err %v, want small's", r, err)
		}
		if lvl, _ := g.Level(ctx, now, a); lvl != 0 {
			t.Fatalf("a refused charge left %v in the other bucket", lvl)
		}
	})
}

// Parallel attempts from several processes: exactly the capacity is charged
// (the rows are locked; SQLite's one writer serializes), under -race.
func TestParallelChargesAcrossProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		gates := open(t, d, 3)
		now := time.Now()
		pair := &throttle.Rule{Name: "pair", Capacity: 5, Period: 15 * time.Minute}
		account := &throttle.Rule{Name: "account", Capacity: 20, Period: 15 * time.Minute}
		var charged, refused atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys := []throttle.Key{{Rule: pair, Value: "x"}, {Rule: account, Value: "acct"}}
				if i%2 == 1 { // the other order: no deadlock either way
					keys[0], keys[1] = keys[1], keys[0]
				}
				r, err := gates[i%3].Charge(context.Background(), now, keys)
				switch {
				case err != nil:
					t.Errorf("charge %d: %v", i, err)
				case r != nil:
					refused.Add(1)
				default:
					charged.Add(1)
				}
			}()
		}
		wg.Wait()
		if charged.Load() != 5 || refused.Load() != 25 {
			t.Fatalf("charged %d, refused %d; want exactly 5 charged", charged.Load(), refused.Load())
		}
	})
}

// Leases from several processes in parallel never grant more than the
// capacity in all.
func TestParallelLeases(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		gates := open(t, d, 3)
		now := time.Now()
		var total atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g, _, err := gates[i%3].Lease(context.Background(), now, "user:7", 0, 7, 100, time.Hour)
				if err != nil {
					t.Errorf("lease %d: %v", i, err)
				}
				total.Add(int64(g * 1000))
			}()
		}
		wg.Wait()
		if total.Load() != 100*1000 {
			t.Fatalf("granted %v points in all, want exactly the capacity 100", float64(total.Load())/1000)
		}
		// force is taken whatever the level (points already spent).
		g, lvl, err := gates[0].Lease(context.Background(), now, "user:7", 3, 5, 100, time.Hour)
		if err != nil || g != 0 || math.Abs(lvl-103) > 1e-3 {
			t.Fatalf("forced lease: granted %v level %v err %v, want 0 and 103", g, lvl, err)
		}
	})
}

// A database failure never opens the gate.
func TestClosedDatabaseRefuses(t *testing.T) {
	g := open(t, testenv.SQLite, 1)[0]
	g.Client.Close()
	l := &throttle.Limiter{Shared: g}
	_, err := l.Reserve(context.Background(), throttle.Key{Rule: rule, Value: "a"})
	if err == nil || !strings.Contains(err.Error(), "not checked") {
		t.Fatalf("reserve on a closed database: %v, want UNAVAILABLE", err)
	}
	if _, _, err := g.Lease(context.Background(), time.Now(), "user:1", 0, 5, 100, time.Hour); err == nil {
		t.Fatal("lease on a closed database succeeded")
	}
}
