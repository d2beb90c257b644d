package store_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// Processes starting together on an empty database (here: eight database
// handles at once) agree on one instance key, and it is the one every later
// start reads.
func TestInstanceKeyIsOnePerDatabase(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx := viewer.System(context.Background())
		dsn := testenv.DSN(t, d)
		first, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		if err := first.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(ctx, dsn)
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				keys[i], errs[i] = db.InstanceKey(ctx, "test key", 16)
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("start %d: %v", i, errs[i])
			}
			if len(keys[i]) != 16 || !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("start %d read the key %x, start 0 %x", i, keys[i], keys[0])
			}
		}
		again, err := first.InstanceKey(ctx, "test key", 16)
		if err != nil || !bytes.Equal(again, keys[0]) {
			t.Fatalf("a later start read %x (%v), want %x", again, err, keys[0])
		}
		if _, err := first.InstanceKey(ctx, "test key", 32); err == nil {
			t.Fatal("a key of another size was taken")
		}
	})
}
