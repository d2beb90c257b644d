package reliability_test

import (
	"context"
	"testing"
	"time"

	"certlink/internal/store"
)

// drainOutbox waits until every outbox message is marked sent, then asserts that
// the dev mailbox holds each exactly once and nothing else (N2).
func drainOutbox(t *testing.T, db *store.DB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for count(t, db, `SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL`) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d outbox messages still unsent after %s", count(t, db, `SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL`), timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sent := count(t, db, `SELECT COUNT(*) FROM outbox_messages`)
	mails := count(t, db, `SELECT COUNT(*) FROM dev_mails`)
	if sent != mails {
		t.Errorf("%d outbox messages sent, %d mails in the dev mailbox", sent, mails)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM dev_mails d WHERE NOT EXISTS
		(SELECT 1 FROM outbox_messages o WHERE o.dedupe_key = d.dedupe_key AND o.to_address = d.to_address)`); n != 0 {
		t.Errorf("%d mails without their outbox message", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM (SELECT dedupe_key FROM dev_mails GROUP BY dedupe_key HAVING COUNT(*) > 1) x`); n != 0 {
		t.Errorf("%d mails delivered twice", n)
	}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
