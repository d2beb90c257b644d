package store

import (
	"context"

	"certlink/ent"
)

// HoldOrganization makes tx the only transaction changing organization
// orgID's accounts, attestations or offers until it ends: it writes the
// organization's lock row (OrganizationLock), made the first time. On
// MySQL/MariaDB the write holds the row; on a Galera cluster two such
// transactions through two nodes write one row, so one of them fails at
// commit and runs again after the other (a SELECT … FOR UPDATE is not
// certified across nodes). The organization's own row is not the lock:
// every row inserted for it reads that row for its foreign key, and
// holding it made them wait, and made a cluster node abort the holder.
// SQLite's write transactions are serialized already: rowLocks false does
// nothing.
func HoldOrganization(ctx context.Context, tx *ent.Tx, orgID int, rowLocks bool) error {
	if !rowLocks {
		return nil
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO organization_locks (organization_id, version) VALUES (?, 1) ON DUPLICATE KEY UPDATE version = version + 1", orgID)
	return err
}
