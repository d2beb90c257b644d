package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"certlink/ent"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

func TestQueryCounter(t *testing.T) {
	var qc store.QueryCounter
	ctx := viewer.System(context.Background())
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"), qc.Option())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrating through the counting driver: %v", err)
	}
	before := qc.Count()
	if _, err := db.Client.Organization.Query().Count(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Client.QueryContext(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	err = store.InTx(ctx, db.Client, func(tx *ent.Tx) error {
		_, err := tx.Organization.Create().SetMpnID("4100009").SetName("Counted").Save(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := qc.Count() - before; got != 3 {
		t.Fatalf("counted %d statements, want 3 (count, raw select, insert)", got)
	}
}
