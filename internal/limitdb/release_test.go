package limitdb_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"certlink/internal/limitdb"
	"certlink/internal/testenv"
	"certlink/internal/throttle"
)

// TestReleaseAgreesWithTheTransaction: a successful attempt's settlement is
// one UPDATE that reads nothing (release); its buckets must end up exactly as
// the transaction that reads and rewrites them leaves them. Two sets of
// buckets go through the same random attempts — reserved, settled as a
// success or a failure, or left to pass their deadline — one settled by
// Settle, the other by the transaction; after every step each bucket's level
// and attempts in flight agree.
func TestReleaseAgreesWithTheTransaction(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx := context.Background()
		lim := &limitdb.DB{Client: testenv.Open(t, d).DB.Client, RowLocks: d == testenv.MySQL}
		rules := []*throttle.Rule{
			{Name: "release a", Capacity: 8, Period: time.Minute},
			{Name: "release b", Capacity: 3, Period: 10 * time.Second},
		}
		keysOf := func(set string) []throttle.Key {
			return []throttle.Key{{Rule: rules[0], Value: set + "-1"}, {Rule: rules[1], Value: set + "-2"}}
		}
		fast, slow := keysOf("fast"), keysOf("slow")
		rng := rand.New(rand.NewPCG(13, uint64(len(d))))
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		reserved := 0 // attempts reserved and not yet settled
		for step := range 300 {
			now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
			switch op := rng.IntN(4); {
			case op == 0 || reserved == 0:
				until := now.Add(time.Duration(1+rng.IntN(4)) * time.Second)
				r1, b1, err1 := lim.Reserve(ctx, now, fast, until)
				r2, b2, err2 := lim.Reserve(ctx, now, slow, until)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if (r1 == nil) != (r2 == nil) || b1 != b2 {
					t.Fatalf("step %d: reserving answered differently: %v %v / %v %v", step, r1, b1, r2, b2)
				}
				if r1 == nil && !b1 {
					reserved++
				}
			default:
				failures := []float64{0, 0}
				if op == 3 {
					failures = []float64{1, 0.5}
				}
				if err := lim.Settle(ctx, now, fast, failures); err != nil {
					t.Fatal(err)
				}
				if err := lim.SettleInTx(ctx, now, slow, failures); err != nil {
					t.Fatal(err)
				}
				reserved--
			}
			for i := range fast {
				lf, ff, err1 := lim.StateOf(ctx, now, fast[i])
				ls, fs, err2 := lim.StateOf(ctx, now, slow[i])
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if math.Abs(lf-ls) > 1e-6 || ff != fs {
					t.Fatalf("step %d, bucket %d: released level %.6f in flight %d, the transaction's %.6f and %d", step, i, lf, ff, ls, fs)
				}
			}
		}
	})
}
