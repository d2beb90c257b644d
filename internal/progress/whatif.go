package progress

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/catalog"
	"certlink/internal/counting"
	"certlink/internal/gid"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// MaxScenarioChanges bounds each list of a what-if scenario.
const MaxScenarioChanges = 100

// Scenario is a what-if question (B1): "if these people leave and these
// results are passed, where would the organization stand now?"
type Scenario struct {
	// RemoveUserIDs are work accounts of the viewer's organization treated as
	// gone: none of their results count.
	RemoveUserIDs []int
	// AddResults are planned results of profiles linked to the organization.
	AddResults []PlannedResult
}

// PlannedResult is a hypothetical exam pass or certification.
type PlannedResult struct {
	MCID, SkillNumber string
	// CompletedAt: nil or a future moment means "as if passed now" (a plan).
	CompletedAt *time.Time
	ExpiresAt   *time.Time
}

// Simulate answers a scenario with the progress it would give, computed by the
// same engine and SQL as real progress (see InScenario). The people of each
// SKILL requirement are read in the scenario too (Requirement.PeopleIDs), since
// afterwards the hypothetical world is gone.
func (s *Service) Simulate(ctx context.Context, v *viewer.Viewer, sc Scenario) (*Org, error) {
	var org *Org
	err := s.InScenario(ctx, v, sc, func(ctx context.Context, c *ent.Client, orgID int, at time.Time) error {
		// The scenario's rows are not in the kept state (InScenario writes
		// them unkept): count from the links and results themselves.
		var err error
		if org, err = s.Engine.compute(ctx, c, orgID, at, nil, oracleSource{}); err != nil {
			return err
		}
		if err := s.Engine.fillPeopleFromScratch(ctx, c, org); err != nil {
			return err
		}
		// A rehearsal reads committed rows statement by statement (MariaDB:
		// READ COMMITTED, no gap locks): a link committed between the counts
		// and the people shows in one and not the other. The answer is then
		// read again, so its current is always its people's number.
		return peopleAgree(org)
	})
	return org, err
}

// peopleAgree is store.ErrRetry when a SKILL requirement of org names
// another number of people than it counts.
func peopleAgree(org *Org) error {
	var err error
	org.each(func(_ *Competency, _ *Option, r *Requirement) {
		if r.Kind == KindSkill && len(r.PeopleIDs) != r.Current {
			err = fmt.Errorf("progress: requirement %d counts %d and names %d people: %w", r.ID, r.Current, len(r.PeopleIDs), store.ErrRetry)
		}
	})
	return err
}

// InScenario checks the viewer may ask (C7) and the scenario is the
// organization's own, applies it inside a transaction that is always rolled
// back (store.Rehearse) and lets read see that world through c, at the moment
// at. Nothing is written: no history, no mail, no notification, no live event
// (Changed is never called).
func (s *Service) InScenario(ctx context.Context, v *viewer.Viewer, sc Scenario,
	read func(ctx context.Context, c *ent.Client, orgID int, at time.Time) error) error {
	if err := Authorize(v, viewer.ScopeProgressRead); err != nil {
		return err
	}
	if len(sc.RemoveUserIDs) > MaxScenarioChanges || len(sc.AddResults) > MaxScenarioChanges {
		return apperr.New(apperr.InvalidInput, "A scenario takes at most %d people to remove and %d results to add.", MaxScenarioChanges, MaxScenarioChanges)
	}
	// The scenario's rows are written unkept (counting.Unkept): the kept
	// state (counting_spans, counting_tallies) is the organization's hottest
	// rows, which every ingest and link refreshes; a rehearsal that refreshed
	// them too held their locks while the engine ran and deadlocked with
	// ingests and other what-ifs (CONFLICT on a read). What read sees is
	// computed from the links and results themselves (the oracle statements),
	// and the rehearsal writes only its own new result rows and the leavers'
	// user rows.
	sys := counting.Unkept(viewer.System(ctx))
	now := s.Engine.Time()
	return store.Rehearse(sys, s.Client, func(tx *ent.Tx) error {
		c := tx.Client()
		if err := removePeople(sys, c, v.OrgID, sc.RemoveUserIDs, now); err != nil {
			return err
		}
		if err := addResults(sys, c, v.OrgID, sc.AddResults, now); err != nil {
			return err
		}
		return read(sys, c, v.OrgID, now)
	})
}

