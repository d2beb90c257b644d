package counting

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"certlink/ent"
	"certlink/internal/catalogrev"
)

// The solution areas' kept state (issue 15): per (organization, area level,
// person) a span — until when the person counts for the area's intermediate
// (or advanced) certifications metric — and per (organization, area level) a
// tally, kept by the same writers in the same transactions as the
// requirements' (Refresh, Rebuild). An area level is the area's id × 2, plus 1
// for advanced certifications (AreaLevel). The rule of who counts is the
// competencies' (SPEC L5, C3; designation's scan, SQLCounts, is the oracle):
// a result of one of the level's certifications held by a profile actively
// linked to the organization, of a work account not deleted, counting until
// its expiry or its skill's validity end, the earlier; a person's span ends
// at the latest such end.

// Levels of an area's skilling metrics.
const (
	Intermediate = 0
	Advanced     = 1
)

// AreaLevel is the kept key of an area's intermediate or advanced
// certifications.
func AreaLevel(areaID, level int) int { return areaID*2 + level }

// areaRef is one level a skill counts for.
type areaRef struct {
	level  int // AreaLevel
	number string
}

// areaIndex maps the skills the solution areas list to the levels they count
// for.
type areaIndex struct {
	bySkill  map[int][]areaRef
	skillIDs []int
}

// readAreaIndex reads the areas' certification lists and their skills' ids.
func readAreaIndex(ctx context.Context, c *ent.Client) (*areaIndex, error) {
	byNumber, err := readAreaLevels(ctx, c)
	if err != nil {
		return nil, err
	}
	idx := &areaIndex{bySkill: map[int][]areaRef{}}
	if len(byNumber) == 0 {
		return idx, nil
	}
	numbers := make([]any, 0, len(byNumber))
	for n := range byNumber {
		numbers = append(numbers, n)
	}
	rows, err := c.QueryContext(ctx, "SELECT id, number FROM skills WHERE number IN (?"+strings.Repeat(", ?", len(numbers)-1)+")", numbers...)
	if err != nil {
		return nil, fmt.Errorf("counting: reading the solution areas' skills: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id     int
			number string
		)
		if err := rows.Scan(&id, &number); err != nil {
			return nil, err
		}
		for _, l := range byNumber[number] {
			idx.bySkill[id] = append(idx.bySkill[id], areaRef{level: l, number: number})
		}
		idx.skillIDs = append(idx.skillIDs, id)
	}
	slices.Sort(idx.skillIDs)
	return idx, rows.Err()
}

// readAreaLevels reads, per certification number the solution areas list,
// the area levels it counts for.
func readAreaLevels(ctx context.Context, c *ent.Client) (map[string][]int, error) {
	rows, err := c.QueryContext(ctx, "SELECT id, intermediate_skills, advanced_skills FROM solution_areas")
	if err != nil {
		return nil, fmt.Errorf("counting: reading the solution areas: %w", err)
	}
	byNumber := map[string][]int{}
	for rows.Next() {
		var (
			id         int
			inter, adv any
		)
		if err := rows.Scan(&id, &inter, &adv); err != nil {
			rows.Close()
			return nil, err
		}
		for level, raw := range []any{inter, adv} {
			var numbers []string
			if err := decodeJSON(raw, &numbers); err != nil {
				rows.Close()
				return nil, fmt.Errorf("counting: reading solution area %d's certifications: %w", id, err)
			}
			for _, n := range numbers {
				if !slices.Contains(byNumber[n], AreaLevel(id, level)) {
					byNumber[n] = append(byNumber[n], AreaLevel(id, level))
				}
			}
		}
	}
	return byNumber, rows.Close()
}

func decodeJSON(raw any, v any) error {
	switch x := raw.(type) {
	case nil:
		return nil
	case []byte:
		return json.Unmarshal(x, v)
	case string:
		return json.Unmarshal([]byte(x), v)
	}
	return fmt.Errorf("unexpected JSON value %T", raw)
}

// areaResultsSQL lists the results of the areas' skills held by people
// through their active links; the user condition follows.
const areaResultsSQL = `SELECT a.organization_id, a.user_id, u.name, r.skill_id, r.expires_at, s.valid_until
FROM associations a
JOIN users u ON u.id = a.user_id AND u.deleted_at IS NULL
JOIN results r ON r.profile_id = a.profile_id
JOIN skills s ON s.id = r.skill_id
WHERE a.ended_at IS NULL AND r.skill_id IN `

