package linking

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/internal/viewer"
)

// Link is an active association as My profile shows it.
type Link struct {
	ProfileID int
	MCID      string
	Email     string // the directory sign-in
	Name      string
	LinkedAt  time.Time
	// SameCredentialsAvailable: for Partner University links, the sign-in also
	// holds a Learning profile (L4).
	SameCredentialsAvailable bool
}

// Status is a work account's active links. Their L6 allowances are read
// apart (AllowanceOf), only when asked for.
type Status struct {
	Learning, PartnerUniversity *Link
}

// Active is the link of kind, nil when none.
func (st Status) Active(kind Kind) *Link {
	if kind == PartnerUniversity {
		return st.PartnerUniversity
	}
	return st.Learning
}

// StatusOf returns the links My profile shows for a user.
func (s *Service) StatusOf(ctx context.Context, userID int) (Status, error) {
	sys := viewer.System(ctx)
	var st Status
	links, err := s.Client.Association.Query().
		Where(association.UserID(userID), association.ActiveUserSlotNotNil()).
		WithProfile(func(q *ent.ProfileQuery) { q.WithAccount() }).
		All(sys)
	if err != nil {
		return st, err
	}
	for _, a := range links {
		p := a.Edges.Profile
		l := &Link{ProfileID: p.ID, MCID: p.Mcid, LinkedAt: a.StartedAt}
		if acc := p.Edges.Account; acc != nil {
			l.Email, l.Name = acc.Email, acc.Name
		}
		if a.Kind == Learning {
			st.Learning = l
		} else {
			n, err := s.Client.Profile.Query().
				Where(profile.AccountID(p.AccountID), profile.KindEQ(profile.KindLEARNING)).Count(sys)
			if err != nil {
				return st, err
			}
			l.SameCredentialsAvailable = n > 0
			st.PartnerUniversity = l
		}
	}
	return st, nil
}

// AllowanceOf is L6 for the profile of kind the user has linked now (active,
// from StatusOf), or linked last; a full allowance when never.
func (s *Service) AllowanceOf(ctx context.Context, userID int, kind Kind, active *Link) (Allowance, error) {
	ctx = viewer.System(ctx)
	profileID := 0
	if active != nil {
		profileID = active.ProfileID
	} else {
		last, err := s.Client.Association.Query().
			Where(association.UserID(userID), association.KindEQ(kind)).
			Order(ent.Desc(association.FieldStartedAt)).First(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return Allowance{}, err
		}
		if last != nil {
			profileID = last.ProfileID
		}
	}
	if profileID == 0 {
		return Allowance{Remaining: s.Limits.PerYear}, nil
	}
	return s.allowance(ctx, s.Client, profileID, s.now())
}
