package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/attestation"
	"certlink/ent/competencyoption"
	"certlink/ent/offerpurchase"
	"certlink/ent/profile"
	"certlink/ent/requirement"
	"certlink/ent/schema/skilling"
	"certlink/ent/skill"
	"certlink/internal/apperr"
)

// Summary counts what a load changed.
type Summary struct {
	SkillsCreated, SkillsUpdated               int
	CompetenciesCreated, CompetenciesUpdated   int
	OptionsCreated, OptionsRemoved             int
	RequirementsCreated, RequirementsUpdated   int
	RequirementsRemoved                        int
	CapabilitiesCreated, CapabilitiesUpdated   int
	SolutionAreasCreated, SolutionAreasUpdated int
	// CompetenciesNotListed counts the competencies the document does not
	// list, left as they are (a document may be partial): said, not a change.
	CompetenciesNotListed int
}

// Changed reports whether the load changed anything.
func (s Summary) Changed() bool {
	s.CompetenciesNotListed = 0
	return s != Summary{}
}

func (s Summary) String() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(s.SkillsCreated, "skills created")
	add(s.SkillsUpdated, "skills updated")
	add(s.CompetenciesCreated, "competencies created")
	add(s.CompetenciesUpdated, "competencies updated")
	add(s.OptionsCreated, "options created")
	add(s.OptionsRemoved, "options removed")
	add(s.RequirementsCreated, "requirements created")
	add(s.RequirementsUpdated, "requirements updated")
	add(s.RequirementsRemoved, "requirements removed")
	add(s.CapabilitiesCreated, "capability areas created")
	add(s.CapabilitiesUpdated, "capability areas updated")
	add(s.SolutionAreasCreated, "solution areas created")
	add(s.SolutionAreasUpdated, "solution areas updated")
	text := strings.Join(parts, ", ")
	if len(parts) == 0 {
		text = "no change"
	}
	if n := s.CompetenciesNotListed; n > 0 {
		// {} or a document without a competency is not a way to remove one.
		text += fmt.Sprintf("; %d %s not in the document left as %s (a load adds and updates competencies, it never removes one)",
			n, plural(n, "competency", "competencies"), plural(n, "it is", "they are"))
	}
	return text
}

// apply writes doc in tx, matching entries by their keys (see README): loading
// the same document twice changes nothing. ctx must allow system writes.
func apply(ctx context.Context, tx *ent.Tx, doc *Document, now time.Time, rowLocks bool) (Summary, error) {
	var sum Summary
	skills, err := applySkills(ctx, tx, doc.Skills, &sum)
	if err != nil {
		return sum, err
	}
	existing, err := tx.Competency.Query().All(ctx)
	if err != nil {
		return sum, err
	}
	byKey := map[string]*ent.Competency{}
	for _, c := range existing {
		byKey[c.Key] = c
	}
	// Competencies the document does not list stay: none of the document's
	// may take one's name (a review changed Data Analytics' key and the
	// organizations saw two "Data Analytics", the old one holding the offer).
	listed := map[string]bool{}
	for _, c := range doc.Competencies {
		listed[c.Key] = true
	}
	owner := map[string]string{} // a name, case folded → the key holding it
	for _, old := range existing {
		if !listed[old.Key] {
			sum.CompetenciesNotListed++
			owner[strings.ToLower(strings.TrimSpace(old.Name))] = old.Key
		}
	}
	for _, c := range doc.Competencies {
		name := strings.ToLower(strings.TrimSpace(c.Name))
		if k, taken := owner[name]; taken && k != c.Key {
			return sum, apperr.New(apperr.Conflict, "Competency %q (key %q) has the name of the competency with key %q: two competencies are never named alike (a key is kept for good — rename the other, or load this one under key %q).",
				c.Name, c.Key, k, k).With("competency", c.Key)
		}
		owner[name] = c.Key
	}
	for i, c := range doc.Competencies {
		cur, ok := byKey[c.Key]
		switch {
		case !ok:
			cur, err = tx.Competency.Create().SetKey(c.Key).SetName(c.Name).
				SetDescription(c.Description).SetPosition(i).Save(ctx)
			sum.CompetenciesCreated++
		case cur.Name != c.Name || cur.Description != c.Description || cur.Position != i:
			cur, err = cur.Update().SetName(c.Name).SetDescription(c.Description).SetPosition(i).Save(ctx)
			sum.CompetenciesUpdated++
		}
		if err != nil {
			return sum, err
		}
		if err := applyOptions(ctx, tx, cur, c.Options, skills, &sum, now, rowLocks); err != nil {
			return sum, err
		}
	}
	if err := applyCapabilities(ctx, tx, doc.Capabilities, &sum); err != nil {
		return sum, err
	}
	return sum, applySolutionAreas(ctx, tx, doc.SolutionAreas, &sum)
}

