package linking

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// Preview is what associating an account would do, found without changing
// anything: the MCID the credentials open, whether its link elsewhere ends
// (L5) and its association limit (L6). It says what applies to that MCID,
// not to the one the user last linked.
type Preview struct {
	Kind      Kind
	MCID      string
	Name      string
	Allowance Allowance
	// AlreadyYours: associated with this work account now (a no-op).
	AlreadyYours bool
	// Moves: linked to another work account now; that link would end.
	Moves bool
	// MovesFromOrganization names the organization it would leave, when not
	// the user's own. The MCID is theirs: they may know where it is linked.
	MovesFromOrganization string
	// AlsoEnds is the kind of the same directory account's other profile
	// when that is linked to another work account: associating ends that
	// link too (one person's accounts go to one work account). Empty: none.
	AlsoEnds Kind
	// AlsoEndsInOrganization names that link's organization, when not the
	// user's own.
	AlsoEndsInOrganization string
	// ReplaceFirst: the user has another account of this kind associated,
	// which they must remove first (associate refuses with CONFLICT).
	ReplaceFirst bool
	// Limited: associating is a new association of the account
	// (newAssociation), so L6 applies (Learning and Partner University
	// accounts alike).
	Limited bool
	// NextAfterThis is, if associated now, when the MCID could next be
	// associated; nil without a limit.
	NextAfterThis *time.Time
}

// Allowed reports whether associating would be accepted now.
func (p *Preview) Allowed(now time.Time) bool {
	return p.AlreadyYours || (!p.ReplaceFirst && (!p.Limited || p.Allowance.Allowed(now)))
}

// PreviewAssociation checks the credentials as associating would and says
// what associating would do (L3, L5, L6), changing nothing.
func (s *Service) PreviewAssociation(ctx context.Context, v *viewer.Viewer, kind Kind, in AssociateInput) (*Preview, error) {
	if err := self(v); err != nil {
		return nil, err
	}
	var (
		accountID int
		notFound  string
		err       error
	)
	if kind == Learning {
		accountID, notFound, err = s.learningAccount(ctx, v, in)
	} else if in.UseSameCredentials {
		err = apperr.New(apperr.InvalidInput, "useSameCredentials reuses the Partner University sign-in for a Learning account: for Partner University access, type its email and password.")
	} else {
		accountID, err = s.authenticate(ctx, v, in.Email, in.Password)
	}
	if err != nil {
		return nil, err
	}
	_, p, siblings, err := s.personOf(viewer.System(ctx), accountID, kind, 0, notFound)
	if err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	now := s.now()
	out := &Preview{Kind: kind, MCID: p.MCID}
	if acc, err := s.Client.DirectoryAccount.Get(sys, accountID); err == nil {
		out.Name = acc.Name
	} else if !ent.IsNotFound(err) {
		return nil, err
	}
	current, err := s.Client.Association.Query().Where(association.ActiveProfileID(p.ID)).Only(sys)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	switch {
	case current != nil && current.UserID == v.UserID:
		out.AlreadyYours = true
	case current != nil:
		out.Moves = true
		if current.OrganizationID != v.OrgID {
			org, err := s.Client.Organization.Get(sys, current.OrganizationID)
			if err != nil {
				return nil, err
			}
			out.MovesFromOrganization = org.Name
		}
	}
	if !out.AlreadyYours && len(siblings) > 0 {
		other, err := s.Client.Association.Query().
			Where(association.ActiveProfileIDIn(siblings...), association.UserIDNEQ(v.UserID)).
			First(sys)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		if other != nil {
			out.AlsoEnds = other.Kind
			if other.OrganizationID != v.OrgID {
				org, err := s.Client.Organization.Get(sys, other.OrganizationID)
				if err != nil {
					return nil, err
				}
				out.AlsoEndsInOrganization = org.Name
			}
		}
	}
	if !out.AlreadyYours {
		mine, err := s.activeLink(sys, s.Client, v.UserID, kind)
		if err != nil {
			return nil, err
		}
		out.ReplaceFirst = mine != nil
	}
	out.Limited = newAssociation(current, v)
	if out.Limited && current == nil {
		back, err := s.rejoins(sys, s.Client, p.ID, siblings, v.OrgID)
		if err != nil {
			return nil, err
		}
		out.Limited = !back
	}
	// The MCID's own allowance, whether or not this association would use it.
	starts, err := s.quotaStarts(sys, s.Client, p.ID, now)
	if err != nil {
		return nil, err
	}
	out.Allowance = s.Limits.Allow(starts, now)
	if out.Limited && !out.AlreadyYours && out.Allowance.Allowed(now) {
		next := s.Limits.Allow(append(starts, now), now).NextAllowedAt
		if !next.IsZero() {
			out.NextAfterThis = &next
		}
	}
	return out, nil
}
