// Package results keeps the one fact about results that every writer must
// agree on: which result of a (profile, skill) the skills report shows (SPEC
// S1: one row per person and skill). A flag on the row (the column is still
// called latest) lets the report read it without ranking a profile's results
// on every row.
//
// The row shown is the result that makes the person hold the skill the
// longest, as progress counts it (C2, C3): the latest counting.Until — its
// expiry or its skill's validity end, the earlier; never beats any date —
// then the latest completion, then the higher id. So a person counting through
// an older result that never expires is shown with that result, not with a
// newer one that has expired, and the report's "counting", competencies and
// "counts until" agree with progress. The rank does not depend on the clock,
// only on the results and their skill's validity end: writers of results keep
// it (MarkLatest, MarkLatestAdded, MarkPairs), and Hook keeps it when a
// result's dates or a skill's validity end change.
package results

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"certlink/ent"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/internal/counting"

	entsql "entgo.io/ent/dialect/sql"
)

// chunk bounds the profiles of one statement: no giant IN lists.
const chunk = 500

// MarkLatest sets the flag of every result of the profiles: true on the one
// the report shows for each skill (Better than the others), false on the
// others. Call it in the transaction that wrote, moved or removed results of
// those profiles. With lock (MySQL) it reads the results FOR UPDATE: a
// locking read sees what concurrent transactions committed since this one
// began, and holds it, so two batches adding retakes of one skill at once
// cannot both flag their own. (SQLite runs one writer at a time.)
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
	rows, err := bestFirst(ctx, c, q, lock)
	if err != nil {
		return err
	}
	return flagLatest(ctx, c, rows, nil)
}

// Better reports whether result a holds its skill longer than b, of the same
// profile and skill whose validity end is validUntil (nil: none): a later
// counting.Until (nil, never, beats any date), then a later completion, then a
// higher id.
func Better(a, b *ent.Result, validUntil *time.Time) bool {
	ua, ub := counting.Until(a.ExpiresAt, validUntil), counting.Until(b.ExpiresAt, validUntil)
	switch {
	case (ua == nil) != (ub == nil):
		return ua == nil
	case ua != nil && !ua.Equal(*ub):
		return ua.After(*ub)
	case !a.CompletedAt.Equal(b.CompletedAt):
		return a.CompletedAt.After(b.CompletedAt)
	}
	return a.ID > b.ID
}

// bestFirst reads q's results grouped by (profile, skill), the one to show
// first in each, the order flagLatest reads them in; with lock FOR UPDATE
// (MySQL), their skills' validity ends read FOR SHARE first (the newest
// committed, held until commit: a catalog change of one waits, then marks
// again through Hook).
func bestFirst(ctx context.Context, c *ent.Client, q *ent.ResultQuery, lock bool) ([]*ent.Result, error) {
	q.Select(result.FieldID, result.FieldProfileID, result.FieldSkillID, result.FieldCompletedAt, result.FieldExpiresAt, result.FieldLatest).
		Order(result.ByProfileID(), result.BySkillID())
	if lock {
		q.ForUpdate()
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading results to mark the ones the report shows: %w", err)
	}
	var skillIDs []int
	for _, r := range rows {
		skillIDs = append(skillIDs, r.SkillID)
	}
	slices.Sort(skillIDs)
	skillIDs = slices.Compact(skillIDs)
	validUntil := make(map[int]*time.Time, len(skillIDs))
	for len(skillIDs) > 0 {
		n := min(chunk, len(skillIDs))
		sq := c.Skill.Query().Where(skill.IDIn(skillIDs[:n]...)).Select(skill.FieldID, skill.FieldValidUntil)
		if lock {
			sq.ForShare(entsql.WithLockClause("LOCK IN SHARE MODE")) // MariaDB has no FOR SHARE
		}
		skills, err := sq.All(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading skills to mark the results the report shows: %w", err)
		}
		for _, sk := range skills {
			validUntil[sk.ID] = sk.ValidUntil
		}
		skillIDs = skillIDs[n:]
	}
	slices.SortFunc(rows, func(a, b *ent.Result) int {
		switch {
		case a.ProfileID != b.ProfileID:
			return a.ProfileID - b.ProfileID
		case a.SkillID != b.SkillID:
			return a.SkillID - b.SkillID
		case Better(a, b, validUntil[a.SkillID]):
			return -1
		case Better(b, a, validUntil[a.SkillID]):
			return 1
		}
		return 0
	})
	return rows, nil
}

