package users

import (
	"context"

	"certlink/ent"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// actor starts every change of an organization's accounts: it holds the
// organization (store.HoldOrganization), so changes of its users' roles and
// accounts take turns, on every node of a cluster too, then
// reads the acting admin again inside the transaction. The checks that follow
// use the admin's roles as they are now, not as they were when the request
// started: two Global Admins removing each other's role, or deleting each
// other, at the same moment cannot both succeed, and an admin demoted a moment
// ago acts with what they have left. The lock is the transaction's first
// statement, so on MySQL its later reads see every change committed before it.
func (s *Service) actor(ctx context.Context, tx *ent.Tx, v *viewer.Viewer) (*viewer.Viewer, error) {
	sys := viewer.System(ctx)
	if err := store.HoldOrganization(sys, tx, v.OrgID, s.RowLocks); err != nil {
		return nil, err
	}
	q := tx.User.Query().Where(user.ID(v.UserID), user.OrganizationID(v.OrgID), user.DeletedAtIsNil())
	if s.RowLocks {
		q.ForUpdate()
	}
	me, err := q.Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Unauthenticated, "Your work account no longer exists.")
	}
	if err != nil {
		return nil, err
	}
	if me.MustChangePassword {
		return nil, apperr.PasswordChangeFirst("Choose your own password first: you signed in with a temporary one.")
	}
	now := *v
	now.Roles = nil
	for _, r := range me.Roles {
		now.Roles = append(now.Roles, viewer.Role(r))
	}
	return &now, nil
}
