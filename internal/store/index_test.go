package store_test

import (
	"context"
	"database/sql"
	"testing"

	"certlink/internal/auth"
	"certlink/internal/store"
	"certlink/internal/testenv"
)

// TestTokenLookupUsesItsIndex: every request looks its bearer token up by
// the secret's hash, so that look-up must be one index probe, not a read of
// every session. MariaDB keeps a unique index on a BLOB as a "long unique"
// hash that answers no look-up: the column is a fixed-size binary, and a
// database made while it was a BLOB gets its index made usable at start-up.
// No index of the schema is such a hash.
func TestTokenLookupUsesItsIndex(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		dsn := mysqlOnly(t, d) // MariaDB's long unique indexes
		ctx := context.Background()
		for round, older := range []bool{false, true} {
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if older {
				// As an older certlink made it.
				if _, err := db.SQL.ExecContext(ctx, "ALTER TABLE tokens MODIFY secret_hash blob NOT NULL"); err != nil {
					t.Fatal(err)
				}
				if n := hashIndexes(t, db.SQL); n != 1 {
					t.Fatalf("setting the older column up: %d hash indexes", n)
				}
				db.Close()
				if db, err = store.Open(ctx, dsn); err != nil {
					t.Fatal(err)
				}
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := hashIndexes(t, db.SQL); n != 0 {
				t.Errorf("round %d: %d long unique (hash) indexes, which answer no look-up", round, n)
			}
			var id, selectType string
			var table, typ, keys, key, keyLen, ref, rows, extra sql.NullString
			err = db.SQL.QueryRowContext(ctx, "EXPLAIN SELECT id FROM tokens WHERE secret_hash = ?", auth.HashSecret("x")).
				Scan(&id, &selectType, &table, &typ, &keys, &key, &keyLen, &ref, &rows, &extra)
			if err != nil {
				t.Fatal(err)
			}
			// const (or no row at all: "Impossible WHERE noticed after
			// reading const tables") is one probe of the unique index; ALL is
			// a read of the table.
			if typ.String == "ALL" || (typ.Valid && typ.String != "const") {
				t.Errorf("round %d: the token look-up's plan is %q (%s), want one probe of the unique index", round, typ.String, extra.String)
			}
			db.Close()
		}
	})
}

func hashIndexes(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_type = 'HASH'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
