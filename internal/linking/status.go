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

// StatusOf returns the links My profile shows for a user: one statement for
// the links, their profiles and sign-ins (it answers every linking mutation).
func (s *Service) StatusOf(ctx context.Context, userID int) (Status, error) {
	sys := viewer.System(ctx)
	var st Status
	rows, err := s.Client.QueryContext(sys, `SELECT a.kind, a.started_at, p.id, p.mcid, p.account_id, d.email, d.name
FROM associations a JOIN profiles p ON p.id = a.profile_id JOIN directory_accounts d ON d.id = p.account_id
WHERE a.active_user_slot IN (?, ?)`, UserSlot(userID, Learning), UserSlot(userID, PartnerUniversity))
	if err != nil {
		return st, err
	}
	defer rows.Close()
	puAccount := 0
	for rows.Next() {
		var (
			kind    string
			l       Link
			account int
		)
		if err := rows.Scan(&kind, &l.LinkedAt, &l.ProfileID, &l.MCID, &account, &l.Email, &l.Name); err != nil {
			return st, err
		}
		if Kind(kind) == Learning {
			st.Learning = &l
		} else {
			st.PartnerUniversity, puAccount = &l, account
		}
	}
	if err := rows.Close(); err != nil {
		return st, err
	}
	if st.PartnerUniversity != nil {
		// A Learning profile merged into another is the survivor's (pick).
		n, err := s.Client.Profile.Query().
			Where(profile.AccountID(puAccount), profile.KindEQ(profile.KindLEARNING)).Count(sys)
		if err != nil {
			return st, err
		}
		st.PartnerUniversity.SameCredentialsAvailable = n > 0
	}
	return st, nil
}

// AllowanceOf is L6 for the profile of kind the user has linked now (active,
// from StatusOf), or linked last; a full allowance when never.
func (s *Service) AllowanceOf(ctx context.Context, userID int, kind Kind, active *Link) (Allowance, error) {
	ctx = viewer.System(ctx)
	if active != nil {
		return s.allowance(ctx, s.Client, active.ProfileID, s.now())
	}
	last, err := s.Client.Association.Query().
		Where(association.UserID(userID), association.KindEQ(kind)).
		Order(ent.Desc(association.FieldStartedAt)).First(ctx)
	if ent.IsNotFound(err) {
		return Allowance{Remaining: s.Limits.PerYear, Never: true}, nil
	}
	if err != nil {
		return Allowance{}, err
	}
	// A profile an MCID merge made a duplicate is its survivor now (merges
	// point every merged profile at the live one): the survivor's lineage
	// holds the duplicate's associations, and its allowance is the person's,
	// as previewAssociation and the survivor's holder see it.
	profileID := last.ProfileID
	if into, err := s.Client.Profile.Query().Where(profile.ID(profileID), profile.MergedIntoIDNotNil()).
		Select(profile.FieldMergedIntoID).Ints(ctx); err != nil {
		return Allowance{}, err
	} else if len(into) == 1 {
		profileID = into[0]
	}
	a, err := s.allowance(ctx, s.Client, profileID, s.now())
	if err != nil || a.NextAllowedAt.IsZero() {
		return a, err
	}
	// The MCID may have moved on to a colleague: taking it back within the
	// organization is no new association (L6), so it is allowed now, as
	// previewAssociation and associating say. (A work account never changes
	// organization: its last link's is its own.)
	held, err := s.Client.Association.Query().
		Where(association.ActiveProfileID(profileID), association.OrganizationID(last.OrganizationID)).
		Exist(ctx)
	if err != nil {
		return Allowance{}, err
	}
	if !held {
		// Or its link ended because the person's other account went to a
		// colleague here: taking it back is no new association either.
		p, err := s.Client.Profile.Get(ctx, profileID)
		if err != nil {
			return Allowance{}, err
		}
		person, err := ReadPerson(ctx, s.Client, p.AccountID)
		if err != nil {
			return Allowance{}, err
		}
		var siblings []int
		for _, q := range person.Live {
			if q.ID != p.ID {
				siblings = append(siblings, q.ID)
			}
		}
		if held, err = s.rejoins(ctx, s.Client, p.ID, siblings, last.OrganizationID); err != nil {
			return Allowance{}, err
		}
	}
	if held {
		a.NextAllowedAt = time.Time{}
	}
	return a, nil
}
