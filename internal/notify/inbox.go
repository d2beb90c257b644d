package notify

import (
	"context"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/devmail"
	"certlink/ent/notification"
	"certlink/internal/apperr"
	"certlink/internal/gid"
	"certlink/internal/page"
	"certlink/internal/viewer"
)

// Inbox serves a person's in-app notifications and the dev mailbox.
type Inbox struct {
	Client *ent.Client
	Now    func() time.Time
}

func person(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if v.UserID == 0 || v.Kind != viewer.KindUser {
		return apperr.New(apperr.Forbidden, "Notifications belong to people: sign in with your work account.")
	}
	return nil
}

// Notifications lists the viewer's notifications, newest first.
func (b *Inbox) Notifications(ctx context.Context, v *viewer.Viewer, r page.Request) (page.Page[*ent.Notification], error) {
	var p page.Page[*ent.Notification]
	if err := person(v); err != nil {
		return p, err
	}
	sys := viewer.System(ctx)
	q := b.Client.Notification.Query().Where(notification.UserID(v.UserID))
	total, err := q.Clone().Count(sys)
	if err != nil {
		return p, err
	}
	if r.After > 0 {
		q.Where(notification.IDLT(r.After))
	}
	rows, err := q.Order(ent.Desc(notification.FieldID)).Limit(r.Size() + 1).All(sys)
	if err != nil {
		return p, err
	}
	return page.Cut(rows, r, total), nil
}

// MarkRead marks the viewer's notifications with these ids read and returns
// how many were unread. An id that is not one of the viewer's notifications
// (another person's, another kind of object, none at all: the answer does not
// tell them apart) refuses the whole call with NOT_FOUND naming it, and marks
// nothing. Notifications never change hands, so the check needs no lock.
func (b *Inbox) MarkRead(ctx context.Context, v *viewer.Viewer, ids []int) (int, error) {
	if err := person(v); err != nil {
		return 0, err
	}
	if len(ids) > page.Max {
		return 0, apperr.New(apperr.InvalidInput, "Mark at most %d notifications at once.", page.Max)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	sys := viewer.System(ctx)
	own, err := b.Client.Notification.Query().
		Where(notification.UserID(v.UserID), notification.IDIn(ids...)).IDs(sys)
	if err != nil {
		return 0, err
	}
	mine := make(map[int]bool, len(own))
	for _, id := range own {
		mine[id] = true
	}
	var missing []string
	for _, id := range ids {
		if !mine[id] {
			missing = append(missing, gid.Show(ctx, id))
			mine[id] = true // named once
		}
	}
	if len(missing) > 0 {
		return 0, apperr.New(apperr.NotFound, "Not among your notifications: %s. Nothing was marked.", strings.Join(missing, ", "))
	}
	now := time.Now().UTC()
	if b.Now != nil {
		now = b.Now().UTC()
	}
	return b.Client.Notification.Update().
		Where(notification.UserID(v.UserID), notification.IDIn(ids...), notification.ReadAtIsNil()).
		SetReadAt(now).Save(sys)
}

// InviteMailPrefix begins the dedupe key of an invitation mail (users).
const InviteMailPrefix = "invite/"

// DevMailbox lists the mail the embedded default "sent" instead of using SMTP,
// newest first: operators see all of it, an organization's competency admins
// their organization's mail (its other user admins the invitations only) — to its work accounts (by id, whatever address they
// had or have) and what it sent to people with none. Never by address:
// addresses are corrected and freed, and a reused one must not bring another
// organization's mail with it (issue 11 item 10a).
func (b *Inbox) DevMailbox(ctx context.Context, v *viewer.Viewer, r page.Request) (page.Page[*ent.DevMail], error) {
	var p page.Page[*ent.DevMail]
	if err := person(v); err != nil {
		return p, err
	}
	sys := viewer.System(ctx)
	q := b.Client.DevMail.Query()
	switch {
	case v.IsOperator():
		// Platform staff, in no organization, see no organization's
		// competencies (C7), so none of its mail: mail to themselves, and
		// mail kept before mail carried an organization (review: every
		// organization's at-risk mail was theirs to read).
		q.Where(devmail.Or(devmail.RecipientUserID(v.UserID), devmail.OrganizationIDIsNil()))
	case v.IsCompetencyAdmin():
		q.Where(devmail.OrganizationID(v.OrgID))
	case v.IsUserAdmin():
		// An account or user management admin sees competencies nowhere
		// (C7), so not in the at-risk mail or the association reminders
		// either: the invitations they send, and mail to themselves.
		q.Where(devmail.OrganizationID(v.OrgID), devmail.Or(
			devmail.DedupeKeyHasPrefix(InviteMailPrefix), devmail.RecipientUserID(v.UserID)))
	default:
		return p, apperr.New(apperr.Forbidden, "Only admins can read the dev mailbox.")
	}
	total, err := q.Clone().Count(sys)
	if err != nil {
		return p, err
	}
	if r.After > 0 {
		q.Where(devmail.IDLT(r.After))
	}
	rows, err := q.Order(ent.Desc(devmail.FieldID)).Limit(r.Size() + 1).All(sys)
	if err != nil {
		return p, err
	}
	return page.Cut(rows, r, total), nil
}

// Unread counts the viewer's unread notifications.
func (b *Inbox) Unread(ctx context.Context, v *viewer.Viewer) (int, error) {
	if err := person(v); err != nil {
		return 0, err
	}
	return b.Client.Notification.Query().Where(notification.UserID(v.UserID), notification.ReadAtIsNil()).Count(viewer.System(ctx))
}
