package users

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/auditevent"
	"certlink/ent/legacyrecognition"
	"certlink/ent/profile"
	"certlink/internal/apperr"
	"certlink/internal/history"
	"certlink/internal/notify"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// ReminderInterval is how often one person flagged "needs association" may be
// reminded by one organization.
const ReminderInterval = 24 * time.Hour

// legacyPerson finds the profile the organization recognizes through the
// legacy path only (S3): MCID mcid, with no active link anywhere.
func (s *Service) legacyPerson(ctx context.Context, c *ent.Client, v *viewer.Viewer, mcid string) (*ent.Profile, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if !v.IsSession() || !v.IsCompetencyAdmin() {
		return nil, apperr.New(apperr.Forbidden, "Only a Global Admin or MPN Partner Admin can chase or remove people who need to associate.")
	}
	mcid = strings.TrimSpace(mcid)
	notFound := apperr.New(apperr.NotFound, "Nobody with MCID %q needs association in your skills report.", mcid)
	p, err := c.Profile.Query().Where(profile.Mcid(mcid), profile.MergedIntoIDIsNil()).WithAccount().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	recognized, err := c.LegacyRecognition.Query().
		Where(legacyrecognition.OrganizationID(v.OrgID), legacyrecognition.ProfileID(p.ID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	linked, err := c.Association.Query().Where(association.ActiveProfileID(p.ID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !recognized || linked || p.Edges.Account == nil {
		return nil, notFound
	}
	return p, nil
}

// RemindToAssociate mails a person the skills report flags "needs
// association" (S3), at their certification profile's sign-in, asking them to
// associate it in certlink. Once per ReminderInterval per organization and MCID.
func (s *Service) RemindToAssociate(ctx context.Context, v *viewer.Viewer, mcid string) (string, error) {
	sys := viewer.System(ctx)
	var to string
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		p, err := s.legacyPerson(sys, tx.Client(), v, mcid)
		if err != nil {
			return err
		}
		now := s.now()
		last, err := tx.AuditEvent.Query().Where(auditevent.OrganizationID(v.OrgID), auditevent.McidEQ(p.Mcid),
			auditevent.Action(history.ReminderSent), auditevent.AtGT(now.Add(-ReminderInterval))).
			Order(ent.Desc(auditevent.FieldAt)).First(sys)
		if err != nil && !ent.IsNotFound(err) {
			return err
		}
		if last != nil {
			return apperr.New(apperr.Conflict, "%s was reminded on %s; you can remind them again from %s.",
				p.Edges.Account.Name, last.At.UTC().Format("January 2, 2006 15:04 MST"),
				last.At.Add(ReminderInterval).UTC().Format("January 2, 2006 15:04 MST"))
		}
		org, err := tx.Organization.Get(sys, v.OrgID)
		if err != nil {
			return err
		}
		acc := p.Edges.Account
		to = acc.Email
		body := fmt.Sprintf("Hello %s,\n\n%s counts your certifications (MCID %s) through an old path that is going away. "+
			"To keep counting for %s, sign in to certlink with your work account and associate your Microsoft Learning account on My profile:\n\n%s\n\n"+
			"%s (%s) asked us to remind you.\n\n— certlink",
			acc.Name, org.Name, p.Mcid, org.Name, strings.TrimRight(s.PublicURL, "/")+"/profile", v.Name, v.Email)
		// No work account receives it: the mail is the sending organization's.
		if err := notify.Enqueue(sys, tx.Client(), notify.Mail{To: to, OrgID: v.OrgID,
			Subject:   fmt.Sprintf("%s asks you to associate your Microsoft Learning account", org.Name),
			Body:      body,
			DedupeKey: fmt.Sprintf("remind/o%d/p%d/%d", v.OrgID, p.ID, now.Unix()),
		}, now); err != nil {
			return err
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.ReminderSent, ActorID: v.UserID,
			OrgID: v.OrgID, MCID: p.Mcid, At: now,
			Detail: fmt.Sprintf("%s reminded %s (%s) to associate their Learning account.", v.Email, acc.Name, acc.Email)})
	})
	if err != nil {
		return "", err
	}
	s.wake()
	return to, nil
}

// RemoveLegacyRecognition takes a person flagged "needs association" out of
// the organization's skills report (S3): the organization stops recognizing
// their MCID through the legacy path. History keeps it.
func (s *Service) RemoveLegacyRecognition(ctx context.Context, v *viewer.Viewer, mcid string) error {
	sys := viewer.System(ctx)
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		p, err := s.legacyPerson(sys, tx.Client(), v, mcid)
		if err != nil {
			return err
		}
		if _, err := forgetLegacy(sys, tx, v.OrgID, p.ID); err != nil {
			return err
		}
		acc := p.Edges.Account
		return history.Record(sys, tx.Client(), history.Event{Action: history.LegacyRemoved, ActorID: v.UserID,
			OrgID: v.OrgID, MCID: p.Mcid, At: s.now(),
			Detail: fmt.Sprintf("%s removed %s (%s), recognized through the legacy path, from the skills report.", v.Email, acc.Name, acc.Email)})
	})
	if err != nil {
		return err
	}
	s.changed(v.OrgID)
	return nil
}

// forgetLegacy ends organization orgID's recognition of a profile through
// the legacy path (S3): the one place it ends, for an admin's removal and
// for a leaver's (endLegacy). n is how many rows it removed.
func forgetLegacy(ctx context.Context, tx *ent.Tx, orgID, profileID int) (int, error) {
	return tx.LegacyRecognition.Delete().Where(legacyrecognition.OrganizationID(orgID),
		legacyrecognition.ProfileID(profileID)).Exec(ctx)
}
