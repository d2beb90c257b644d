package progress

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/attestation"
	"certlink/ent/requirement"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/gid"
	"certlink/internal/history"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// OfferTerm is how long a purchased offer lasts: one year to the anniversary (C5).
const OfferTerm = 1

// Service answers the viewer's questions about its organization's progress and
// applies attestations and offer purchases, with C7's permissions.
type Service struct {
	Client *ent.Client
	Engine *Engine
	// RowLocks takes SELECT … FOR UPDATE locks (MySQL/MariaDB).
	RowLocks bool
	// Changed is called after a commit that changed an organization's progress.
	Changed func(orgIDs ...int)
}

// maxAsks bounds the distinct pages of people one answer reads with its
// progress; more (aliases asking other pages) are read by PeoplePage.
const maxAsks = 4

// Progress returns the viewer's organization's progress now, with, for each
// SKILL requirement, the pages of its people asks names (Requirement.Pages).
// Everything is read in one snapshot (store.ReadSnapshot): the counts, when
// each requirement would fall and who counts are of one moment, however
// links change meanwhile.
func (s *Service) Progress(ctx context.Context, v *viewer.Viewer, asks ...PageAsk) (*Org, error) {
	if err := Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	asks = asks[:min(len(asks), maxAsks)]
	sys := viewer.System(ctx)
	var (
		settle []tallyRead
		org    *Org
	)
	err := store.ReadSnapshot(sys, s.Client, func(c *ent.Client) error {
		var err error
		if org, err = s.Engine.compute(sys, c, v.OrgID, s.Engine.Time(), nil, keptSource{settle: &settle}); err != nil {
			return err
		}
		return s.Engine.readPages(sys, c, org, asks)
	})
	if err != nil {
		return nil, err
	}
	// The pages' work accounts were read in the snapshot's transaction, which
	// has ended: what an answer asks of them next (their organization, their
	// Learning account) is read through the client (a review found every
	// person answering INTERNAL for organization).
	// One person may be on several pages: each account once.
	unwrapped := map[*ent.User]bool{}
	org.each(func(_ *Competency, _ *Option, r *Requirement) {
		for _, p := range r.Pages {
			for _, u := range p.Users {
				if !unwrapped[u] {
					unwrapped[u] = true
					u.Unwrap()
				}
			}
		}
	})
	if len(settle) > 0 {
		settleTallies(sys, s.Client, settle)
	}
	return org, nil
}

// readPages reads, through c, the pages asks names of every SKILL
// requirement of org, the work accounts of all of them in one pass.
func (e *Engine) readPages(ctx context.Context, c *ent.Client, org *Org, asks []PageAsk) error {
	if len(asks) == 0 {
		return nil
	}
	var reqs []*Requirement
	org.each(func(_ *Competency, _ *Option, r *Requirement) {
		if r.Kind == KindSkill && r.PeopleIDs == nil {
			reqs = append(reqs, r)
		}
	})
	type page struct {
		p       *PeoplePage
		cursors []PersonCursor
	}
	var pages []page
	var ids []int
	seen := map[int]bool{}
	for _, r := range reqs {
		r.Pages = make(map[PageAsk]*PeoplePage, len(asks))
		for _, ask := range asks {
			var after *PersonCursor
			if ask.HasAfter {
				after = &ask.After
			}
			cursors, err := e.PeoplePage(ctx, c, org.OrgID, r.ID, org.At, after, ask.Limit+1)
			if err != nil {
				return err
			}
			p := &PeoplePage{More: len(cursors) > ask.Limit}
			cursors = cursors[:min(len(cursors), ask.Limit)]
			for _, cur := range cursors {
				if !seen[cur.UserID] {
					seen[cur.UserID] = true
					ids = append(ids, cur.UserID)
				}
			}
			r.Pages[ask] = p
			pages = append(pages, page{p, cursors})
		}
	}
	users, err := usersInOrder(ctx, c, ids)
	if err != nil {
		return err
	}
	byID := make(map[int]*ent.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	for _, pg := range pages {
		for _, cur := range pg.cursors {
			// As usersInOrder: an account the snapshot lacks is left out.
			if u := byID[cur.UserID]; u != nil {
				pg.p.Users = append(pg.p.Users, u)
				pg.p.Cursors = append(pg.p.Cursors, cur)
			}
		}
	}
	return nil
}

// PeoplePage is a page of the work accounts who count for a requirement of
// the viewer's organization at org's moment: up to limit after the cursor
// (nil: from the first), by name, with their cursors and whether more follow.
// peopleIDs, when not nil, are a what-if's people (Requirement.PeopleIDs),
// paged the same way without reading the kept state.
func (s *Service) PeoplePage(ctx context.Context, v *viewer.Viewer, org *Org, requirementID int, peopleIDs []int,
	after *PersonCursor, limit int) ([]*ent.User, []PersonCursor, bool, error) {
	if err := Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, nil, false, err
	}
	if org.OrgID != v.OrgID {
		return nil, nil, false, apperr.ErrForbidden
	}
	sys := viewer.System(ctx)
	if peopleIDs != nil {
		start := 0
		if after != nil {
			start = len(peopleIDs)
			for i, id := range peopleIDs {
				if id == after.UserID {
					start = i + 1
					break
				}
			}
		}
		end := min(start+limit, len(peopleIDs))
		users, err := usersInOrder(sys, s.Client, peopleIDs[start:end])
		if err != nil {
			return nil, nil, false, err
		}
		cursors := make([]PersonCursor, len(users))
		for i, u := range users {
			cursors[i] = PersonCursor{Name: u.Name, UserID: u.ID}
		}
		return users, cursors, end < len(peopleIDs), nil
	}
	page, err := s.Engine.PeoplePage(sys, s.Client, org.OrgID, requirementID, org.At, after, limit+1)
	if err != nil {
		return nil, nil, false, err
	}
	more := len(page) > limit
	if more {
		page = page[:limit]
	}
	ids := make([]int, len(page))
	for i, p := range page {
		ids[i] = p.UserID
	}
	users, err := usersInOrder(sys, s.Client, ids)
	return users, page, more, err
}

