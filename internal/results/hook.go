package results

import (
	"context"
	"fmt"
	"slices"

	"certlink/ent"
	"certlink/ent/predicate"
	"certlink/ent/result"

	entsql "entgo.io/ent/dialect/sql"
)

// Hook keeps the report's flags on the ent mutations that change which result
// of a (profile, skill) holds it the longest without adding or moving results:
// a result's expiry or completion changed (an ingest re-sending it with another
// expiry, an operator's correction), and a skill's validity end changed (a
// catalog edit: the results of the skill are ranked again). Writers that add,
// move or remove results mark them themselves (MarkLatest, MarkLatestAdded),
// once per batch. With lock (MySQL) the rows are read FOR UPDATE.
func Hook(lock bool) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
				return next.Mutate(ctx, m)
			}
			switch mu := m.(type) {
			case *ent.ResultMutation:
				if changes(m, result.FieldExpiresAt, result.FieldCompletedAt) {
					return mutateThenMark(ctx, next, m, mu.IDs, func(ids []int) error { return markResults(ctx, mu.Client(), lock, ids) })
				}
			case *ent.SkillMutation:
				if changed, err := validityChanged(ctx, mu); err == nil && changed {
					return mutateThenMark(ctx, next, m, mu.IDs, func(ids []int) error { return markSkills(ctx, mu.Client(), lock, ids) })
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// mutateThenMark runs m, then mark on the ids it changed (read before: an
// update's predicates may no longer match after it).
func mutateThenMark(ctx context.Context, next ent.Mutator, m ent.Mutation, ids func(context.Context) ([]int, error), mark func([]int) error) (ent.Value, error) {
	changed, err := ids(ctx)
	if err != nil {
		return nil, err
	}
	v, err := next.Mutate(ctx, m)
	if err != nil || len(changed) == 0 {
		return v, err
	}
	return v, mark(changed)
}

func changes(m ent.Mutation, fields ...string) bool {
	for _, f := range append(m.Fields(), m.ClearedFields()...) {
		if slices.Contains(fields, f) {
			return true
		}
	}
	return false
}

// validityChanged reports whether a skill update sets another validity end (the
// catalog file, applied at every start, writes the same one again).
func validityChanged(ctx context.Context, m *ent.SkillMutation) (bool, error) {
	fresh, set := m.ValidUntil()
	if !set && !m.ValidUntilCleared() {
		return false, nil
	}
	if !m.Op().Is(ent.OpUpdateOne) {
		return true, nil
	}
	old, err := m.OldValidUntil(ctx)
	if err != nil {
		return true, nil
	}
	switch {
	case !set:
		return old != nil, nil
	case old == nil:
		return true, nil
	}
	return !old.Equal(fresh), nil
}

// markResults marks again the pairs of the results ids.
func markResults(ctx context.Context, c *ent.Client, lock bool, ids []int) error {
	var pairs []Added
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		rows, err := c.Result.Query().Where(result.IDIn(ids[:n]...)).Select(result.FieldProfileID, result.FieldSkillID).All(ctx)
		if err != nil {
			return fmt.Errorf("reading results to mark the ones the report shows: %w", err)
		}
		for _, r := range rows {
			pairs = append(pairs, Added{ProfileID: r.ProfileID, SkillID: r.SkillID})
		}
		ids = ids[n:]
	}
	return MarkPairs(ctx, c, lock, pairs)
}

// markSkills marks again every result of the skills ids, a few profiles at a
// time.
func markSkills(ctx context.Context, c *ent.Client, lock bool, ids []int) error {
	for _, id := range ids {
		after := 0
		for {
			profiles, err := c.Result.Query().Where(result.SkillID(id), predicate.Result(entsql.FieldGT(result.FieldProfileID, after))).
				Order(result.ByProfileID()).Unique(true).Limit(chunk).Select(result.FieldProfileID).Ints(ctx)
			if err != nil {
				return fmt.Errorf("reading the results of skill %d to mark the ones the report shows: %w", id, err)
			}
			if len(profiles) == 0 {
				break
			}
			pairs := make([]Added, len(profiles))
			for i, p := range profiles {
				pairs[i] = Added{ProfileID: p, SkillID: id}
			}
			if err := MarkPairs(ctx, c, lock, pairs); err != nil {
				return err
			}
			after = profiles[len(profiles)-1]
		}
	}
	return nil
}