// flagLatest sets the flag on the first row of each (profile, skill) of rows
// (ordered as bestFirst returns them) and clears it on the others, writing
// only the flags that change; with only, just the pairs it accepts.
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
	}{{clear, false}, {set, true}} {
		for len(u.ids) > 0 {
			n := min(chunk, len(u.ids))
			if err := c.Result.Update().Where(result.IDIn(u.ids[:n]...)).SetLatest(u.latest).Exec(ctx); err != nil {
				return fmt.Errorf("marking the results the report shows: %w", err)
			}
			u.ids = u.ids[n:]
		}
	}
	return nil
}

// misflagged selects the results whose flag is wrong, on SQLite and MySQL:
// flagged while a Better result of the pair exists, or not flagged while none
// does. u1 and u2 are r's and r2's counting.Until (NULL: never).
var misflagged = func() string {
	until := func(r string) string {
		return `(CASE WHEN ` + r + `.expires_at IS NULL THEN s.valid_until
      WHEN s.valid_until IS NULL THEN ` + r + `.expires_at
      WHEN ` + r + `.expires_at < s.valid_until THEN ` + r + `.expires_at
      ELSE s.valid_until END)`
	}
	u1, u2 := until("r"), until("r2")
	return `SELECT r.id FROM results r JOIN skills s ON s.id = r.skill_id
WHERE r.latest <> (NOT EXISTS (SELECT 1 FROM results r2
  WHERE r2.profile_id = r.profile_id AND r2.skill_id = r.skill_id AND r2.id <> r.id
    AND ((` + u2 + ` IS NULL AND ` + u1 + ` IS NOT NULL)
      OR ` + u2 + ` > ` + u1 + `
      OR ((` + u2 + ` = ` + u1 + ` OR (` + u2 + ` IS NULL AND ` + u1 + ` IS NULL))
        AND (r2.completed_at > r.completed_at OR (r2.completed_at = r.completed_at AND r2.id > r.id))))))`
}()

// Misflagged counts the results whose flag is wrong: zero, always (the
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

// MarkLatestAdded keeps the flags after results were added, when the flags
// were right before (every writer keeps them): the one to show of each touched
// (profile, skill) is then either the one flagged already or one of the added,
// so only those rows are read — not the profiles' whole history, which a bulk
// ingest of one person's thousands of results would read again for every
// batch. With lock (MySQL) the rows are read FOR UPDATE.
func MarkLatestAdded(ctx context.Context, c *ent.Client, lock bool, added []Added) error {
	return markPairs(ctx, c, lock, added, true)
}

// MarkPairs sets the flags of every result of the (profile, skill) pairs of
// changed (ID unused), reading each pair's whole history: after a result's
// expiry or completion changed, the one to show may be any of them.
func MarkPairs(ctx context.Context, c *ent.Client, lock bool, changed []Added) error {
	return markPairs(ctx, c, lock, changed, false)
}

func markPairs(ctx context.Context, c *ent.Client, lock bool, added []Added, onlyAdded bool) error {
	for len(added) > 0 {
		n := min(chunk, len(added))
		if err := markPairChunk(ctx, c, lock, added[:n], onlyAdded); err != nil {
			return err
		}
		added = added[n:]
	}
	return nil
}

func markPairChunk(ctx context.Context, c *ent.Client, lock bool, added []Added, onlyAdded bool) error {
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
	q := c.Result.Query().Where(result.ProfileIDIn(profiles...), result.SkillIDIn(skills...))
	if onlyAdded {
		q.Where(result.Or(result.Latest(true), result.IDIn(ids...)))
	}
	rows, err := bestFirst(ctx, c, q, lock)
	if err != nil {
		return err
	}
	return flagLatest(ctx, c, rows, func(r *ent.Result) bool { return touched[pair{r.ProfileID, r.SkillID}] })
}
