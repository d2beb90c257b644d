package counting

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"certlink/ent"
	"certlink/internal/catalogrev"
)

// Hook keeps the state on every ent mutation that can change who counts, in
// the mutation's own transaction: a link started, ended or moved
// (Association), a result ingested, moved by a merge or deleted (Result), a
// work account deleted or renamed (User) refresh the people concerned at once —
// at-risk detection compares the state before and after within the
// transaction. A catalog change (a skill's validity end, a requirement's
// skills, a requirement removed) rebuilds the whole state once, just before
// its transaction commits. Writes made outside a transaction (tests' seeding)
// are followed by the refresh on the same client.
func Hook(dialectName string) ent.Hook {
	k := &keeper{dialect: dialectName}
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if ctx.Value(unkeptKey{}) != nil {
				return next.Mutate(ctx, m)
			}
			switch m.Type() {
			case "Association":
				return k.people(ctx, next, m, []string{"ended_at", "user_id", "profile_id", "organization_id"}, "user_id", "SELECT DISTINCT user_id FROM associations WHERE id IN ")
			case "User":
				return k.people(ctx, next, m, []string{"deleted_at", "name", "organization_id"}, "", "SELECT id FROM users WHERE id IN ")
			case "Result":
				return k.people(ctx, next, m, []string{"profile_id", "skill_id", "expires_at", "completed_at"}, "profile_id",
					"SELECT DISTINCT a.user_id FROM associations a JOIN results r ON r.profile_id = a.profile_id WHERE a.ended_at IS NULL AND r.id IN ")
			case "Skill", "Requirement", "Competency", "CompetencyOption", "SolutionArea":
				return k.catalog(ctx, next, m)
			}
			return next.Mutate(ctx, m)
		})
	}
}

type concerningKey struct{}

// Concerning is ctx for one update whose rows belong to the people userIDs
// and stay theirs: the caller read them under its locks and the update's
// predicates require them (e.g. WHERE user_id = ?). The people are then not
// read again to refresh their counts. Give it to that update only.
func Concerning(ctx context.Context, userIDs ...int) context.Context {
	return context.WithValue(ctx, concerningKey{}, userIDs)
}

type keeper struct {
	dialect string
	// rebuilding holds the transactions whose commit is rebuilding.
	rebuilding sync.Map // *ent.Tx → struct{}
	// areas keeps the solution areas' index of this client's database.
	areas catalogrev.Cache[*areaIndex]
}

type idsMutation interface {
	IDs(ctx context.Context) ([]int, error)
}

type clientMutation interface {
	Client() *ent.Client
}

type txMutation interface {
	Tx() (*ent.Tx, error)
}

func touches(m ent.Mutation, fields []string) bool {
	if m.Op().Is(ent.OpCreate) || m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne) {
		return true
	}
	for _, f := range append(m.Fields(), m.ClearedFields()...) {
		if slices.Contains(fields, f) {
			return true
		}
	}
	return false
}

// people runs a mutation of rows whose people are found by usersOf (a query
// on the mutated ids, ending in "IN "), refreshing the people before and
// after it. usersOf reads the mutated rows' column who only (none: ""), and
// no other table the mutation writes: an update leaving who alone concerns
// the same people after as before, and usersOf is not asked again.
func (k *keeper) people(ctx context.Context, next ent.Mutator, m ent.Mutation, fields []string, who string, usersOf string) (ent.Value, error) {
	if !touches(m, fields) {
		return next.Mutate(ctx, m)
	}
	c := m.(clientMutation).Client()
	if known, ok := ctx.Value(concerningKey{}).([]int); ok && m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) && (who == "" || !touches(m, []string{who})) {
		// The caller named the people of the rows, which this update leaves
		// theirs (Concerning).
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		return v, refresh(ctx, c, k.dialect, known, &k.areas)
	}
	var ids []int
	var users []int
	if !m.Op().Is(ent.OpCreate) {
		var err error
		if ids, err = m.(idsMutation).IDs(ctx); err != nil {
			return nil, err
		}
		if users, err = k.usersOf(ctx, c, usersOf, ids); err != nil {
			return nil, err
		}
	}
	v, err := next.Mutate(ctx, m)
	if err != nil {
		return v, err
	}
	if m.Op().Is(ent.OpCreate) {
		id, err := createdID(v)
		if err != nil {
			return nil, err
		}
		ids = []int{id}
	}
	same := !m.Op().Is(ent.OpCreate) && (who == "" || !touches(m, []string{who}))
	if a, ok := v.(*ent.Association); ok && m.Op().Is(ent.OpCreate) {
		users = append(users, a.UserID) // the new link names its person
	} else if !m.Op().Is(ent.OpDelete) && !m.Op().Is(ent.OpDeleteOne) && !same {
		after, err := k.usersOf(ctx, c, usersOf, ids)
		if err != nil {
			return nil, err
		}
		users = append(users, after...)
	}
	if err := refresh(ctx, c, k.dialect, users, &k.areas); err != nil {
		return nil, err
	}
	return v, nil
}

