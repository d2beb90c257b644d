package counting

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent"
)

// NextRequirementEnd returns the first moment after at at which someone
// stops counting, by time alone (an expiry, a retired skill's validity end),
// for one of the organization's SKILL requirements requirementIDs: the
// earliest end after at among their kept spans. Zero: none ends.
func NextRequirementEnd(ctx context.Context, c *ent.Client, orgID int, requirementIDs []int, at time.Time) (time.Time, error) {
	return nextEnd(ctx, c, requirementTable, orgID, requirementIDs, at)
}

// NextAreaEnd is NextRequirementEnd for the solution areas' levels (AreaLevel).
func NextAreaEnd(ctx context.Context, c *ent.Client, orgID int, areaLevels []int, at time.Time) (time.Time, error) {
	return nextEnd(ctx, c, areaTable, orgID, areaLevels, at)
}

// nextEnd reads, per key, the first end after at: one descent of the index
// (organization_id, key, ends_at) each — MariaDB's EXPLAIN: "Select tables
// optimized away", one Handler_read_key per key; SQLite: SEARCH USING
// COVERING INDEX. One statement, the selects joined by UNION ALL. A MIN over
// the organization's spans of every key at once would read its whole index
// range: ends_at is not next to organization_id in the index.
func nextEnd(ctx context.Context, c *ent.Client, tb table, orgID int, keys []int, at time.Time) (time.Time, error) {
	var next time.Time
	if len(keys) == 0 {
		return next, nil
	}
	at = at.UTC()
	one := "SELECT (SELECT MIN(ends_at) FROM " + tb.spans + " WHERE organization_id = ? AND " + tb.key + " = ? AND ends_at > ?)"
	parts := make([]string, len(keys))
	args := make([]any, 0, 3*len(keys))
	for i, k := range keys {
		parts[i] = one
		args = append(args, orgID, k, at)
	}
	rows, err := c.QueryContext(ctx, strings.Join(parts, "\nUNION ALL\n"), args...)
	if err != nil {
		return next, fmt.Errorf("reading the next end of a span: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return next, err
		}
		t, err := ScanTime(raw)
		if err != nil {
			return next, fmt.Errorf("reading the next end of a span: %w", err)
		}
		if t != nil && (next.IsZero() || t.Before(next)) {
			next = t.UTC()
		}
	}
	return next, rows.Err()
}
