package progress

import (
	"context"

	"certlink/ent"
	"certlink/ent/competency"
	"certlink/ent/competencyoption"
	"certlink/ent/requirement"
	"certlink/ent/skill"
)

// The catalog tree progress computes over, as read from the database. Every
// association and removal computes the requirements it touches before and
// after (at-risk detection), so reading the tree again each time was a third
// of an association's statements. Engine keeps it per process, checked
// against the latest catalog revision in the reader's own transaction
// (catalogrev): read-only once built, shared by all readers.
type catalogTree struct {
	comps   []catalogCompetency
	options map[int]*catalogOption // by id, for the offers' option names
}

type catalogCompetency struct {
	ID                     int
	Key, Name, Description string
	Options                []catalogOption
}

type catalogOption struct {
	ID           int
	Level, Name  string
	Requirements []catalogRequirement
}

type catalogRequirement struct {
	ID                     int
	Key, Kind, Description string
	Required               int
	SkillIDs               []int // by skill number; never appended to in place
}

// catalog returns the catalog tree restricted to only (nil: all of it): the
// requirements of only, and the options and competencies holding them, in
// the catalog's order. fresh reads it from the database whatever the cache
// holds (the oracle).
func (e *Engine) catalog(ctx context.Context, c *ent.Client, only requirementSet, fresh bool) (*catalogTree, error) {
	read := func() (*catalogTree, error) { return readCatalog(ctx, c) }
	var (
		tree *catalogTree
		err  error
	)
	if fresh || e == nil {
		tree, err = read()
	} else {
		tree, err = e.catalogCache.Get(ctx, c, read)
	}
	if err != nil || only == nil {
		return tree, err
	}
	return tree.restrict(only), nil
}

// restrict is the part of t holding the requirements of only: what
// loadCatalog's filtered query read before the tree was kept.
func (t *catalogTree) restrict(only requirementSet) *catalogTree {
	out := &catalogTree{options: t.options}
	for _, c := range t.comps {
		var opts []catalogOption
		for _, o := range c.Options {
			var reqs []catalogRequirement
			for _, r := range o.Requirements {
				if only[r.ID] {
					reqs = append(reqs, r)
				}
			}
			if len(reqs) > 0 {
				o.Requirements = reqs
				opts = append(opts, o)
			}
		}
		if len(opts) > 0 {
			c.Options = opts
			out.comps = append(out.comps, c)
		}
	}
	return out
}

// readCatalog reads the catalog tree: it is small (tens of competencies).
func readCatalog(ctx context.Context, c *ent.Client) (*catalogTree, error) {
	comps, err := c.Competency.Query().Order(competency.ByPosition(), competency.ByID()).
		WithOptions(func(q *ent.CompetencyOptionQuery) {
			q.Order(competencyoption.ByPosition(), competencyoption.ByID()).
				WithRequirements(func(q *ent.RequirementQuery) {
					q.Order(requirement.ByPosition(), requirement.ByID()).
						WithSkills(func(q *ent.SkillQuery) { q.Select(skill.FieldID).Order(skill.ByNumber()) })
				})
		}).All(ctx)
	if err != nil {
		return nil, err
	}
	t := &catalogTree{options: map[int]*catalogOption{}}
	for _, ec := range comps {
		cc := catalogCompetency{ID: ec.ID, Key: ec.Key, Name: ec.Name, Description: ec.Description}
		for _, eo := range ec.Edges.Options {
			co := catalogOption{ID: eo.ID, Level: string(eo.Level), Name: eo.Name}
			for _, er := range eo.Edges.Requirements {
				cr := catalogRequirement{ID: er.ID, Key: er.Key, Kind: string(er.Kind), Description: er.Description, Required: er.Required}
				for _, s := range er.Edges.Skills {
					cr.SkillIDs = append(cr.SkillIDs, s.ID)
				}
				co.Requirements = append(co.Requirements, cr)
			}
			cc.Options = append(cc.Options, co)
		}
		t.comps = append(t.comps, cc)
	}
	for i := range t.comps {
		for j := range t.comps[i].Options {
			o := &t.comps[i].Options[j]
			t.options[o.ID] = o
		}
	}
	return t, nil
}
