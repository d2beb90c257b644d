package users

import (
	"context"
	"fmt"
	"slices"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/token"
	"certlink/internal/apperr"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/people"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Delete deletes a work account (L9). In one transaction it ends the user's
// links (USER_DELETED: they leave progress and the skills report at once), revokes
// every session and API token of theirs and marks the account deleted. The row
// stays for history; its email and OIDC subject are released so the person can
// be invited again one day.
func (s *Service) Delete(ctx context.Context, v *viewer.Viewer, id int) error {
	if err := canManage(v); err != nil {
		return err
	}
	if id == v.UserID {
		return apperr.New(apperr.Conflict, "You cannot delete your own work account: ask another admin.")
	}
	sys := viewer.System(ctx)
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		v, t, err := s.actOn(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if slices.Contains(t.Roles, string(viewer.GlobalAdmin)) {
			if err := s.notLastGlobalAdmin(sys, tx, v.OrgID, t.ID); err != nil {
				return err
			}
		}
		now := s.now()
		if err := s.endLinks(sys, tx, t.ID, association.EndReasonUSER_DELETED, v.UserID); err != nil {
			return err
		}
		if err := tx.Token.Update().Where(token.UserID(t.ID), token.RevokedAtIsNil()).SetRevokedAt(now).Exec(sys); err != nil {
			return err
		}
		err = tx.User.UpdateOne(t).SetDeletedAt(now).
			SetEmail(clip(people.DeletedEmail(t.ID, t.Email), 254)).
			ClearOidcSubject().SetPasswordHash("").Exec(sys)
		if err != nil {
			return err
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.UserDeleted, ActorID: v.UserID,
			OrgID: v.OrgID, UserID: t.ID, At: now,
			Detail: fmt.Sprintf("%s deleted the work account of %s (%s).", v.Email, t.Name, t.Email)})
	})
	if err != nil {
		return err
	}
	s.changed(v.OrgID)
	s.wake()
	return nil
}

// RemoveFromReport takes a person out of the skills report and progress at once
// (L9) by ending their links (REPORT_REMOVED); the work account stays. Competency
// admins — those who see the report (C7) — may do it.
func (s *Service) RemoveFromReport(ctx context.Context, v *viewer.Viewer, id int) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if !v.IsSession() || !v.IsCompetencyAdmin() {
		return apperr.New(apperr.Forbidden, "Only a Global Admin or MPN Partner Admin can remove people from the skills report.")
	}
	sys := viewer.System(ctx)
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		v, err := s.actor(ctx, tx, v)
		if err != nil {
			return err
		}
		if !v.IsCompetencyAdmin() {
			return apperr.New(apperr.Forbidden, "Only a Global Admin or MPN Partner Admin can remove people from the skills report.")
		}
		t, err := s.target(ctx, tx.Client(), v, id, true)
		if err != nil {
			return err
		}
		if t.ID != v.UserID {
			if err := mayActOn(v, t.Roles); err != nil {
				return err
			}
		}
		n, err := tx.Association.Query().Where(association.UserID(t.ID), association.ActiveUserSlotNotNil()).Count(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "%s has no linked account, so is not in the skills report.", t.Email)
		}
		return s.endLinks(sys, tx, t.ID, association.EndReasonREPORT_REMOVED, v.UserID)
	})
	if err != nil {
		return err
	}
	s.changed(v.OrgID)
	s.wake()
	return nil
}

// endLinks ends every active link of a user through linking.EndInTx, so history
// and at-risk detection hear of each.
func (s *Service) endLinks(ctx context.Context, tx *ent.Tx, userID int, cause association.EndReason, actor int) error {
	q := tx.Association.Query().Where(association.UserID(userID), association.ActiveUserSlotNotNil()).
		Order(ent.Asc(association.FieldID))
	if s.RowLocks {
		q.ForUpdate()
	}
	links, err := q.All(ctx)
	if err != nil {
		return err
	}
	// Hold the linked profiles as every link change does: on a Galera
	// cluster the FOR UPDATE above locks this node only.
	ids := make([]int, len(links))
	for i, a := range links {
		ids[i] = a.ProfileID
	}
	if err := linking.LockProfiles(ctx, tx, ids...); err != nil {
		return err
	}
	for _, a := range links {
		if err := linking.EndInTx(ctx, tx, a, cause, actor, s.now(), s.Observers); err != nil {
			return err
		}
		if err := s.endLegacy(ctx, tx, a, actor); err != nil {
			return err
		}
	}
	return nil
}

// endLegacy ends the organization's legacy recognition (S3) of a profile
// whose link a leaver's deletion or a removal from the report ended: the
// person leaves the report at once (L9), and does not come back into it as
// "needs association" through that older path.
func (s *Service) endLegacy(ctx context.Context, tx *ent.Tx, a *ent.Association, actor int) error {
	n, err := forgetLegacy(ctx, tx, a.OrganizationID, a.ProfileID)
	if err != nil || n == 0 {
		return err
	}
	p, err := tx.Profile.Get(ctx, a.ProfileID)
	if err != nil {
		return err
	}
	return history.Record(ctx, tx.Client(), history.Event{Action: history.LegacyRemoved, ActorID: actor,
		OrgID: a.OrganizationID, UserID: a.UserID, MCID: p.Mcid, At: s.now(),
		Detail: fmt.Sprintf("MCID %s is no longer recognized through the legacy path either: its holder left the skills report.", p.Mcid)})
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
