package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/capabilityarea"
	"certlink/ent/catalogrevision"
	"certlink/ent/competency"
	"certlink/ent/competencyoption"
	"certlink/ent/requirement"
	"certlink/ent/skill"
	"certlink/internal/apperr"
	"certlink/internal/catalogrev"
	"certlink/internal/clock"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Service loads the catalog at start-up and lets operators edit it (C1).
type Service struct {
	Client *ent.Client
	// Changed is called after a load that changed the catalog.
	Changed func()
	// Observers hear of every edit inside its transaction (at-risk
	// detection, N1).
	Observers []Observer
	// Now is the clock that says which offers are in force (nil: the wall
	// clock).
	Now func() time.Time
	// RowLocks reads with locks (MySQL/MariaDB) what an edit checks against
	// racing writers: the attestations of the requirements it removes.
	RowLocks bool
}

// Observer hears of a catalog edit inside its transaction: CatalogChanging
// before the edit applies, and the function it returns once it is applied and
// recorded as rev, when it changed anything.
type Observer interface {
	CatalogChanging(ctx context.Context, tx *ent.Tx) (func(ctx context.Context, rev *ent.CatalogRevision) error, error)
}

// changing tells the observers an edit is about to apply; done tells them it
// did, as rev.
func (s *Service) changing(ctx context.Context, tx *ent.Tx) (done func(ctx context.Context, rev *ent.CatalogRevision) error, err error) {
	var after []func(context.Context, *ent.CatalogRevision) error
	for _, o := range s.Observers {
		f, err := o.CatalogChanging(ctx, tx)
		if err != nil {
			return nil, err
		}
		after = append(after, f)
	}
	return func(ctx context.Context, rev *ent.CatalogRevision) error {
		for _, f := range after {
			if err := f(ctx, rev); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// OperatorSource marks revisions an operator loaded through the API.
const OperatorSource = "operator"

// LoadAtStartup applies the catalog file (path, or the shipped default when
// path is empty) unless it is the file applied last: an operator's edits then
// survive restarts until the file changes.
func (s *Service) LoadAtStartup(ctx context.Context, path string, shipped []byte, shippedName string) (Summary, bool, error) {
	name, data := shippedName, shipped
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Summary{}, false, fmt.Errorf("--catalog: %w", err)
		}
		name, data = path, b
	}
	sys := viewer.System(ctx)
	digest := digestOf(data)
	last, err := s.Client.CatalogRevision.Query().
		Where(catalogrevision.SourceNotIn(OperatorSource, catalogrev.EditSource)).
		Order(ent.Desc(catalogrevision.FieldAppliedAt), ent.Desc(catalogrevision.FieldID)).First(sys)
	if err != nil && !ent.IsNotFound(err) {
		return Summary{}, false, err
	}
	if last != nil && last.Digest == digest {
		return Summary{}, false, nil
	}
	sum, err := s.load(sys, name, "file:"+name, data, nil)
	return sum, err == nil, err
}

// Load applies an operator's catalog document (loadCatalog).
func (s *Service) Load(ctx context.Context, v *viewer.Viewer, document string) (Summary, error) {
	if err := operator(v); err != nil {
		return Summary{}, err
	}
	if len(document) > 4<<20 {
		return Summary{}, apperr.New(apperr.InvalidInput, "The catalog document is larger than 4 MiB.")
	}
	by := v.UserID
	return s.load(viewer.System(ctx), "loadCatalog", OperatorSource, []byte(document), &by)
}

func (s *Service) load(sys context.Context, name, source string, data []byte, by *int) (Summary, error) {
	var sum Summary
	// The transaction records its catalog revision below, whatever it changed.
	sys = catalogrev.Recording(sys)
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		known, err := tx.Skill.Query().Select(skill.FieldNumber).Strings(sys)
		if err != nil {
			return err
		}
		set := map[string]bool{}
		for _, n := range known {
			set[n] = true
		}
		doc, err := Parse(name, data, set)
		if err != nil {
			return err
		}
		done, err := s.changing(sys, tx)
		if err != nil {
			return err
		}
		if sum, err = apply(sys, tx, doc, clock.Now(s.Now), s.RowLocks); err != nil {
			return err
		}
		rev, err := tx.CatalogRevision.Create().SetSource(truncate(source, 500)).SetDigest(digestOf(data)).
			SetNillableByUserID(by).SetSummary(sum.String()).Save(sys)
		if err != nil || !sum.Changed() {
			return err
		}
		return done(sys, rev)
	})
	if err != nil {
		if ce, ok := err.(*Error); ok && source == OperatorSource {
			return sum, invalid(ce)
		}
		return sum, err
	}
	if sum.Changed() && s.Changed != nil {
		s.Changed()
	}
	return sum, nil
}