// usersInOrder loads users by id in chunks (no giant IN lists) keeping the order.
func usersInOrder(ctx context.Context, c *ent.Client, ids []int) ([]*ent.User, error) {
	out := make([]*ent.User, 0, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		us, err := c.User.Query().Where(user.IDIn(chunk...)).All(ctx)
		if err != nil {
			return nil, err
		}
		byID := make(map[int]*ent.User, len(us))
		for _, u := range us {
			byID[u.ID] = u
		}
		for _, id := range chunk {
			if u := byID[id]; u != nil {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// AttestationHistory returns every attestation of a requirement by the
// viewer's organization, newest first.
func (s *Service) AttestationHistory(ctx context.Context, v *viewer.Viewer, requirementID int) ([]*Attestation, error) {
	if err := Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	rows, err := s.Client.Attestation.Query().
		Where(attestation.OrganizationID(v.OrgID), attestation.RequirementID(requirementID)).
		Order(ent.Desc(attestation.FieldAt), ent.Desc(attestation.FieldID)).All(viewer.System(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]*Attestation, len(rows))
	for i, a := range rows {
		out[i] = toAttestation(a)
	}
	return out, nil
}

// attestationNote is what an admin writes with an attestation: up to 2000
// characters, line breaks and tabs allowed.
var attestationNote = text.Field{Name: "note", What: "The note", Max: 2000, Multiline: true, Optional: true,
	Length: "The note is longer than 2000 characters."}

// SetAttestation records an admin marking an ATTESTED requirement met or unmet
// with a note (C2). Earlier attestations are kept: the newest is in force.
func (s *Service) SetAttestation(ctx context.Context, v *viewer.Viewer, requirementID int, met bool, note string) (*Org, int, error) {
	if err := authorizeChange(v); err != nil {
		return nil, 0, err
	}
	note, err := attestationNote.Check(note)
	if err != nil {
		return nil, 0, err
	}
	if met && note == "" {
		return nil, 0, apperr.New(apperr.InvalidInput, "Say what shows the requirement is met in the note (e.g. the revenue figure or the customer references).").With("field", "note")
	}
	sys := viewer.System(ctx)
	req, err := s.Client.Requirement.Query().Where(requirement.ID(requirementID)).WithOption().Only(sys)
	if ent.IsNotFound(err) {
		return nil, 0, apperr.New(apperr.NotFound, "No requirement has id %s.", gid.Show(ctx, requirementID))
	}
	if err != nil {
		return nil, 0, err
	}
	if req.Kind != requirement.KindATTESTED {
		return nil, 0, apperr.New(apperr.InvalidInput, "%q is met by certified people, not by attestation.", req.Description)
	}
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		// Hold the organization first (as PurchaseOffer does): two admins
		// attesting at once commit one after the other, and the time is read
		// after the lock, never before the attestation in force, so the
		// history's order (by time) is the commit order and the newest is the
		// one in force, whatever the clocks of two servers say.
		if err := store.HoldOrganization(sys, tx, v.OrgID, s.RowLocks); err != nil {
			return err
		}
		// Then the requirement: a catalog edit that removes it, or makes it
		// another kind, writes its row before it checks for attestations
		// (catalog.keepAttestations), so the two come one after the other.
		held := tx.Requirement.Query().Where(requirement.ID(req.ID))
		if s.RowLocks {
			held.ForUpdate()
		}
		cur, err := held.Only(sys)
		if ent.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "This requirement was removed from the catalog a moment ago.")
		}
		if err != nil {
			return err
		}
		if cur.Kind != requirement.KindATTESTED {
			return apperr.New(apperr.InvalidInput, "%q is met by certified people, not by attestation.", cur.Description)
		}
		now := s.Engine.Time()
		last, err := tx.Attestation.Query().
			Where(attestation.OrganizationID(v.OrgID), attestation.RequirementID(req.ID)).
			Order(ent.Desc(attestation.FieldAt), ent.Desc(attestation.FieldID)).First(sys)
		switch {
		case err == nil:
			if !now.After(last.At) {
				now = last.At.Add(time.Microsecond)
			}
		case !ent.IsNotFound(err):
			return err
		}
		if err := tx.Attestation.Create().SetOrganizationID(v.OrgID).SetRequirementID(req.ID).
			SetMet(met).SetNote(note).SetByUserID(v.UserID).SetAt(now).Exec(sys); err != nil {
			return err
		}
		state := "not met"
		if met {
			state = "met"
		}
		detail := fmt.Sprintf("%s attested %q %s", v.Email, req.Description, state)
		if note != "" {
			detail += ": " + note
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.AttestationSet, ActorID: v.UserID,
			OrgID: v.OrgID, At: now, Detail: detail + "."})
	})
	if err != nil {
		return nil, 0, err
	}
	s.changed(v.OrgID)
	org, err := s.Engine.Compute(ctx, s.Client, v.OrgID, s.Engine.Time())
	return org, req.Edges.Option.CompetencyID, err
}