// removePeople marks the scenario's leavers deleted (in the rehearsal only):
// the counting statement ignores deleted work accounts.
func removePeople(ctx context.Context, c *ent.Client, orgID int, ids []int, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := c.User.Query().Where(user.IDIn(ids...), user.OrganizationID(orgID), user.DeletedAtIsNil()).IDs(ctx)
	if err != nil {
		return err
	}
	known := make(map[int]bool, len(found))
	for _, id := range found {
		known[id] = true
	}
	for i, id := range ids {
		if !known[id] {
			return apperr.New(apperr.NotFound, "removePeople[%d]: your organization has no work account with id %s.", i, gid.Show(ctx, id)).
				With("field", fmt.Sprintf("removePeople[%d]", i))
		}
	}
	return c.User.Update().Where(user.IDIn(found...)).SetDeletedAt(now).Exec(ctx)
}

// addResults stores the scenario's planned results (in the rehearsal only).
// Only profiles linked to the organization now may be used: a scenario asks
// about the organization's own people.
func addResults(ctx context.Context, c *ent.Client, orgID int, rs []PlannedResult, now time.Time) error {
	for i, r := range rs {
		field := fmt.Sprintf("addResults[%d]", i)
		mcid := strings.TrimSpace(r.MCID)
		p, err := c.Profile.Query().Where(profile.Mcid(mcid), profile.MergedIntoIDIsNil(),
			profile.HasAssociationsWith(association.OrganizationID(orgID), association.EndedAtIsNil())).First(ctx)
		if ent.IsNotFound(err) {
			return apperr.New(apperr.InvalidInput, "%s: MCID %q is not linked to your organization.", field, mcid).With("field", field)
		}
		if err != nil {
			return err
		}
		// The number as ingest reads it ("az-400" is AZ-400), or as a skill
		// stored before that spelling was the rule has it.
		sk, err := c.Skill.Query().Where(skill.NumberIn(catalog.SkillNumber(r.SkillNumber), strings.TrimSpace(r.SkillNumber))).
			Order(ent.Asc(skill.FieldID)).All(ctx)
		if err != nil {
			return err
		}
		if len(sk) == 0 {
			return apperr.New(apperr.InvalidInput, "%s: no skill has number %q.", field, r.SkillNumber).With("field", field)
		}
		k := sk[0]
		for _, x := range sk {
			if x.Number == catalog.SkillNumber(r.SkillNumber) {
				k = x
			}
		}
		if p.Kind == profile.KindPARTNER_UNIVERSITY && k.Type != skill.TypeASSESSMENT {
			return apperr.New(apperr.InvalidInput, "%s: %s is a Partner University account, which holds assessments only (L8); %s is not an assessment.", field, mcid, k.Number).With("field", field)
		}
		done := now
		if r.CompletedAt != nil && r.CompletedAt.Before(now) {
			done = r.CompletedAt.UTC().Truncate(time.Microsecond)
		}
		if r.ExpiresAt != nil && !r.ExpiresAt.After(done) {
			return apperr.New(apperr.InvalidInput, "%s: expiresAt must be after completedAt.", field).With("field", field)
		}
		held, err := c.Result.Query().Where(result.ProfileID(p.ID), result.SkillID(k.ID), result.CompletedAt(done)).Exist(ctx)
		if err != nil || held {
			return err
		}
		err = c.Result.Create().SetProfileID(p.ID).SetSkillID(k.ID).SetCompletedAt(done).
			SetNillableExpiresAt(r.ExpiresAt).SetSource("what-if").SetRecognizedAt(now).Exec(ctx)
		if err != nil {
			return err
		}
		// The latest flag (the skills report's) is not read by the counting
		// statements: left alone, so the rehearsal locks none of the
		// profile's existing results.
	}
	return nil
}
