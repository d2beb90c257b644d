package progress

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/internal/counting"
)

// countingFrom is the one statement of who counts (C2): a result held by a
// profile with an active Learning or Partner University link to the
// organization, of a work account that is not deleted, completed by the moment
// asked, not expired, of a skill still inside its validity (C3), for a
// requirement listing that skill. Arguments: countingArgs.
const countingFrom = countingJoins + `
JOIN requirement_skills rs ON rs.skill_id = r.skill_id` + countingWhere

// CountingResultsFrom is the same rule without the requirement: every counting
// result of the organization, for other metrics built on the same people (the
// capability score). Aliases: a (association), u (user), r (result), s (skill).
// Arguments: CountingArgs.
const CountingResultsFrom = countingJoins + countingWhere

const countingJoins = `
FROM associations a
JOIN users u ON u.id = a.user_id AND u.deleted_at IS NULL
JOIN results r ON r.profile_id = a.profile_id
JOIN skills s ON s.id = r.skill_id`

const countingWhere = `
WHERE a.organization_id = ? AND a.ended_at IS NULL
  AND r.completed_at <= ?
  AND (r.expires_at IS NULL OR r.expires_at > ?)
  AND (s.valid_until IS NULL OR s.valid_until > ?)`

// CountingArgs are the arguments of CountingResultsFrom.
func CountingArgs(orgID int, at time.Time) []any { return countingArgs(orgID, at) }

func countingArgs(orgID int, at time.Time) []any {
	at = at.UTC()
	return []any{orgID, at, at, at}
}

// countingUntil is when one counting result stops counting: its expiry or its
// skill's validity end, whichever comes first; NULL is "never".
const countingUntil = counting.UntilSQL

// The statements below compute progress from scratch from links and results:
// the oracle that the kept state (kept.go, internal/counting) is held to by the
// property tests. Progress itself reads the kept state.

// skillCountsSQL counts distinct people per SKILL requirement and finds when
// each would become unmet: every person counts until the latest end (expiry or
// skill validity end, the earlier of the two per result) among their counting
// results; with cnt people and `required` needed, the requirement falls when the
// (cnt-required+1)-th earliest of those ends passes. A NULL end is "never".
// filter restricts the counting rows (requirementSet.where): the cost of the
// statement falls with the requirements asked about.
func skillCountsSQL(filter string) string {
	return `
WITH counted AS (
  SELECT rs.requirement_id AS rid, a.user_id AS uid,
    ` + countingUntil + ` AS until_at
  ` + countingFrom + filter + `
),
per_person AS (
  SELECT rid, uid, MAX(CASE WHEN until_at IS NULL THEN 1 ELSE 0 END) AS forever, MAX(until_at) AS until_at
  FROM counted GROUP BY rid, uid
),
ranked AS (
  SELECT rid, forever, until_at,
    ROW_NUMBER() OVER (PARTITION BY rid ORDER BY forever, until_at) AS rn,
    COUNT(*) OVER (PARTITION BY rid) AS cnt
  FROM per_person
)
SELECT k.rid, MAX(k.cnt),
  MAX(CASE WHEN k.rn = k.cnt - q.required + 1 AND k.forever = 0 THEN k.until_at END)
FROM ranked k JOIN requirements q ON q.id = k.rid
GROUP BY k.rid`
}

type skillCount struct {
	current int
	unmetOn *time.Time
}

