package linking

import (
	"context"
	"slices"

	"certlink/ent"
	"certlink/ent/profile"
	"certlink/ent/user"
	"certlink/internal/apperr"
)

// LockProfiles is the first thing a transaction that starts or ends links of
// these profiles does. It writes each profile row (lock_version + 1), in
// ascending id order so that two transactions locking the same profiles never
// wait on each other in a cycle:
//
//   - on MySQL/MariaDB the write holds the row's exclusive lock until commit,
//     so every check-then-act on the profile's links (is it linked, to whom,
//     has the L6 quota room, is this link still active) reads rows no other
//     transaction can change before this one ends;
//   - on a Galera cluster row locks are local to a node, but the write is in
//     the transaction's write set: two transactions on different nodes that
//     touch the same profile conflict at commit, one fails certification
//     (error 1213) and store.InTx runs it again from the start;
//   - on SQLite transactions are serialized already; the write costs little.
//
// Reads of the links must come after it, and the time of any event the
// transaction records must be taken after it (see now in associate).
func LockProfiles(ctx context.Context, tx *ent.Tx, ids ...int) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		// An UPDATE by id, not UpdateOneID: ent's UpdateOne reads the row back
		// after writing it, a statement no caller needs.
		n, err := tx.Profile.Update().Where(profile.ID(id)).AddLockVersion(1).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			_, err := tx.Profile.Get(ctx, id) // not found: the same error UpdateOneID gives
			return err
		}
	}
	return nil
}

// LockUser is the first thing a transaction that adds something for the work
// account userID does — a link (associate), an API token — so that
// deleteUser, which locks the same row (users.actOn) and writes it before it
// ends the account's links and revokes its tokens, runs wholly before or
// wholly after it (L9). It writes the row (lock_version + 1) while the account
// is live, for LockProfiles' reasons: the row lock is held until commit, and
// on a Galera cluster the two transactions conflict at commit. It refuses,
// writing nothing, when the account was deleted. A transaction that also holds
// profiles holds the user first, in deleteUser's order.
func LockUser(ctx context.Context, tx *ent.Tx, userID int) error {
	n, err := tx.User.Update().Where(user.ID(userID), user.DeletedAtIsNil()).AddLockVersion(1).Save(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.Unauthenticated, "Your work account no longer exists.")
	}
	return nil
}
