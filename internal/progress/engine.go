package progress

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/attestation"
	"certlink/ent/offerpurchase"
	"certlink/ent/requirement"
	"certlink/internal/catalogrev"
	"certlink/internal/viewer"
)

// DefaultAtRiskWindow is how far ahead a competency without a purchased offer is
// projected (C5): QUALIFIED becomes AT_RISK when every met option would stop
// being met within it.
const DefaultAtRiskWindow = 90 * 24 * time.Hour

// Engine computes progress. It checks no permissions: callers do (Service).
type Engine struct {
	// Now is the clock; tests inject one. Nil means time.Now.
	Now func() time.Time
	// AtRiskWindow: see DefaultAtRiskWindow. Zero means the default.
	AtRiskWindow time.Duration

	// catalogCache keeps the catalog tree per catalog revision (catalog.go).
	catalogCache catalogrev.Cache[*catalogTree]
}

// Time returns the engine's current time in UTC.
func (e *Engine) Time() time.Time {
	if e != nil && e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// AtRiskFrom is the first moment at which a met option of a competency
// without an offer, projected to become unmet at unmetOn, falls within
// AtRiskWindow (C5, status): a nanosecond after unmetOn - window.
func (e *Engine) AtRiskFrom(unmetOn time.Time) time.Time {
	return unmetOn.Add(-e.window()).Add(time.Nanosecond)
}

func (e *Engine) window() time.Duration {
	if e.AtRiskWindow > 0 {
		return e.AtRiskWindow
	}
	return DefaultAtRiskWindow
}

// Compute returns the progress of organization orgID at the moment at. c may be
// a transaction's client (tx.Client()), so that code changing who counts can
// compare progress before and after inside its transaction (N1).
//
// Status (C5), decided per competency:
//   - an offer in force (purchased, anniversary not reached): ACTIVE when its
//     option is met and not projected to become unmet before the anniversary,
//     AT_RISK when met and projected to, REQUIREMENTS_UNMET when unmet now;
//   - no offer, some option met: QUALIFIED, or AT_RISK when every met option is
//     projected to become unmet within AtRiskWindow (90 days);
//   - otherwise IN_PROGRESS when anything counts (a person, an attestation),
//     else NOT_STARTED.
func (e *Engine) Compute(ctx context.Context, c *ent.Client, orgID int, at time.Time) (*Org, error) {
	return e.compute(ctx, c, orgID, at, nil, keptSource{})
}

// ComputeOnly is Compute restricted to the requirements requirementIDs: the
// catalog is read and the people counted for those requirements only, so the
// cost falls with the set (at-risk detection asks about the few requirements a
// leaver counted towards, not the whole organization). Each of those
// requirements is exactly as Compute computes it; the options, levels and
// competencies holding them carry only them, so their Met, Attained and Status
// describe that part, not the whole. No ids, nothing computed: an empty Org.
func (e *Engine) ComputeOnly(ctx context.Context, c *ent.Client, orgID int, at time.Time, requirementIDs []int) (*Org, error) {
	if len(requirementIDs) == 0 {
		return &Org{OrgID: orgID, At: at.UTC()}, nil
	}
	return e.compute(ctx, c, orgID, at, newRequirementSet(requirementIDs), keptSource{})
}

// ComputeRequirements is ComputeOnly for a caller that reads the requirements
// alone (at-risk detection's before and after): each requirement is exactly
// as Compute computes it, but the offers in force are not read, so the
// competencies carry no Offer and their Status does not weigh purchases.
func (e *Engine) ComputeRequirements(ctx context.Context, c *ent.Client, orgID int, at time.Time, requirementIDs []int) (*Org, error) {
	if len(requirementIDs) == 0 {
		return &Org{OrgID: orgID, At: at.UTC()}, nil
	}
	return e.compute(ctx, c, orgID, at, newRequirementSet(requirementIDs), keptSource{noOffers: true})
}

// countSource says where compute reads the people counts: the kept state
// (keptSource) or a computation from scratch (oracleSource, for tests).
type countSource interface {
	counts(ctx context.Context, c *ent.Client, orgID int, at time.Time, only requirementSet, required map[int]int) (map[int]skillCount, error)
}

type keptSource struct {
	settle *[]tallyRead
	// noOffers: the caller reads requirements only (ComputeRequirements).
	noOffers bool
}

func (k keptSource) counts(ctx context.Context, c *ent.Client, orgID int, at time.Time, _ requirementSet, required map[int]int) (map[int]skillCount, error) {
	return keptCounts(ctx, c, orgID, at, required, k.settle)
}

// oracleSource counts from scratch; fresh also reads the catalog from the
// database, not the engine's cache (the tests' oracle).
type oracleSource struct{ fresh bool }

func (oracleSource) counts(ctx context.Context, c *ent.Client, orgID int, at time.Time, only requirementSet, _ map[int]int) (map[int]skillCount, error) {
	return oracleSkillCounts(ctx, c, orgID, at, only)
}

// compute is Compute over the requirements of only (nil: all of them).
func (e *Engine) compute(ctx context.Context, c *ent.Client, orgID int, at time.Time, only requirementSet, src countSource) (*Org, error) {
	sys := viewer.System(ctx)
	at = at.UTC()
	oracle, _ := src.(oracleSource)
	tree, err := e.catalog(sys, c, only, oracle.fresh)
	if err != nil {
		return nil, err
	}
	required := map[int]int{}
	attestable := false // a requirement met by an attestation is among them
	for _, ec := range tree.comps {
		for _, eo := range ec.Options {
			for _, er := range eo.Requirements {
				if er.Kind == string(requirement.KindSKILL) {
					required[er.ID] = er.Required
				} else {
					attestable = true
				}
			}
		}
	}
	counts, err := src.counts(sys, c, orgID, at, only, required)
	if err != nil {
		return nil, err
	}
	var attested map[int]*Attestation
	if attestable {
		if attested, err = latestAttestations(sys, c, orgID, at); err != nil {
			return nil, err
		}
	}
	var offers map[int]*Offer
	if kept, _ := src.(keptSource); !kept.noOffers {
		if offers, err = offersInForce(sys, c, orgID, at, tree.options); err != nil {
			return nil, err
		}
	}
	org := &Org{OrgID: orgID, At: at}
	for _, ec := range tree.comps {
		pc := &Competency{ID: ec.ID, Key: ec.Key, Name: ec.Name, Description: ec.Description}
		levels := map[string]*Level{}
		for _, eo := range ec.Options {
			lvl := levels[eo.Level]
			if lvl == nil {
				lvl = &Level{Level: eo.Level}
				levels[eo.Level] = lvl
			}
			op := &Option{ID: eo.ID, Level: eo.Level, Name: eo.Name, Met: true}
			for _, er := range eo.Requirements {
				r := &Requirement{ID: er.ID, Key: er.Key, Kind: er.Kind, Description: er.Description, Required: er.Required}
				// A copy: the tree is shared by every reader.
				r.SkillIDs = append(r.SkillIDs, er.SkillIDs...)
				if r.Kind == KindSkill {
					sc := counts[r.ID]
					r.Current = sc.current
					r.Met = r.Current >= r.Required
					if r.Met {
						r.UnmetOn = sc.unmetOn
					}
				} else {
					r.Required = 1
					if a := attested[r.ID]; a != nil {
						r.Attestation = a
						if a.Met {
							r.Current, r.Met = 1, true
						}
					}
				}
				op.Met = op.Met && r.Met
				if r.UnmetOn != nil && (op.UnmetOn == nil || r.UnmetOn.Before(*op.UnmetOn)) {
					op.UnmetOn = r.UnmetOn
				}
				op.Requirements = append(op.Requirements, r)
			}
			if !op.Met {
				op.UnmetOn = nil
			}
			lvl.Attained = lvl.Attained || op.Met
			lvl.Options = append(lvl.Options, op)
		}
		for _, name := range []string{"SILVER", "GOLD"} {
			if l := levels[name]; l != nil {
				pc.Levels = append(pc.Levels, l)
			}
		}
		pc.Offer = offers[ec.ID]
		pc.Status = e.status(pc, at)
		org.Competencies = append(org.Competencies, pc)
	}
	return org, nil
}

func (e *Engine) status(c *Competency, at time.Time) Status {
	if c.Offer != nil {
		for _, l := range c.Levels {
			for _, op := range l.Options {
				if op.ID == c.Offer.OptionID {
					switch {
					case !op.Met:
						return RequirementsUnmet
					case !c.Offer.FallsBefore(op.UnmetOn):
						return Active
					}
					return AtRisk
				}
			}
		}
		return Active // the option left the catalog: the purchase stands
	}
	horizon := at.Add(e.window())
	anyMet, safe, started := false, false, false
	for _, l := range c.Levels {
		for _, op := range l.Options {
			if op.Met {
				anyMet = true
				safe = safe || op.UnmetOn == nil || !op.UnmetOn.Before(horizon)
			}
			for _, r := range op.Requirements {
				started = started || r.Current > 0
			}
		}
	}
	switch {
	case anyMet && safe:
		return Qualified
	case anyMet:
		return AtRisk
	case started:
		return InProgress
	}
	return NotStarted
}

// latestAttestations returns the attestation in force per requirement: the
// newest one made by the moment at.
func latestAttestations(ctx context.Context, c *ent.Client, orgID int, at time.Time) (map[int]*Attestation, error) {
	rows, err := c.Attestation.Query().
		Where(attestation.OrganizationID(orgID), attestation.AtLTE(at)).
		Order(ent.Desc(attestation.FieldAt), ent.Desc(attestation.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int]*Attestation{}
	for _, a := range rows {
		if out[a.RequirementID] == nil {
			out[a.RequirementID] = toAttestation(a)
		}
	}
	return out, nil
}

func toAttestation(a *ent.Attestation) *Attestation {
	return &Attestation{ID: a.ID, Met: a.Met, Note: a.Note, At: a.At.UTC(), ByUserID: a.ByUserID}
}

// offersInForce returns, per competency, the newest purchase whose anniversary
// is still ahead, with its option's level and name from options (the
// catalog's; an option gone from it leaves them empty).
func offersInForce(ctx context.Context, c *ent.Client, orgID int, at time.Time, options map[int]*catalogOption) (map[int]*Offer, error) {
	rows, err := c.OfferPurchase.Query().
		Where(offerpurchase.OrganizationID(orgID), offerpurchase.PurchasedAtLTE(at), offerpurchase.AnniversaryAtGT(at)).
		Order(ent.Desc(offerpurchase.FieldPurchasedAt), ent.Desc(offerpurchase.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int]*Offer{}
	for _, p := range rows {
		if out[p.CompetencyID] != nil {
			continue
		}
		o := &Offer{OptionID: p.OptionID, PurchasedAt: p.PurchasedAt.UTC(), AnniversaryAt: p.AnniversaryAt.UTC(), ByUserID: p.ByUserID}
		if op := options[p.OptionID]; op != nil {
			o.Level, o.Option = op.Level, op.Name
		}
		out[p.CompetencyID] = o
	}
	return out, nil
}