// freshAreaSpans computes the area spans of the people whose condition
// (e.g. "a.user_id IN (?, ?)") and arguments are given, from the source
// tables.
func freshAreaSpans(ctx context.Context, c *ent.Client, dialectName string, idx *areaIndex, cond string, condArgs []any) ([]Span, error) {
	if len(idx.skillIDs) == 0 {
		return nil, nil
	}
	skills, args := inList(idx.skillIDs)
	q := areaResultsSQL
	if dialectName == dialect.MySQL {
		// The people's links first, as written: with stale statistics (a
		// bulk load) MariaDB may start at the skills' results and read every
		// result of them.
		q = "SELECT STRAIGHT_JOIN" + strings.TrimPrefix(q, "SELECT")
	}
	rows, err := c.QueryContext(ctx, q+skills+" AND "+cond+lockShare(dialectName), append(args, condArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("counting: computing area spans: %w", err)
	}
	defer rows.Close()
	byKey := map[spanKey]int{}
	var out []Span
	for rows.Next() {
		var (
			org, user, skill   int
			name               string
			expiresRaw, valRaw any
		)
		if err := rows.Scan(&org, &user, &name, &skill, &expiresRaw, &valRaw); err != nil {
			return nil, err
		}
		expires, err := ScanTime(expiresRaw)
		if err != nil {
			return nil, err
		}
		valid, err := ScanTime(valRaw)
		if err != nil {
			return nil, err
		}
		until := countsUntil(expires, valid)
		for _, ref := range idx.bySkill[skill] {
			k := spanKey{org, ref.level, user}
			i, ok := byKey[k]
			if !ok {
				byKey[k] = len(out)
				out = append(out, Span{OrgID: org, RequirementID: ref.level, UserID: user, Name: name, Until: until, Skill: ref.number})
				continue
			}
			if EndsLater(until, ref.number, out[i].Until, out[i].Skill) {
				out[i].Until, out[i].Skill = until, ref.number
			}
		}
	}
	return out, rows.Err()
}

// countsUntil is when a result stops counting: its expiry or its skill's
// validity end, the earlier (UntilSQL); nil is never.
func countsUntil(expires, validUntil *time.Time) *time.Time {
	switch {
	case expires == nil:
		return validUntil
	case validUntil == nil || expires.Before(*validUntil):
		return expires
	}
	return validUntil
}

// EndsLater reports whether a result ending at a (of skill an) gives a
// person's span rather than one ending at b (skill bn): the later end (nil
// is never), the lower certification number among equal ends.
func EndsLater(a *time.Time, an string, b *time.Time, bn string) bool {
	switch {
	case a == nil && b == nil:
		return an < bn
	case a == nil:
		return true
	case b == nil:
		return false
	case a.Equal(*b):
		return an < bn
	}
	return a.After(*b)
}

// refreshAreas is Refresh's part for the solution areas, for the people ids
// (their IN list in and args; lock locks the kept rows on MySQL).
func refreshAreas(ctx context.Context, c *ent.Client, dialectName string, in string, args []any, lock string, areas *catalogrev.Cache[*areaIndex]) error {
	read := func() (*areaIndex, error) { return readAreaIndex(ctx, c) }
	var (
		idx *areaIndex
		err error
	)
	if areas != nil {
		// Kept per catalog revision: the index is the areas' lists and their
		// skills' ids, catalog tables all; never changed once read.
		idx, err = areas.Get(ctx, c, read)
	} else {
		idx, err = read()
	}
	if err != nil {
		return err
	}
	fresh, err := freshAreaSpans(ctx, c, dialectName, idx, "a.user_id IN "+in, args)
	if err != nil {
		return err
	}
	old, err := keptSpans(ctx, c, areaTable, "SELECT "+areaTable.spanColumns()+" FROM area_spans WHERE user_id IN "+in+lock, args...)
	if err != nil {
		return err
	}
	return apply(ctx, c, dialectName, areaTable, old, fresh)
}

// RebuildAreas replaces the areas' kept state with a computation from the
// source tables, through c (a transaction's client): the upgrade's fill and
// what a change of the areas' certification lists does. Rebuild calls it.
func RebuildAreas(ctx context.Context, c *ent.Client) error {
	dialectName, err := dialectOf(ctx, c)
	if err != nil {
		return err
	}
	version, err := maxVersion(ctx, c, "area_tallies")
	if err != nil {
		return fmt.Errorf("counting: rebuilding the areas' kept state: %w", err)
	}
	for _, q := range []string{"DELETE FROM area_spans", "DELETE FROM area_tallies"} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("counting: rebuilding the areas' kept state: %w", err)
		}
	}
	idx, err := readAreaIndex(ctx, c)
	if err != nil {
		return err
	}
	if len(idx.skillIDs) == 0 {
		return nil
	}
	// People in ranges of ids, so that a large database is read in pieces
	// (the index on associations(user_id, ended_at) serves each).
	var lo int
	for {
		var hi int
		rows, err := c.QueryContext(ctx, "SELECT MAX(user_id) FROM (SELECT DISTINCT user_id FROM associations WHERE ended_at IS NULL AND user_id > ? ORDER BY user_id LIMIT 2000) x", lo)
		if err != nil {
			return fmt.Errorf("counting: rebuilding the areas' kept state: %w", err)
		}
		var raw any
		if rows.Next() {
			err = rows.Scan(&raw)
		}
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("counting: rebuilding the areas' kept state: %w", err)
		}
		if raw == nil {
			break
		}
		if hi, err = asInt(raw); err != nil {
			return err
		}
		spans, err := freshAreaSpans(ctx, c, dialectName, idx, "a.user_id > ? AND a.user_id <= ?", []any{lo, hi})
		if err != nil {
			return err
		}
		if err := insertSpans(ctx, c, areaTable, spans); err != nil {
			return err
		}
		lo = hi
	}
	_, err = c.ExecContext(ctx, `INSERT INTO area_tallies (organization_id, area_level, forever, finite_after, settled_at, version)
SELECT organization_id, area_level, SUM(CASE WHEN ends_at IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN ends_at IS NULL THEN 0 ELSE 1 END), ?, ?
FROM area_spans GROUP BY organization_id, area_level`, Epoch, version+1)
	if err != nil {
		return fmt.Errorf("counting: rebuilding the areas' tallies: %w", err)
	}
	return nil
}

