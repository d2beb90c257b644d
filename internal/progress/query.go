package progress

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
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
const countingUntil = `CASE WHEN r.expires_at IS NULL THEN s.valid_until
  WHEN s.valid_until IS NULL THEN r.expires_at
  WHEN r.expires_at < s.valid_until THEN r.expires_at
  ELSE s.valid_until END`

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

func skillCounts(ctx context.Context, c *ent.Client, orgID int, at time.Time, only requirementSet) (map[int]skillCount, error) {
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

// People returns the work accounts (user ids, by name) who count for a
// requirement of the organization at the moment at.
func (e *Engine) People(ctx context.Context, c *ent.Client, orgID, requirementID int, at time.Time) ([]int, error) {
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

// ScanTime converts a time read from an expression column: MySQL returns a
// time.Time, SQLite (modernc) the text it stored. NULL gives nil.
func ScanTime(v any) (*time.Time, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		t := x.UTC()
		return &t, nil
	case sql.NullTime:
		if !x.Valid {
			return nil, nil
		}
		t := x.Time.UTC()
		return &t, nil
	case []byte:
		return parseTimeText(string(x))
	case string:
		return parseTimeText(x)
	}
	return nil, fmt.Errorf("unexpected time value %T", v)
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02",
}

func parseTimeText(s string) (*time.Time, error) {
	t, err := ParseTime(s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ParseTime reads a time as the databases write it as text, in UTC: SQLite's
// "2006-01-02 15:04:05.999999-07:00" and MySQL's "2006-01-02 15:04:05.999999"
// are read by hand (a report reads several per row); any other layout of
// timeLayouts through time.Parse.
func ParseTime(s string) (time.Time, error) {
	if t, ok := parseDateTime(s); ok {
		return t, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// parseDateTime reads "YYYY-MM-DD hh:mm:ss" (or with a T), an optional
// fraction of up to nine digits and an optional zone: Z, or ±hh:mm. It
// reports false for anything else, leaving it to time.Parse.
func parseDateTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
		minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	rest, nsec := s[19:], 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		digits := n - 1
		if digits == 0 || digits > 9 {
			return time.Time{}, false
		}
		nsec = num(20, digits)
		for range 9 - digits {
			nsec *= 10
		}
		rest = rest[n:]
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		i := len(s) - 6
		oh, om := num(i+1, 2), num(i+4, 2)
		if oh < 0 || oh > 23 || om < 0 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // February 30th and the like
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}

// allPeopleSQL lists who counts for every requirement of the organization.
const allPeopleSQL = `SELECT DISTINCT rs.requirement_id, u.id, u.name ` + countingFrom + ` ORDER BY rs.requirement_id, u.name, u.id`

// fillPeople sets PeopleIDs of every SKILL requirement of org, in one statement.
func (e *Engine) fillPeople(ctx context.Context, c *ent.Client, org *Org) error {
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
	org.each(func(_ *Competency, _ *Option, r *Requirement) {
		if r.Kind == KindSkill {
			r.PeopleIDs = append([]int{}, byReq[r.ID]...)
		}
	})
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
	rows, err := c.QueryContext(ctx, `SELECT DISTINCT rs.requirement_id `+profileCountingFrom+` ORDER BY rs.requirement_id`,
		append(countingArgs(orgID, at), profileID)...)
	if err != nil {
		return nil, fmt.Errorf("listing the requirements profile %d counts towards: %w", profileID, err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
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
