package progress

import (
	"context"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Loss is a requirement met now that ending some links would leave unmet.
type Loss struct {
	CompetencyID  int
	Level, Option string
	Requirement   string
	Required      int
	Current       int // people counting now
	After         int // people counting afterwards
	// OptionLost: the option is met now and would not be.
	OptionLost bool
}

// Impact is what ending a person's links would cost their organization.
type Impact struct {
	// CountsTowards is how many requirements the person counts towards now.
	CountsTowards int
	// Losses are the requirements that would lose their tick, in catalog
	// order; empty when DetailsVisible is false.
	Losses    []Loss
	LossCount int
	// DetailsVisible is false for whoever may not see competencies (C7): a
	// person asking about their own link, a user admin who may act on the
	// person; they learn how many, not which.
	DetailsVisible bool
}

// EndingImpact says, before Remove access (userID 0: the viewer's own link of
// kind, both kinds when kind is nil), Delete user or Remove from report
// (userID: a work account of the viewer's organization), which requirements
// would lose their tick (L7, L9). The links end in a transaction that is
// rolled back (store.Rehearse): the same engine and SQL as real progress,
// nothing written.
func (s *Service) EndingImpact(ctx context.Context, v *viewer.Viewer, userID int, kind *association.Kind) (*Impact, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if v.Kind != viewer.KindUser || v.UserID == 0 || v.OrgID == 0 {
		return nil, apperr.New(apperr.Forbidden, "Only a person signed in with their work account can ask what removing links would change.")
	}
	out := &Impact{}
	if userID == 0 {
		userID = v.UserID
	}
	sys := viewer.System(ctx)
	if userID != v.UserID {
		if !v.IsUserAdmin() && !v.IsCompetencyAdmin() {
			return nil, apperr.New(apperr.Forbidden, "Only admins can ask what deleting a user or removing them from the skills report would change.")
		}
		ok, err := s.Client.User.Query().Where(user.ID(userID), user.OrganizationID(v.OrgID), user.DeletedAtIsNil()).Exist(sys)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.New(apperr.NotFound, "There is no such user in your organization.")
		}
	}
	// Which requirements, with their counts, is competency progress (C7):
	// a person asking about their own link, or a user admin, learns how
	// many (a review read the organization's progress as a default user).
	out.DetailsVisible = v.IsCompetencyAdmin()
	q := s.Client.Association.Query().Where(association.UserID(userID), association.OrganizationID(v.OrgID), association.ActiveUserSlotNotNil())
	if kind != nil {
		q.Where(association.KindEQ(*kind))
	}
	links, err := q.All(sys)
	if err != nil || len(links) == 0 {
		return out, err
	}
	at := s.Engine.Time()
	var ids []int
	seen := map[int]bool{}
	for _, l := range links {
		towards, err := s.Engine.CountsTowards(sys, s.Client, v.OrgID, l.ProfileID, at)
		if err != nil {
			return nil, err
		}
		for _, id := range towards {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	out.CountsTowards = len(ids)
	if len(ids) == 0 {
		return out, nil
	}
	before, err := s.Engine.Compute(sys, s.Client, v.OrgID, at)
	if err != nil {
		return nil, err
	}
	var after *Org
	err = store.Rehearse(sys, s.Client, func(tx *ent.Tx) error {
		linkIDs := make([]int, len(links))
		for i, l := range links {
			linkIDs[i] = l.ID
		}
		if err := tx.Association.Update().Where(association.IDIn(linkIDs...)).
			SetEndedAt(at).ClearActiveProfileID().ClearActiveUserSlot().Exec(sys); err != nil {
			return err
		}
		after, err = s.Engine.ComputeOnly(sys, tx.Client(), v.OrgID, at, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	before.each(func(c *Competency, op *Option, r *Requirement) {
		if !seen[r.ID] || !r.Met {
			return
		}
		_, _, ra := after.Requirement(r.ID)
		if ra == nil || ra.Met {
			return
		}
		out.LossCount++
		if !out.DetailsVisible {
			return
		}
		out.Losses = append(out.Losses, Loss{CompetencyID: c.ID, Level: op.Level, Option: op.Name,
			Requirement: r.Description, Required: r.Required, Current: r.Current, After: ra.Current, OptionLost: op.Met})
	})
	return out, nil
}