// PurchaseOffer buys a competency offer for an option (C6). It succeeds only
// when every requirement of the option is met; otherwise it is refused with
// REQUIREMENTS_UNMET listing each unmet requirement ("Learn why").
func (s *Service) PurchaseOffer(ctx context.Context, v *viewer.Viewer, competencyID int, level, option string) (*Org, error) {
	if err := authorizeChange(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var org *Org
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		// Serialize purchases of one organization.
		if err := store.HoldOrganization(sys, tx, v.OrgID, s.RowLocks); err != nil {
			return err
		}
		now := s.Engine.Time()
		var err error
		org, err = s.Engine.Compute(sys, tx.Client(), v.OrgID, now)
		if err != nil {
			return err
		}
		c := org.Competency(competencyID)
		if c == nil {
			return apperr.New(apperr.NotFound, "No competency has id %s.", gid.Show(ctx, competencyID))
		}
		op := c.Option(level, option)
		if op == nil {
			return apperr.New(apperr.NotFound, "%s has no %s option named %q.", c.Name, strings.ToLower(level), option)
		}
		if c.Offer != nil && c.Offer.OptionID == op.ID {
			return apperr.New(apperr.Conflict, "The %s offer for %s is already active until %s.",
				strings.ToLower(level), c.Name, c.Offer.AnniversaryAt.Format("January 2, 2006"))
		}
		if !op.Met {
			return unmetError(ctx, c, op)
		}
		anniversary := now.AddDate(OfferTerm, 0, 0)
		err = tx.OfferPurchase.Create().SetOrganizationID(v.OrgID).SetCompetencyID(c.ID).SetOptionID(op.ID).
			SetByUserID(v.UserID).SetPurchasedAt(now).SetAnniversaryAt(anniversary).Exec(sys)
		if err != nil {
			return err
		}
		err = history.Record(sys, tx.Client(), history.Event{Action: history.OfferPurchased, ActorID: v.UserID,
			OrgID: v.OrgID, At: now, Detail: fmt.Sprintf("%s purchased the %s %s offer (%s), in force until %s.",
				v.Email, c.Name, strings.ToLower(level), op.Name, anniversary.Format("January 2, 2006"))})
		if err != nil {
			return err
		}
		org, err = s.Engine.Compute(sys, tx.Client(), v.OrgID, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.changed(v.OrgID)
	return org, nil
}

// UnmetRequirement is one entry of REQUIREMENTS_UNMET's extensions.unmet.
type UnmetRequirement struct {
	// ID is the requirement's API ID (RequirementProgress.id), as setAttestation takes it.
	ID          string `json:"id"`
	Key         string `json:"key"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Required    int    `json:"required"`
	Current     int    `json:"current"`
}

func unmetError(ctx context.Context, c *Competency, op *Option) error {
	var unmet []UnmetRequirement
	var parts []string
	for _, r := range op.Requirements {
		if r.Met {
			continue
		}
		unmet = append(unmet, UnmetRequirement{ID: gid.Show(ctx, r.ID), Key: r.Key, Kind: r.Kind, Description: r.Description, Required: r.Required, Current: r.Current})
		if r.Kind == KindSkill {
			parts = append(parts, fmt.Sprintf("%s (%d of %d people)", r.Description, r.Current, r.Required))
		} else {
			parts = append(parts, fmt.Sprintf("%s (not attested)", r.Description))
		}
	}
	return apperr.New(apperr.Conflict, "The %s %s option %q is not met yet. Unmet requirements: %s.",
		c.Name, strings.ToLower(op.Level), op.Name, strings.Join(parts, "; ")).With("unmet", unmet).With("reason", apperr.ReasonRequirementsUnmet)
}

func (s *Service) changed(orgs ...int) {
	if s.Changed != nil {
		s.Changed(orgs...)
	}
}

// PeopleByIDs loads work accounts read with a what-if's progress
// (Requirement.PeopleIDs), keeping their order.
func (s *Service) PeopleByIDs(ctx context.Context, v *viewer.Viewer, ids []int) ([]*ent.User, error) {
	if err := Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	return usersInOrder(viewer.System(ctx), s.Client, ids)
}
