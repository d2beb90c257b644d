package store_test

import (
	"context"
	"testing"
	"time"

	"certlink/ent"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// TestReadSnapshotIsOneMoment: a ReadSnapshot sees the database as its first
// read found it while a writer commits meanwhile, and on SQLite it is no
// writer: the write commits while the snapshot is still open (a snapshot
// that took the write queue would hold the writer until it ended).
func TestReadSnapshotIsOneMoment(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx := viewer.System(context.Background())
		db, err := store.Open(ctx, testenv.DSN(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		c := db.Client
		c.Organization.Create().SetName("First").SetMpnID("4200001").ExecX(ctx)
		count := func(c *ent.Client) int { return c.Organization.Query().CountX(ctx) }

		err = store.ReadSnapshot(ctx, c, func(snap *ent.Client) error {
			before := count(snap)
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := store.InTx(wctx, c, func(tx *ent.Tx) error {
				return tx.Organization.Create().SetName("Second").SetMpnID("4200002").Exec(wctx)
			}); err != nil {
				t.Fatalf("a write while a snapshot is open: %v", err)
			}
			if got := count(c); got != before+1 {
				t.Fatalf("outside the snapshot: %d organizations, want %d", got, before+1)
			}
			if got := count(snap); got != before {
				t.Fatalf("inside the snapshot: %d organizations, want the first read's %d", got, before)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