func createdID(v ent.Value) (int, error) {
	switch x := v.(type) {
	case *ent.Association:
		return x.ID, nil
	case *ent.Result:
		return x.ID, nil
	case *ent.User:
		return x.ID, nil
	}
	return 0, fmt.Errorf("counting: unexpected created value %T", v)
}

func (k *keeper) usersOf(ctx context.Context, c *ent.Client, q string, ids []int) ([]int, error) {
	var out []int
	for start := 0; start < len(ids); start += 500 {
		in, args := inList(ids[start:min(start+500, len(ids))])
		users, err := Ints(ctx, c, q+in, args...)
		if err != nil {
			return nil, fmt.Errorf("counting: finding whom a change concerns: %w", err)
		}
		out = append(out, users...)
	}
	return out, nil
}

// catalog runs a catalog mutation; one that can change who counts rebuilds
// the state before its transaction commits (at once outside a transaction).
func (k *keeper) catalog(ctx context.Context, next ent.Mutator, m ent.Mutation) (ent.Value, error) {
	dirty, err := catalogChange(ctx, m)
	if err != nil {
		return nil, err
	}
	v, err := next.Mutate(ctx, m)
	if err != nil || !dirty {
		return v, err
	}
	tx, terr := m.(txMutation).Tx()
	if terr != nil {
		return v, Rebuild(ctx, m.(clientMutation).Client())
	}
	// ent makes a new *Tx for every mutation's Tx(), so each dirty mutation
	// registers its hook; the *Tx being committed is one through the whole
	// chain, and only the outermost hook rebuilds.
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if _, inner := k.rebuilding.LoadOrStore(tx, struct{}{}); inner {
				return next.Commit(ctx, tx)
			}
			defer k.rebuilding.Delete(tx)
			if err := Rebuild(ctx, tx.Client()); err != nil {
				return err
			}
			return next.Commit(ctx, tx)
		})
	})
	return v, nil
}

// catalogChange reports whether a catalog mutation can change who counts:
// removing anything, a requirement's skills, a skill's validity end (an
// unchanged one, which applying the catalog file writes at every start, does
// not), a solution area made or its certification lists changed, a skill
// made or renumbered that a solution area lists.
func catalogChange(ctx context.Context, m ent.Mutation) (bool, error) {
	if m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne) {
		return true, nil
	}
	if am, ok := m.(*ent.SolutionAreaMutation); ok {
		return areaChange(ctx, am), nil
	}
	if sm, ok := m.(*ent.SkillMutation); ok {
		if n, set := sm.Number(); set {
			switch {
			case m.Op().Is(ent.OpCreate):
				if listed, err := areasList(ctx, sm.Client(), n); err != nil || listed {
					return true, err
				}
			case m.Op().Is(ent.OpUpdateOne):
				if old, err := sm.OldNumber(ctx); err != nil || old != n {
					return true, nil
				}
			default:
				return true, nil
			}
		}
	}
	if len(m.AddedEdges())+len(m.RemovedEdges())+len(m.ClearedEdges()) > 0 {
		if m.Type() == "Requirement" || m.Type() == "Skill" {
			return true, nil
		}
	}
	sm, ok := m.(*ent.SkillMutation)
	if !ok {
		return false, nil
	}
	newUntil, set := sm.ValidUntil()
	cleared := sm.ValidUntilCleared()
	if !set && !cleared {
		return false, nil
	}
	if !m.Op().Is(ent.OpUpdateOne) {
		return m.Op().Is(ent.OpUpdate), nil
	}
	old, err := sm.OldValidUntil(ctx)
	if err != nil {
		return true, nil
	}
	var fresh *time.Time
	if set {
		fresh = &newUntil
	}
	return !sameUntil(old, fresh), nil
}

// areaChange reports whether a solution area mutation can change who counts
// for it: a new area, or other certification lists.
func areaChange(ctx context.Context, m *ent.SolutionAreaMutation) bool {
	if !m.Op().Is(ent.OpUpdateOne) {
		return true
	}
	if inter, set := m.IntermediateSkills(); set {
		old, err := m.OldIntermediateSkills(ctx)
		if err != nil || !slices.Equal(old, inter) {
			return true
		}
	}
	if adv, set := m.AdvancedSkills(); set {
		old, err := m.OldAdvancedSkills(ctx)
		if err != nil || !slices.Equal(old, adv) {
			return true
		}
	}
	ai, _ := m.AppendedIntermediateSkills()
	aa, _ := m.AppendedAdvancedSkills()
	return len(ai)+len(aa) > 0
}

// areasList reports whether a solution area lists the skill number.
func areasList(ctx context.Context, c *ent.Client, number string) (bool, error) {
	levels, err := readAreaLevels(ctx, c)
	if err != nil {
		return false, err
	}
	return len(levels[number]) > 0, nil
}

type unkeptKey struct{}

// Unkept marks a context whose writes leave the kept state alone: bulk seeding
// (the bench's organizations, large test fixtures) writes its rows that way
// and calls Rebuild once at the end, instead of refreshing person by person.
func Unkept(ctx context.Context) context.Context { return context.WithValue(ctx, unkeptKey{}, true) }
