package history

import (
	"context"
	"strings"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/auditevent"
	"certlink/ent/predicate"
	"certlink/ent/profile"
	"certlink/internal/apperr"
	"certlink/internal/page"
	"certlink/internal/viewer"
)

// Service serves the history to the people allowed to read it.
type Service struct{ Client *ent.Client }

// LinkHistory returns an MCID's history, oldest first, as far as v may see it:
// its owner (a work account that linked it) sees the entries about themself,
// the admins of an organization see their organization's part, operators all.
// An MCID with no entry the viewer may see is NOT_FOUND, so its existence does
// not leak.
func (s *Service) LinkHistory(ctx context.Context, v *viewer.Viewer, mcid string) ([]*ent.AuditEvent, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	mcid = strings.TrimSpace(mcid)
	notFound := apperr.New(apperr.NotFound, "There is no history you can see for MCID %q.", mcid)
	sys := viewer.System(ctx)
	var visible []predicate.AuditEvent
	switch {
	case v.IsOperator() && v.Kind == viewer.KindUser:
		visible = append(visible, auditevent.McidEQ(mcid))
	default:
		if v.UserID != 0 && v.Kind == viewer.KindUser {
			owner, err := s.Client.Association.Query().
				Where(association.UserID(v.UserID), association.HasProfileWith(profile.Mcid(mcid))).Exist(sys)
			if err != nil {
				return nil, err
			}
			if owner {
				visible = append(visible, auditevent.UserID(v.UserID))
			}
		}
		if v.OrgID != 0 && (v.IsUserAdmin() || v.IsCompetencyAdmin()) && v.HasScope(viewer.ScopeAuditRead) {
			visible = append(visible, auditevent.OrganizationID(v.OrgID))
		}
	}
	if len(visible) == 0 {
		return nil, notFound
	}
	events, err := s.Client.AuditEvent.Query().
		Where(auditevent.McidEQ(mcid), auditevent.Or(visible...)).
		Order(ent.Asc(auditevent.FieldAt), ent.Asc(auditevent.FieldID)).
		Limit(1000).All(sys)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, notFound
	}
	return events, nil
}

// AuditLog is the organization's whole history, newest first, for its Global
// Admins (and their partner tools holding AUDIT_READ).
func (s *Service) AuditLog(ctx context.Context, v *viewer.Viewer, r page.Request) (page.Page[*ent.AuditEvent], error) {
	var p page.Page[*ent.AuditEvent]
	if v == nil {
		return p, apperr.ErrUnauthenticated
	}
	if v.OrgID == 0 || !v.Has(viewer.GlobalAdmin) || !v.HasScope(viewer.ScopeAuditRead) {
		return p, apperr.New(apperr.Forbidden, "Only a Global Admin can read the organization's audit log.")
	}
	sys := viewer.System(ctx)
	q := s.Client.AuditEvent.Query().Where(auditevent.OrganizationID(v.OrgID))
	total, err := q.Clone().Count(sys)
	if err != nil {
		return p, err
	}
	if r.After > 0 {
		q.Where(auditevent.IDLT(r.After))
	}
	rows, err := q.Order(ent.Desc(auditevent.FieldID)).Limit(r.Size() + 1).All(sys)
	if err != nil {
		return p, err
	}
	return page.Cut(rows, r, total), nil
}
