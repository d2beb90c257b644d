package store

import (
	"database/sql"
	"fmt"
)

// ScanCounts scans the current row of rows, every column a count, into dst.
// A count is never NULL, yet MariaDB on a Galera node sends one: when the
// cluster aborts a transaction mid-statement (a conflicting write set
// replicated from another node), the scalar subquery it was computing comes
// back NULL in the row, with the abort after it or at the next statement.
// Such a row is no answer: ScanCounts reads on to the server's error and
// returns it (a deadlock, 1213, which InTx retries and at last answers with
// CONFLICT), or ErrRetry when none came yet. Found by an outside review:
// associations answered INTERNAL on a cluster under load.
func ScanCounts(rows *sql.Rows, dst ...*int) error {
	ns := make([]sql.NullInt64, len(dst))
	ptrs := make([]any, len(dst))
	for i := range ns {
		ptrs[i] = &ns[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return err
	}
	for i, n := range ns {
		if !n.Valid {
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("a count came back NULL, then: %w", err)
			}
			return fmt.Errorf("a count came back NULL (column %d): the transaction was aborted meanwhile: %w", i, ErrRetry)
		}
		*dst[i] = int(n.Int64)
	}
	return nil
}