func oracleSkillCounts(ctx context.Context, c *ent.Client, orgID int, at time.Time, only requirementSet) (map[int]skillCount, error) {
	filter, filterArgs := only.where()
	rows, err := c.QueryContext(ctx, skillCountsSQL(filter), append(countingArgs(orgID, at), filterArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("counting people per requirement: %w", err)
	}
	defer rows.Close()
	out := map[int]skillCount{}
	for rows.Next() {
		var (
			rid, cnt int
			until    any
		)
		if err := rows.Scan(&rid, &cnt, &until); err != nil {
			return nil, err
		}
		t, err := ScanTime(until)
		if err != nil {
			return nil, err
		}
		out[rid] = skillCount{current: cnt, unmetOn: t}
	}
	return out, rows.Err()
}

// peopleSQL lists who counts for one requirement, by name.
const peopleSQL = `SELECT DISTINCT u.id, u.name ` + countingFrom + ` AND rs.requirement_id = ? ORDER BY u.name, u.id`

// oraclePeople is People computed from scratch.
func (e *Engine) oraclePeople(ctx context.Context, c *ent.Client, orgID, requirementID int, at time.Time) ([]int, error) {
	rows, err := c.QueryContext(ctx, peopleSQL, append(countingArgs(orgID, at), requirementID)...)
	if err != nil {
		return nil, fmt.Errorf("listing people who count: %w", err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var (
			id   int
			name string
		)
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ScanTime converts a time read from an expression column (counting.ScanTime).
func ScanTime(v any) (*time.Time, error) { return counting.ScanTime(v) }

// ParseTime reads a time as the databases write it as text (counting.ParseTime).
func ParseTime(s string) (time.Time, error) { return counting.ParseTime(s) }

// allPeopleSQL lists who counts for every requirement of the organization.
const allPeopleSQL = `SELECT DISTINCT rs.requirement_id, u.id, u.name ` + countingFrom + ` ORDER BY rs.requirement_id, u.name, u.id`

// fillPeopleFromScratch is fillPeople read from the links and results
// (countingFrom) instead of the kept state: a scenario's rows are not kept.
func (e *Engine) fillPeopleFromScratch(ctx context.Context, c *ent.Client, org *Org) error {
	rows, err := c.QueryContext(ctx, allPeopleSQL, countingArgs(org.OrgID, org.At)...)
	if err != nil {
		return fmt.Errorf("listing people who count: %w", err)
	}
	defer rows.Close()
	byReq := map[int][]int{}
	for rows.Next() {
		var (
			rid, uid int
			name     string
		)
		if err := rows.Scan(&rid, &uid, &name); err != nil {
			return err
		}
		byReq[rid] = append(byReq[rid], uid)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	org.setPeople(byReq)
	return nil
}

// profileCountingFrom is countingFrom for one profile's link. Arguments:
// countingArgs, then the profile id.
const profileCountingFrom = countingFrom + ` AND a.profile_id = ?`

// CountsTowards returns the requirements (ids, ascending) a profile's active
// link to the organization makes its holder count towards at the moment at,
// by the rule of the progress count. Ending that link can make
// only these requirements unmet, so at-risk detection computes only them
// (ComputeOnly). None when the person counts for nothing.
func (e *Engine) CountsTowards(ctx context.Context, c *ent.Client, orgID, profileID int, at time.Time) ([]int, error) {
	ids, err := counting.Ints(ctx, c, `SELECT DISTINCT rs.requirement_id `+profileCountingFrom+` ORDER BY rs.requirement_id`,
		append(countingArgs(orgID, at), profileID)...)
	if err != nil {
		return nil, fmt.Errorf("listing the requirements profile %d counts towards: %w", profileID, err)
	}
	return ids, nil
}

// requirementSet restricts a computation to some requirements; nil is all of
// them (Compute), so the whole and the partial computation are one code path.
type requirementSet map[int]bool

func newRequirementSet(ids []int) requirementSet {
	s := make(requirementSet, len(ids))
	for _, id := range ids {
		s[id] = true
	}
	return s
}

// ids returns the set's requirement ids, ascending, so that a statement built
// from them reads the same for the same set.
func (s requirementSet) ids() []int {
	ids := make([]int, 0, len(s))
	for id := range s {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// where returns the condition that keeps only the set's counting rows (alias
// rs, requirement_skills) and its arguments: nothing for the nil set.
func (s requirementSet) where() (string, []any) {
	if s == nil {
		return "", nil
	}
	if len(s) == 0 {
		return " AND 1 = 0", nil // IN () is not SQL
	}
	ids := s.ids()
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return " AND rs.requirement_id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")", args
}
