package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"certlink/internal/store"
	"certlink/internal/viewer"
)

// TestScanCounts: a row whose count is NULL (what MariaDB sends from a
// Galera transaction aborted mid-statement) is never read as an answer: the
// error that follows it is returned, or ErrRetry when none does, so InTx
// retries instead of answering INTERNAL.
func TestScanCounts(t *testing.T) {
	ctx := viewer.System(context.Background())
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "n.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scan := func(q string) ([]int, error) {
		rows, err := db.Client.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var a, b int
			if err := store.ScanCounts(rows, &a, &b); err != nil {
				return out, err
			}
			out = append(out, a, b)
		}
		return out, rows.Err()
	}
	if got, err := scan("SELECT 1, 2 UNION ALL SELECT 3, 4"); err != nil || len(got) != 4 || got[3] != 4 {
		t.Fatalf("plain counts: %v %v", got, err)
	}
	if _, err := scan("SELECT 1, NULL UNION ALL SELECT 3, 4"); !errors.Is(err, store.ErrRetry) {
		t.Fatalf("a NULL count without an error after it: %v, want ErrRetry", err)
	}
	// SQLite's abs() of the smallest integer fails while the second row is
	// computed: the error after the NULL row is what comes back.
	_, err = scan("SELECT 1, NULL UNION ALL SELECT 3, abs(-9223372036854775807 - 1)")
	if err == nil || errors.Is(err, store.ErrRetry) || !strings.Contains(err.Error(), "overflow") {
		t.Fatalf("a NULL count then the server's error: %v, want that error", err)
	}
}