func asInt(v any) (int, error) {
	switch x := v.(type) {
	case int64:
		return int(x), nil
	case int:
		return x, nil
	case []byte:
		var n int
		_, err := fmt.Sscan(string(x), &n)
		return n, err
	case string:
		var n int
		_, err := fmt.Sscan(x, &n)
		return n, err
	}
	return 0, fmt.Errorf("counting: unexpected number %T", v)
}

// maxVersion is the highest version of a tally table (0 when empty).
func maxVersion(ctx context.Context, c *ent.Client, tallies string) (int64, error) {
	var version int64
	rows, err := c.QueryContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM "+tallies)
	if err != nil {
		return 0, err
	}
	if rows.Next() {
		err = rows.Scan(&version)
	}
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return version, err
}

// dialectOf tells SQLite from MySQL/MariaDB by asking (a rebuild is rare).
func dialectOf(ctx context.Context, c *ent.Client) (string, error) {
	rows, err := c.QueryContext(ctx, "SELECT sqlite_version()")
	if err != nil {
		// Only SQLite has the function; a transaction on MySQL stays usable
		// after a statement fails.
		return dialect.MySQL, nil
	}
	return dialect.SQLite, rows.Close()
}

// AreaSpans returns every kept area span (tests and the upgrade check compare
// them with RecomputeAreas); RequirementID holds the area level.
func AreaSpans(ctx context.Context, c *ent.Client) ([]Span, error) {
	ks, err := keptSpans(ctx, c, areaTable, "SELECT "+areaTable.spanColumns()+" FROM area_spans")
	if err != nil {
		return nil, err
	}
	out := make([]Span, len(ks))
	for i, k := range ks {
		out[i] = k.Span
	}
	sortSpans(out)
	return out, nil
}

// RecomputeAreas returns the area spans as the source tables give them now,
// ordered like AreaSpans: the oracle of the kept state.
func RecomputeAreas(ctx context.Context, c *ent.Client) ([]Span, error) {
	idx, err := readAreaIndex(ctx, c)
	if err != nil {
		return nil, err
	}
	out, err := freshAreaSpans(ctx, c, dialect.SQLite, idx, "1 = 1", nil)
	if err != nil {
		return nil, err
	}
	sortSpans(out)
	return out, nil
}

func sortSpans(s []Span) {
	slices.SortFunc(s, func(a, b Span) int {
		if a.OrgID != b.OrgID {
			return a.OrgID - b.OrgID
		}
		if a.RequirementID != b.RequirementID {
			return a.RequirementID - b.RequirementID
		}
		return a.UserID - b.UserID
	})
}

// AreaTallyDrift is TallyDrift for the areas' tallies.
func AreaTallyDrift(ctx context.Context, c *ent.Client) ([]string, error) {
	return tallyDrift(ctx, c, areaTable)
}
