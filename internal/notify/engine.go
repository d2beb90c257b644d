package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"certlink/ent"
	"certlink/internal/counting"
	"certlink/internal/progress"
)

// EngineProgress is the ProgressSource of a running certlink: the competency
// engine's own computation (progress.Engine.Compute), so at-risk detection
// counts exactly who the progress page and the report count — one rule, one
// place. It reads through the client it is given, a transaction's when called
// from Risk.
type EngineProgress struct {
	Engine *progress.Engine
}

// maxCauses bounds the people a projection names.
const maxCauses = 3

// Requirements implements ProgressSource.
func (p EngineProgress) Requirements(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]RequirementState, error) {
	return p.whole(ctx, c, orgID, at, true)
}

// MetStates is Requirements without projection causes, which the before/after
// comparison of at-risk detection does not need (MetStatesOnly is its part).
func (p EngineProgress) MetStates(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]RequirementState, error) {
	return p.whole(ctx, c, orgID, at, false)
}

// whole computes every requirement of the organization.
func (p EngineProgress) whole(ctx context.Context, c *ent.Client, orgID int, at time.Time, causes bool) ([]RequirementState, error) {
	org, err := p.Engine.Compute(ctx, c, orgID, at)
	if err != nil {
		return nil, fmt.Errorf("computing the progress of organization %d: %w", orgID, err)
	}
	return p.states(ctx, c, org, causes)
}

// MetStatesOnly implements narrowSource: MetStates of the requirements
// requirementIDs only (progress.Engine.ComputeRequirements), each state as MetStates
// gives it.
func (p EngineProgress) MetStatesOnly(ctx context.Context, c *ent.Client, orgID int, at time.Time, requirementIDs []int) ([]RequirementState, error) {
	org, err := p.Engine.ComputeRequirements(ctx, c, orgID, at, requirementIDs)
	if err != nil {
		return nil, fmt.Errorf("computing requirements %v of organization %d: %w", requirementIDs, orgID, err)
	}
	return p.states(ctx, c, org, false)
}

// CountsFor implements narrowSource: the requirements the person counts for
// at, from the kept counts — whichever of their links makes them count, so
// when one of two links ends (Learning, Partner University) it names at
// least what that link can make unmet.
func (p EngineProgress) CountsFor(ctx context.Context, c *ent.Client, orgID, userID int, at time.Time) ([]int, error) {
	return counting.CountsFor(ctx, c, orgID, userID, at)
}

// states flattens org into requirement states; causes names what each
// projection's fall is due to (a query per projected requirement).
func (p EngineProgress) states(ctx context.Context, c *ent.Client, org *progress.Org, causes bool) ([]RequirementState, error) {
	var (
		out []RequirementState
		err error
	)
	for _, comp := range org.Competencies {
		for _, lvl := range comp.Levels {
			for _, op := range lvl.Options {
				for _, r := range op.Requirements {
					st := RequirementState{
						Key: strconv.Itoa(r.ID), Competency: comp.Name, CompetencyKey: comp.Key, Level: op.Level, Option: op.Name,
						Requirement: r.Description, Required: r.Required, Current: r.Current, Met: r.Met,
					}
					if comp.Offer != nil && comp.Offer.OptionID == op.ID {
						t := comp.Offer.AnniversaryAt
						st.AtRiskBefore = &t
					}
					if r.Met && r.UnmetOn != nil {
						t := *r.UnmetOn
						st.ProjectedUnmetAt = &t
						st.AtRisk = st.AtRiskBefore != nil && comp.Offer.FallsBefore(r.UnmetOn)
						if causes {
							if st.ProjectedCause, err = p.cause(ctx, c, org.OrgID, r.ID, org.At, t); err != nil {
								return nil, err
							}
						}
					}
					out = append(out, st)
				}
			}
		}
	}
	return out, nil
}

// cause names what makes a requirement fall at unmetOn: each person who stops
// counting by then and the result that takes them out.
func (p EngineProgress) cause(ctx context.Context, c *ent.Client, orgID, requirementID int, at, unmetOn time.Time) (string, error) {
	lapses, err := p.Engine.Lapsing(ctx, c, orgID, requirementID, at, unmetOn, maxCauses+1)
	if err != nil {
		return "", err
	}
	var parts []string
	for i, l := range lapses {
		if i == maxCauses {
			parts = append(parts, "and others")
			break
		}
		parts = append(parts, fmt.Sprintf("%s of %s stops counting on %s", l.Skill, l.Name, l.Until.Format("January 2, 2006")))
	}
	return strings.Join(parts, "; "), nil
}