// applyCapabilities upserts capability areas by key; areas the document does
// not list are left as they are, like competencies.
func applyCapabilities(ctx context.Context, tx *ent.Tx, in []Capability, sum *Summary) error {
	existing, err := tx.CapabilityArea.Query().All(ctx)
	if err != nil {
		return err
	}
	byKey := map[string]*ent.CapabilityArea{}
	for _, a := range existing {
		byKey[a.Key] = a
	}
	for i, c := range in {
		pre := c.Prerequisites
		if pre == nil {
			pre = []skilling.Prerequisite{}
		}
		cur, ok := byKey[c.Key]
		switch {
		case !ok:
			err = tx.CapabilityArea.Create().SetKey(c.Key).SetName(c.Name).SetDescription(c.Description).
				SetMaxPoints(c.MaxPoints).SetPosition(i).SetPrerequisites(pre).SetRules(c.Rules).Exec(ctx)
			sum.CapabilitiesCreated++
		case cur.Name != c.Name || cur.Description != c.Description || cur.MaxPoints != c.MaxPoints ||
			cur.Position != i || !sameJSON(cur.Prerequisites, pre) || !sameJSON(cur.Rules, c.Rules):
			err = cur.Update().SetName(c.Name).SetDescription(c.Description).SetMaxPoints(c.MaxPoints).
				SetPosition(i).SetPrerequisites(pre).SetRules(c.Rules).Exec(ctx)
			sum.CapabilitiesUpdated++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// applySkills upserts the document's skills and returns every skill id by number.
func applySkills(ctx context.Context, tx *ent.Tx, in []Skill, sum *Summary) (map[string]int, error) {
	all, err := tx.Skill.Query().All(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]int{}
	byNumber := map[string]*ent.Skill{}
	for _, s := range all {
		ids[s.Number], byNumber[s.Number] = s.ID, s
	}
	for _, s := range in {
		retired, valid := datePtr(s.RetiredOn), datePtr(s.ValidUntil)
		cur, ok := byNumber[s.Number]
		if !ok {
			created, err := tx.Skill.Create().SetNumber(s.Number).SetTitle(s.Title).SetType(skill.Type(s.Type)).
				SetNillableRetiredOn(retired).SetNillableValidUntil(valid).Save(ctx)
			if err != nil {
				return nil, err
			}
			ids[s.Number] = created.ID
			sum.SkillsCreated++
			continue
		}
		if cur.Title == s.Title && string(cur.Type) == s.Type && sameTime(cur.RetiredOn, retired) && sameTime(cur.ValidUntil, valid) {
			continue
		}
		if err := UpdateSkill(ctx, tx.Client(), cur, s); err != nil {
			return nil, err
		}
		sum.SkillsUpdated++
	}
	return ids, nil
}

// UpdateSkill writes s over cur (matched by number).
func UpdateSkill(ctx context.Context, c *ent.Client, cur *ent.Skill, s Skill) error {
	if cur.Type == skill.TypeASSESSMENT && s.Type != string(skill.TypeASSESSMENT) {
		// A Partner University account holds assessments only (L8): its
		// results of this skill would count as an exam or a certification
		// that no Learning profile holds (a review turned ASMT-AZURE-SALES
		// into an EXAM and counted a Partner University access for it). The
		// check is the write's own condition: on MySQL/MariaDB its subquery
		// reads with locks, so an ingest of the skill for a Partner
		// University account (which holds the skill's row, ingest.go) comes
		// wholly before it or after it — a recheck raced the two and both
		// went through in half the rounds.
		res, err := c.ExecContext(ctx, "UPDATE skills SET type = ? WHERE id = ? AND NOT EXISTS "+
			"(SELECT 1 FROM results r JOIN profiles p ON p.id = r.profile_id WHERE r.skill_id = ? AND p.kind = ?)",
			s.Type, cur.ID, cur.ID, string(profile.KindPARTNER_UNIVERSITY))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "Skill %s is an assessment that Partner University accounts hold: it stays an ASSESSMENT (they hold assessments only, L8). Add the %s as a skill of its own number.",
				cur.Number, strings.ToLower(s.Type)).With("skill", cur.Number)
		}
	}
	u := c.Skill.UpdateOne(cur).SetTitle(s.Title).SetType(skill.Type(s.Type))
	if s.RetiredOn != nil {
		u.SetRetiredOn(s.RetiredOn.UTC())
	} else {
		u.ClearRetiredOn()
	}
	if s.ValidUntil != nil {
		u.SetValidUntil(s.ValidUntil.UTC())
	} else {
		u.ClearValidUntil()
	}
	return u.Exec(ctx)
}

func applyOptions(ctx context.Context, tx *ent.Tx, comp *ent.Competency, in []Option, skills map[string]int, sum *Summary, now time.Time, rowLocks bool) error {
	competencyID := comp.ID
	existing, err := tx.CompetencyOption.Query().Where(competencyoption.CompetencyID(competencyID)).All(ctx)
	if err != nil {
		return err
	}
	byName := map[string]*ent.CompetencyOption{}
	for _, o := range existing {
		byName[string(o.Level)+"/"+o.Name] = o
	}
	for i, o := range in {
		k := o.Level + "/" + o.Name
		cur, ok := byName[k]
		delete(byName, k)
		switch {
		case !ok:
			cur, err = tx.CompetencyOption.Create().SetCompetencyID(competencyID).
				SetLevel(competencyoption.Level(o.Level)).SetName(o.Name).SetPosition(i).Save(ctx)
			sum.OptionsCreated++
		case cur.Position != i:
			cur, err = cur.Update().SetPosition(i).Save(ctx)
		}
		if err != nil {
			return err
		}
		if err := applyRequirements(ctx, tx, comp.Name, cur, o.Requirements, skills, sum, rowLocks); err != nil {
			return err
		}
	}
	for _, gone := range byName {
		// An organization's offer in force names its option (C6): removed
		// (or renamed, which is a removal and a creation), the offer named
		// nothing, its status went ACTIVE unchecked and its attestations
		// were lost (a review). The option stays until its offers lapse.
		offers, err := tx.OfferPurchase.Query().
			Where(offerpurchase.OptionID(gone.ID), offerpurchase.AnniversaryAtGT(now)).
			Order(ent.Desc(offerpurchase.FieldAnniversaryAt)).All(ctx)
		if err != nil {
			return err
		}
		if len(offers) > 0 {
			orgs := map[int]bool{}
			for _, o := range offers {
				orgs[o.OrganizationID] = true
			}
			return apperr.New(apperr.Conflict, "%s's %s option %q has offers in force in %d organization(s), the last until %s: an option with an offer in force stays in the catalog (keep it, under the same name) until then.",
				comp.Name, strings.ToLower(string(gone.Level)), gone.Name, len(orgs), offers[0].AnniversaryAt.Format("January 2, 2006")).
				With("option", gone.Name)
		}
		reqs, err := tx.Requirement.Query().Where(requirement.OptionID(gone.ID)).All(ctx)
		if err != nil {
			return err
		}
		n, err := tx.Requirement.Delete().Where(requirement.OptionID(gone.ID)).Exec(ctx)
		if err != nil {
			return err
		}
		if err := keepAttestations(ctx, tx, reqs, comp.Name, gone, rowLocks); err != nil {
			return err
		}
		sum.RequirementsRemoved += n
		if err := tx.CompetencyOption.DeleteOne(gone).Exec(ctx); err != nil {
			return err
		}
		sum.OptionsRemoved++
	}
	return nil
}

func applyRequirements(ctx context.Context, tx *ent.Tx, competency string, opt *ent.CompetencyOption, in []Requirement, skills map[string]int, sum *Summary, rowLocks bool) error {
	optionID := opt.ID
	existing, err := tx.Requirement.Query().Where(requirement.OptionID(optionID)).
		WithSkills(func(q *ent.SkillQuery) { q.Select(skill.FieldID) }).All(ctx)
	if err != nil {
		return err
	}
	byKey := map[string]*ent.Requirement{}
	for _, r := range existing {
		byKey[r.Key] = r
	}
	for i, r := range in {
		required := r.Required
		if r.Kind == KindAttested {
			required = 1
		}
		want := make([]int, 0, len(r.Skills))
		for _, n := range r.Skills {
			want = append(want, skills[n])
		}
		slices.Sort(want)
		want = slices.Compact(want)
		cur, ok := byKey[r.Key]
		delete(byKey, r.Key)
		if !ok {
			err := tx.Requirement.Create().SetOptionID(optionID).SetKey(r.Key).
				SetKind(requirement.Kind(r.Kind)).SetDescription(r.Description).
				SetRequired(required).SetPosition(i).AddSkillIDs(want...).Exec(ctx)
			if err != nil {
				return err
			}
			sum.RequirementsCreated++
			continue
		}
		have := make([]int, 0, len(cur.Edges.Skills))
		for _, s := range cur.Edges.Skills {
			have = append(have, s.ID)
		}
		slices.Sort(have)
		if string(cur.Kind) == r.Kind && cur.Description == r.Description && cur.Required == required &&
			cur.Position == i && slices.Equal(have, want) {
			continue
		}
		err := tx.Requirement.UpdateOne(cur).SetKind(requirement.Kind(r.Kind)).SetDescription(r.Description).
			SetRequired(required).SetPosition(i).ClearSkills().AddSkillIDs(want...).Exec(ctx)
		if err != nil {
			return err
		}
		if cur.Kind == requirement.KindATTESTED && r.Kind != KindAttested {
			// Another kind hides its attestations (a recheck turned an
			// attested requirement into a SKILL one under an offer in force).
			if err := keepAttestations(ctx, tx, []*ent.Requirement{cur}, competency, opt, rowLocks); err != nil {
				return err
			}
		}
		sum.RequirementsUpdated++
	}
	gone := slices.Collect(maps.Values(byKey))
	for _, gone := range gone {
		if err := tx.Requirement.DeleteOne(gone).Exec(ctx); err != nil {
			return err
		}
		sum.RequirementsRemoved++
	}
	return keepAttestations(ctx, tx, gone, competency, opt, rowLocks)
}

// keepAttestations refuses to remove, or to make another kind, requirements
// that an organization has attested (met or not; C2): the attestations and
// their history belong to the requirement. A review that renamed one's key,
// or swapped two options' levels, lost them for good — loading the old
// document again made a new requirement with no attestation or history, and
// an offer in force stayed unmet. It runs after the requirements' rows are
// written (their locks held: SetAttestation holds the row too), and reads
// the attestations with a lock on MySQL/MariaDB (the latest committed ones),
// so an attestation racing the edit comes wholly before it or is refused.
func keepAttestations(ctx context.Context, tx *ent.Tx, reqs []*ent.Requirement, competency string, opt *ent.CompetencyOption, rowLocks bool) error {
	ids := make([]int, 0, len(reqs))
	for _, r := range reqs {
		ids = append(ids, r.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	q := tx.Attestation.Query().Where(attestation.RequirementIDIn(ids...))
	if rowLocks {
		q.ForUpdate()
	}
	rows, err := q.All(ctx)
	if err != nil {
		return err
	}
	orgs := map[int]map[int]bool{} // requirement → organizations that attested it
	for _, a := range rows {
		if orgs[a.RequirementID] == nil {
			orgs[a.RequirementID] = map[int]bool{}
		}
		orgs[a.RequirementID][a.OrganizationID] = true
	}
	for _, r := range reqs {
		if n := len(orgs[r.ID]); n > 0 {
			return apperr.New(apperr.Conflict, "Requirement %q of %s's %s option %q holds the attestations of %d organization(s): removing it, changing its key or kind, or moving it to another option would lose them and their history. Keep it, under the same key and kind.",
				r.Key, competency, strings.ToLower(string(opt.Level)), opt.Name, n).With("requirement", r.Key)
		}
	}
	return nil
}

func datePtr(d *Date) *time.Time {
	if d == nil {
		return nil
	}
	t := d.UTC()
	return &t
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
