package history

import (
	"context"
	"slices"
	"strings"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/auditevent"
	"certlink/ent/predicate"
	"certlink/ent/user"
	"certlink/internal/people"
	"certlink/internal/viewer"
)

// ActorName is how an event's detail names v, who did it: an operator as
// certlink staff, never by address — the detail is read (and searched) by
// the organization the event belongs to, which knows an operator only as
// staff (PersonRef); anyone else by their address.
func ActorName(v *viewer.Viewer) string {
	if v.IsOperator() {
		return people.Staff
	}
	return v.Email
}

// NameStaff rewrites the details recorded before ActorName, which began with
// the acting operator's address, to begin with certlink staff (a one-off
// upgrade of an existing database; idempotent).
func NameStaff(ctx context.Context, c *ent.Client) error {
	ops, err := c.User.Query().Where(user.OrganizationIDIsNil()).All(ctx)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if !slices.Contains(op.Roles, string(viewer.Operator)) {
			continue
		}
		prefix := people.Email(op) + " "
		events, err := c.AuditEvent.Query().
			Where(auditevent.ActorUserID(op.ID), auditevent.DetailHasPrefix(prefix)).All(ctx)
		if err != nil {
			return err
		}
		for _, ev := range events {
			detail := people.Staff + " " + strings.TrimPrefix(ev.Detail, prefix)
			if err := c.AuditEvent.UpdateOne(ev).SetDetail(detail).Exec(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// KindNumbers sets which directory account an event's number belongs to on
// the events recorded before AuditEvent.link_kind: a Partner University
// link's events said so in their detail, every other number is an MCID (a
// one-off upgrade of an existing database; idempotent).
func KindNumbers(ctx context.Context, c *ent.Client) error {
	unset := []predicate.AuditEvent{auditevent.LinkKindIsNil(), auditevent.McidNEQ("")}
	err := c.AuditEvent.Update().Where(append(unset, auditevent.DetailHasPrefix(kindName(association.KindPARTNER_UNIVERSITY)+" "))...).
		SetLinkKind(auditevent.LinkKindPARTNER_UNIVERSITY).Exec(ctx)
	if err != nil {
		return err
	}
	return c.AuditEvent.Update().Where(unset...).SetLinkKind(auditevent.LinkKindLEARNING).Exec(ctx)
}
