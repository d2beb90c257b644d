package progress

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"certlink/ent"
)

// Lapse is a person who counts for a requirement at one moment and stops
// counting by a later one, with the result whose end takes them out (N1, B2).
type Lapse struct {
	UserID int
	Name   string
	// Skill is the number of the person's last counting result to end.
	Skill string
	// Until is when that result stops counting: its expiry or its skill's
	// validity end, whichever comes first.
	Until time.Time
}

// lapsingSQL: per person who counts for one requirement at the moment asked,
// the latest end among their counting results (countingUntil); the people
// whose latest end is finite and no later than the horizon, each with the
// result that ends then.
const lapsingSQL = `
WITH counted AS (
  SELECT a.user_id AS uid, u.name AS name, s.number AS number,
    ` + countingUntil + ` AS until_at
  ` + countingFrom + ` AND rs.requirement_id = ?
),
per_person AS (
  SELECT uid, MAX(CASE WHEN until_at IS NULL THEN 1 ELSE 0 END) AS forever, MAX(until_at) AS until_at
  FROM counted GROUP BY uid
)
SELECT c.uid, MIN(c.name), MIN(c.number), p.until_at
FROM counted c JOIN per_person p ON p.uid = c.uid AND c.until_at = p.until_at
WHERE p.forever = 0 AND p.until_at <= ?
GROUP BY c.uid, p.until_at
ORDER BY p.until_at, MIN(c.name), c.uid
LIMIT ?`

// oracleLapsing is Lapsing computed from scratch.
func (e *Engine) oracleLapsing(ctx context.Context, c *ent.Client, orgID, requirementID int, at, by time.Time, limit int) ([]Lapse, error) {
	args := append(countingArgs(orgID, at), requirementID, by.UTC(), limit)
	return scanLapses(c.QueryContext(ctx, lapsingSQL, args...))
}

// keptLapsingSQL: the spans of a requirement counting at a moment and ended by
// a later one, earliest first, from the index (organization_id,
// requirement_id, ends_at). Arguments: orgID, requirementID, at, by, limit.
const keptLapsingSQL = `SELECT user_id, name, ends_at FROM counting_spans
WHERE organization_id = ? AND requirement_id = ? AND ends_at > ? AND ends_at <= ?
ORDER BY ends_at, name, user_id LIMIT ?`

// lapseSkillSQL: the number of the counting result that keeps a person
// counting the longest (lowest number among ties). Arguments: countingArgs,
// requirementID, userID.
const lapseSkillSQL = `SELECT s.number ` + countingFrom + ` AND rs.requirement_id = ? AND a.user_id = ?
ORDER BY CASE WHEN ` + countingUntil + ` IS NULL THEN 1 ELSE 0 END DESC, ` + countingUntil + ` DESC, s.number LIMIT 1`

// Lapsing returns up to limit people who count for requirement requirementID of
// the organization at the moment at and will have stopped counting by the
// moment by (results expiring, retired skills reaching their validity end),
// earliest first. With by = a requirement's UnmetOn it names what makes the
// requirement fall. c may be a transaction's client.
func (e *Engine) Lapsing(ctx context.Context, c *ent.Client, orgID, requirementID int, at, by time.Time, limit int) ([]Lapse, error) {
	out, err := scanLapses(c.QueryContext(ctx, keptLapsingSQL, orgID, requirementID, at.UTC(), by.UTC(), limit))
	if err != nil {
		return nil, err
	}
	for i := range out {
		var number any
		if err := queryOne(ctx, c, lapseSkillSQL, append(countingArgs(orgID, at), requirementID, out[i].UserID), &number); err != nil {
			return nil, fmt.Errorf("finding what %s holds: %w", out[i].Name, err)
		}
		out[i].Skill = asString(number)
	}
	return out, nil
}

func scanLapses(rows *sql.Rows, err error) ([]Lapse, error) {
	if err != nil {
		return nil, fmt.Errorf("finding who stops counting: %w", err)
	}
	defer rows.Close()
	var out []Lapse
	for rows.Next() {
		var (
			l     Lapse
			until any
		)
		dest := []any{&l.UserID, &l.Name, &l.Skill, &until}
		if cols, _ := rows.Columns(); len(cols) == 3 {
			dest = []any{&l.UserID, &l.Name, &until}
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		t, err := ScanTime(until)
		if err != nil || t == nil {
			return nil, fmt.Errorf("reading when %s stops counting: %v", l.Name, err)
		}
		l.Until = *t
		out = append(out, l)
	}
	return out, rows.Err()
}
