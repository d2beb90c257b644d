// Package results keeps the one fact about results that every writer must
// agree on: which result of a (profile, skill) is the latest. The skills
// report shows only that one (SPEC S1); a flag on the row lets it read the
// report without searching for a later result on every row.
package results

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"certlink/ent"
	"certlink/ent/result"

	entsql "entgo.io/ent/dialect/sql"
)

// chunk bounds the profiles of one statement: no giant IN lists.
const chunk = 500

// MarkLatest sets the latest flag of every result of the profiles: true on the
// latest completion of each skill (the higher id on a tie), false on the
// others. Call it in the transaction that wrote, moved or removed results of
// those profiles. With lock (MySQL) it reads the results FOR UPDATE: a
// locking read sees what concurrent transactions committed since this one
// began, and holds it, so two batches adding retakes of one skill at once
// cannot both flag their own as the latest. (SQLite runs one writer at a time.)
func MarkLatest(ctx context.Context, c *ent.Client, lock bool, profileIDs ...int) error {
	ids := slices.Clone(profileIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		if err := markLatest(ctx, c, lock, ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func markLatest(ctx context.Context, c *ent.Client, lock bool, profileIDs []int) error {
	q := c.Result.Query().Where(result.ProfileIDIn(profileIDs...))
	rows, err := latestOrder(ctx, q, lock)
	if err != nil {
		return err
	}
	return flagLatest(ctx, c, rows, nil)
}

// latestOrder reads q's results newest first within each (profile, skill),
// the order flagLatest reads them in; with lock FOR UPDATE (MySQL).
func latestOrder(ctx context.Context, q *ent.ResultQuery, lock bool) ([]*ent.Result, error) {
	q.Select(result.FieldID, result.FieldProfileID, result.FieldSkillID, result.FieldCompletedAt, result.FieldLatest).
		Order(result.ByProfileID(), result.BySkillID(), result.ByCompletedAt(entsql.OrderDesc()), result.ByID(entsql.OrderDesc()))
	if lock {
		q.ForUpdate()
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading results to mark the latest: %w", err)
	}
	return rows, nil
}

// flagLatest sets the latest flag on the first row of each (profile, skill)
// of rows (ordered as markLatest reads them) and clears it on the others,
// writing only the flags that change; with only, just the pairs it accepts.
func flagLatest(ctx context.Context, c *ent.Client, rows []*ent.Result, only func(*ent.Result) bool) error {
	var set, clear []int
	for i, r := range rows {
		if only != nil && !only(r) {
			continue
		}
		first := i == 0 || rows[i-1].ProfileID != r.ProfileID || rows[i-1].SkillID != r.SkillID
		switch {
		case first && !r.Latest:
			set = append(set, r.ID)
		case !first && r.Latest:
			clear = append(clear, r.ID)
		}
	}
	for _, u := range []struct {
		ids    []int
		latest bool
	}{{set, true}, {clear, false}} {
		for len(u.ids) > 0 {
			n := min(chunk, len(u.ids))
			if err := c.Result.Update().Where(result.IDIn(u.ids[:n]...)).SetLatest(u.latest).Exec(ctx); err != nil {
				return fmt.Errorf("marking the latest results: %w", err)
			}
			u.ids = u.ids[n:]
		}
	}
	return nil
}

// misflagged selects the results whose flag is wrong, on SQLite and MySQL.
const misflagged = `SELECT r.id FROM results r WHERE r.latest <> (NOT EXISTS (SELECT 1 FROM results r2
  WHERE r2.profile_id = r.profile_id AND r2.skill_id = r.skill_id
    AND (r2.completed_at > r.completed_at OR (r2.completed_at = r.completed_at AND r2.id > r.id))))`

// Misflagged counts the results whose latest flag is wrong: zero, always (the
// tests check it after every test).
func Misflagged(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+misflagged+") x").Scan(&n)
	return n, err
}

// Repair corrects every flag in one statement: for a database upgraded from a
// certlink without the flag, whose results all start out flagged latest. (The
// subquery goes through a derived table: MySQL refuses to read the table an
// UPDATE writes otherwise.)
func Repair(ctx context.Context, db *sql.DB) (int64, error) {
	res, err := db.ExecContext(ctx, "UPDATE results SET latest = 1 - latest WHERE id IN (SELECT id FROM ("+misflagged+") x)")
	if err != nil {
		return 0, fmt.Errorf("repairing the latest flags: %w", err)
	}
	return res.RowsAffected()
}

// Added is a result just written (ID) to its profile and skill.
type Added struct{ ID, ProfileID, SkillID int }

// MarkLatestAdded keeps the latest flags after results were added, when the
// flags were right before (every writer keeps them): the latest of each
// touched (profile, skill) is then either the one flagged already or one of
// the added, so only those rows are read — not the profiles' whole history,
// which a bulk ingest of one person's thousands of results would read again
// for every batch. With lock (MySQL) the rows are read FOR UPDATE.
func MarkLatestAdded(ctx context.Context, c *ent.Client, lock bool, added []Added) error {
	for len(added) > 0 {
		n := min(chunk, len(added))
		if err := markLatestAdded(ctx, c, lock, added[:n]); err != nil {
			return err
		}
		added = added[n:]
	}
	return nil
}

func markLatestAdded(ctx context.Context, c *ent.Client, lock bool, added []Added) error {
	type pair struct{ profile, skill int }
	touched := map[pair]bool{}
	var profiles, skills, ids []int
	for _, a := range added {
		touched[pair{a.ProfileID, a.SkillID}] = true
		profiles = append(profiles, a.ProfileID)
		skills = append(skills, a.SkillID)
		ids = append(ids, a.ID)
	}
	for _, s := range []*[]int{&profiles, &skills} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	q := c.Result.Query().Where(result.ProfileIDIn(profiles...), result.SkillIDIn(skills...),
		result.Or(result.Latest(true), result.IDIn(ids...)))
	rows, err := latestOrder(ctx, q, lock)
	if err != nil {
		return err
	}
	return flagLatest(ctx, c, rows, func(r *ent.Result) bool { return touched[pair{r.ProfileID, r.SkillID}] })
}
