package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"certlink/internal/store"
	"certlink/internal/testenv"
)

// BenchmarkCausalRead measures what causal reads cost on a Galera cluster: a
// point read through node 2 while a writer commits through node 1, with
// wsrep_sync_wait=1 (certlink's default on Galera) and 0 (opted out in the
// --db URL). Run: CERTLINK_TEST_MYSQL=mysql://root@127.0.0.1:4306,127.0.0.1:4307,127.0.0.1:4308/
// go test -run='^$' -bench=CausalRead ./internal/store/
func BenchmarkCausalRead(b *testing.B) {
	dsn := testenv.DSN(b, testenv.MySQL)
	if testenv.Hosts(dsn) < 2 {
		b.Skip("needs a Galera cluster: name its nodes in " + testenv.MySQLEnv)
	}
	ctx := context.Background()
	writer, err := store.Open(ctx, testenv.OnlyHost(dsn, 0))
	if err != nil {
		b.Fatal(err)
	}
	defer writer.Close()
	if _, err := writer.SQL.Exec("CREATE TABLE counter (id INT PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	if _, err := writer.SQL.Exec("INSERT INTO counter VALUES (1, 0)"); err != nil {
		b.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			_, _ = writer.SQL.Exec("UPDATE counter SET n = n + 1 WHERE id = 1")
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()
	for _, wait := range []int{0, 1} {
		b.Run(fmt.Sprintf("wsrep_sync_wait=%d", wait), func(b *testing.B) {
			reader, err := store.Open(ctx, testenv.OnlyHost(dsn, 1)+fmt.Sprintf("?wsrep_sync_wait=%d", wait))
			if err != nil {
				b.Fatal(err)
			}
			defer reader.Close()
			var n int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Without causal reads node 2 may not have applied the
				// INSERT yet: no row is a stale read, not a failure here.
				if err := reader.SQL.QueryRow("SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil && err != sql.ErrNoRows {
					b.Fatal(err)
				}
			}
		})
	}
}
