package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"certlink/internal/store"
	"certlink/internal/testenv"
)

// A transaction the server ends on its own (a Galera brute-force abort whose
// error no statement delivered) is simulated by a ROLLBACK sent inside it: the
// statements after it must not be committed, and COMMIT must say so. The
// control shows what the plain driver does with the same statements: it
// stores the statement after the rollback, the "OK, nothing stored" class
// seen on the 3-node cluster (a MOVED_OUT event without its link's end).
func TestSilentRollbackIsNeverCommittedPiecemeal(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		dsn := mysqlOnly(t, d)
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.SQL.Exec(`CREATE TABLE silent (n INT PRIMARY KEY) ENGINE=InnoDB`); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM silent`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		abortMidway := func(tx *sql.Tx) {
			for _, q := range []string{`INSERT INTO silent VALUES (1)`, `ROLLBACK`, `INSERT INTO silent VALUES (2)`} {
				if _, err := tx.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		}

		// Control: the driver without certlink's guard.
		cfg, err := store.MySQLConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Params = map[string]string{"time_zone": "'+00:00'"}
		plain, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		defer plain.Close()
		tx, err := plain.Begin()
		if err != nil {
			t.Fatal(err)
		}
		abortMidway(tx)
		if err := tx.Commit(); err != nil {
			t.Fatalf("control: %v", err)
		}
		if n := count(); n != 1 {
			t.Fatalf("control: the plain driver stored %d rows after a mid-transaction rollback; this test expects 1 (the server's behaviour changed?)", n)
		}
		if _, err := db.SQL.Exec(`DELETE FROM silent`); err != nil {
			t.Fatal(err)
		}

		// certlink's connections.
		tx, err = db.SQL.Begin()
		if err != nil {
			t.Fatal(err)
		}
		abortMidway(tx)
		if err := tx.Commit(); !errors.Is(err, store.ErrSilentRollback) {
			t.Fatalf("COMMIT after the server ended the transaction: %v, want ErrSilentRollback", err)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d rows stored by a transaction the server had ended", n)
		}
		if !store.Transient(store.ErrSilentRollback) {
			t.Error("a silent rollback is not retried")
		}

		// The connection is back in autocommit mode: a plain statement outside
		// a transaction is stored and seen by another connection.
		for i := 0; i < 4; i++ { // every pooled connection
			if _, err := db.SQL.Exec(`INSERT INTO silent VALUES (?)`, 10+i); err != nil {
				t.Fatal(err)
			}
		}
		// One connection: a guarded transaction, then a plain statement on it
		// (autocommit is turned back on lazily, before that statement).
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// insertInTx stores n in a guarded transaction on conn.
		insertInTx := func(n int) {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(`INSERT INTO silent VALUES (?)`, n); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		insertInTx(20)
		if _, err := conn.ExecContext(ctx, `INSERT INTO silent VALUES (21)`); err != nil {
			t.Fatal(err)
		}
		var seen int
		if err := plain.QueryRow(`SELECT COUNT(*) FROM silent`).Scan(&seen); err != nil || seen != 6 {
			t.Fatalf("after guarded transactions, committed and autocommitted rows seen by another connection: %d (%v), want 6", seen, err)
		}
		// A read after a guarded transaction turns autocommit back on in its
		// own round trip; one that fails leaves it to the next statement.
		for _, read := range []string{`SELECT COUNT(*) FROM silent`, `SELECT COUNT(*) FROM no_such_table`} {
			insertInTx(30)
			var n, on int
			err := conn.QueryRowContext(ctx, read).Scan(&n)
			if read == `SELECT COUNT(*) FROM no_such_table` {
				if err == nil {
					t.Fatal("a read of a missing table answered")
				}
			} else if err != nil || n != seen+1 {
				t.Fatalf("the read after a transaction: %d (%v), want %d", n, err, seen+1)
			}
			if err := conn.QueryRowContext(ctx, `SELECT @@autocommit`).Scan(&on); err != nil || on != 1 {
				t.Fatalf("after %q autocommit is %d (%v), want 1", read, on, err)
			}
			if _, err := conn.ExecContext(ctx, `DELETE FROM silent WHERE n = 30`); err != nil {
				t.Fatal(err)
			}
			if err := plain.QueryRow(`SELECT COUNT(*) FROM silent`).Scan(&n); err != nil || n != seen {
				t.Fatalf("after %q, an autocommitted delete seen by another connection: %d rows (%v), want %d", read, n, err, seen)
			}
		}

	})
}

// mysqlOnly skips a test on SQLite and returns the MySQL-compatible test
// database's URL.
func mysqlOnly(t *testing.T, d testenv.Dialect) string {
	t.Helper()
	if d == testenv.SQLite {
		t.Skip("MySQL-compatible servers only")
	}
	return testenv.DSN(t, d)
}