// invalid turns validation problems into an INVALID_INPUT naming each of them.
func invalid(e *Error) error {
	return apperr.New(apperr.InvalidInput, "The catalog was not loaded: %s", e.Error()).
		With("problems", e.Problems)
}

// UpsertSkill creates or updates one skill, matched by number (e.g. to retire an exam).
func (s *Service) UpsertSkill(ctx context.Context, v *viewer.Viewer, in Skill) (*ent.Skill, error) {
	if err := operator(v); err != nil {
		return nil, err
	}
	in.Number = strings.TrimSpace(in.Number)
	if probs := Validate(&Document{Skills: []Skill{in}}, nil); len(probs) > 0 {
		return nil, invalid(&Error{File: "upsertSkill", Problems: probs})
	}
	// The transaction records its catalog revision below.
	sys := catalogrev.Recording(viewer.System(ctx))
	var out *ent.Skill
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		done, err := s.changing(sys, tx)
		if err != nil {
			return err
		}
		var sum Summary
		if _, err := applySkills(sys, tx, []Skill{in}, &sum); err != nil {
			return err
		}
		out, err = tx.Skill.Query().Where(skill.Number(in.Number)).Only(sys)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(in)
		by := v.UserID
		rev, err := tx.CatalogRevision.Create().SetSource(OperatorSource).SetDigest(digestOf(b)).
			SetNillableByUserID(&by).SetSummary(sum.String() + ": " + in.Number).Save(sys)
		if err != nil || !sum.Changed() {
			return err
		}
		return done(sys, rev)
	})
	if err != nil {
		return nil, err
	}
	if s.Changed != nil {
		s.Changed()
	}
	return store.Detached(out), nil
}

// Export returns the catalog as it is now, in the file format (for an operator
// to edit and load back).
func (s *Service) Export(ctx context.Context, v *viewer.Viewer) ([]byte, error) {
	if err := operator(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var doc Document
	skills, err := s.Client.Skill.Query().Order(skill.ByNumber()).All(sys)
	if err != nil {
		return nil, err
	}
	for _, k := range skills {
		doc.Skills = append(doc.Skills, Skill{Number: k.Number, Title: k.Title, Type: string(k.Type),
			RetiredOn: toDate(k.RetiredOn), ValidUntil: toDate(k.ValidUntil)})
	}
	comps, err := s.Client.Competency.Query().Order(competency.ByPosition(), competency.ByID()).
		WithOptions(func(q *ent.CompetencyOptionQuery) {
			q.Order(competencyoption.ByPosition(), competencyoption.ByID()).
				WithRequirements(func(q *ent.RequirementQuery) {
					q.Order(requirement.ByPosition(), requirement.ByID()).WithSkills(func(q *ent.SkillQuery) { q.Order(skill.ByNumber()) })
				})
		}).All(sys)
	if err != nil {
		return nil, err
	}
	for _, c := range comps {
		dc := Competency{Key: c.Key, Name: c.Name, Description: c.Description}
		for _, o := range c.Edges.Options {
			do := Option{Level: string(o.Level), Name: o.Name}
			for _, r := range o.Edges.Requirements {
				dr := Requirement{Key: r.Key, Kind: string(r.Kind), Description: r.Description}
				if r.Kind == requirement.KindSKILL {
					dr.Required = r.Required
					for _, k := range r.Edges.Skills {
						dr.Skills = append(dr.Skills, k.Number)
					}
				}
				do.Requirements = append(do.Requirements, dr)
			}
			dc.Options = append(dc.Options, do)
		}
		doc.Competencies = append(doc.Competencies, dc)
	}
	areas, err := s.Client.CapabilityArea.Query().Order(capabilityarea.ByPosition(), capabilityarea.ByID()).All(sys)
	if err != nil {
		return nil, err
	}
	for _, a := range areas {
		doc.Capabilities = append(doc.Capabilities, Capability{Key: a.Key, Name: a.Name, Description: a.Description,
			MaxPoints: a.MaxPoints, Prerequisites: a.Prerequisites, Rules: a.Rules})
	}
	if err := exportSolutionAreas(sys, s.Client, &doc); err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

func operator(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if v.Kind != viewer.KindUser || !v.IsOperator() {
		return apperr.New(apperr.Forbidden, "Only operators can change the competency catalog.")
	}
	return nil
}

func toDate(t *time.Time) *Date {
	if t == nil {
		return nil
	}
	return &Date{t.UTC()}
}

func digestOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
