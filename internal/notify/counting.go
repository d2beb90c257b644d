package notify

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/attestation"
	"certlink/ent/competency"
	"certlink/ent/competencyoption"
	"certlink/ent/profile"
	"certlink/ent/requirement"
	"certlink/ent/result"
	"certlink/ent/user"
)

// CountingProgress computes requirement states straight from the catalog, the
// organization's active links and their results (C2, C3): a SKILL requirement
// counts the distinct linked people holding a valid skill of its set; an
// ATTESTED one follows the newest attestation. It is the small implementation the
// seam needs until the competency engine is plugged in.
type CountingProgress struct{}

type holder struct {
	userID int
	name   string
	skill  string
	until  *time.Time // nil: valid without end
}

// Requirements implements ProgressSource.
func (CountingProgress) Requirements(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]RequirementState, error) {
	comps, err := c.Competency.Query().Order(ent.Asc(competency.FieldPosition), ent.Asc(competency.FieldID)).
		WithOptions(func(q *ent.CompetencyOptionQuery) {
			q.Order(ent.Asc(competencyoption.FieldPosition), ent.Asc(competencyoption.FieldID)).
				WithRequirements(func(q *ent.RequirementQuery) {
					q.Order(ent.Asc(requirement.FieldPosition), ent.Asc(requirement.FieldID)).WithSkills()
				})
		}).All(ctx)
	if err != nil {
		return nil, err
	}
	holders, err := validHolders(ctx, c, orgID, at)
	if err != nil {
		return nil, err
	}
	var out []RequirementState
	for _, comp := range comps {
		for _, opt := range comp.Edges.Options {
			for _, req := range opt.Edges.Requirements {
				st := RequirementState{
					Key: strconv.Itoa(req.ID), Competency: comp.Name, Level: string(opt.Level),
					Option: opt.Name, Requirement: req.Description, Required: req.Required,
				}
				if req.Kind == requirement.KindATTESTED {
					a, err := c.Attestation.Query().
						Where(attestation.OrganizationID(orgID), attestation.RequirementID(req.ID)).
						Order(ent.Desc(attestation.FieldAt), ent.Desc(attestation.FieldID)).First(ctx)
					if err != nil && !ent.IsNotFound(err) {
						return nil, err
					}
					st.Met = a != nil && a.Met
					if st.Met {
						st.Current = 1
					}
				} else {
					countSkill(&st, req, holders)
				}
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// countSkill fills Current, Met and the projection of a SKILL requirement.
func countSkill(st *RequirementState, req *ent.Requirement, holders map[int][]holder) {
	best := map[int]holder{} // per person: the qualifying result valid the longest
	for _, s := range req.Edges.Skills {
		for _, h := range holders[s.ID] {
			cur, ok := best[h.userID]
			if !ok || later(h.until, cur.until) {
				best[h.userID] = h
			}
		}
	}
	st.Current = len(best)
	st.Met = st.Current >= st.Required
	if !st.Met || st.Required == 0 {
		return
	}
	var ending []holder
	for _, h := range best {
		if h.until != nil {
			ending = append(ending, h)
		}
	}
	sort.Slice(ending, func(i, j int) bool { return ending[i].until.Before(*ending[j].until) })
	// The requirement fails when the (Current-Required+1)-th validity ends.
	if k := st.Current - st.Required; k < len(ending) {
		h := ending[k]
		t := *h.until
		st.ProjectedUnmetAt = &t
		st.ProjectedCause = fmt.Sprintf("%s of %s stops counting on %s", h.skill, h.name, t.Format("January 2, 2006"))
	}
}

func later(a, b *time.Time) bool {
	if a == nil {
		return b != nil
	}
	return b != nil && a.After(*b)
}

// validHolders maps skill id → people linked to the organization now who hold a
// result of it valid at `at`.
func validHolders(ctx context.Context, c *ent.Client, orgID int, at time.Time) (map[int][]holder, error) {
	links, err := c.Association.Query().
		Where(association.OrganizationID(orgID), association.EndedAtIsNil()).
		WithUser(func(q *ent.UserQuery) { q.Where(user.DeletedAtIsNil()) }).All(ctx)
	if err != nil {
		return nil, err
	}
	owner := map[int]*ent.User{}
	for _, l := range links {
		if l.Edges.User != nil {
			owner[l.ProfileID] = l.Edges.User
		}
	}
	out := map[int][]holder{}
	if len(owner) == 0 {
		return out, nil
	}
	// A join rather than an IN list of profile ids: no parameter limit (trap 7).
	rows, err := c.Result.Query().
		Where(result.HasProfileWith(profile.HasAssociationsWith(
			association.OrganizationID(orgID), association.EndedAtIsNil())),
			result.CompletedAtLTE(at)).
		WithSkill().All(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		sk := r.Edges.Skill
		until := r.ExpiresAt
		if sk.ValidUntil != nil && (until == nil || sk.ValidUntil.Before(*until)) {
			until = sk.ValidUntil
		}
		if until != nil && !until.After(at) {
			continue
		}
		u := owner[r.ProfileID]
		if u == nil {
			continue
		}
		out[r.SkillID] = append(out[r.SkillID], holder{userID: u.ID, name: u.Name, skill: sk.Number, until: until})
	}
	return out, nil
}
