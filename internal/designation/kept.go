package designation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/internal/counting"
	"certlink/internal/store"
)

// KeptCounts reads the skilling metrics from the state internal/counting
// keeps on write (issue 13's design, issue 15 item 6): per (organization,
// area level) a tally and per counting person a span with its end. A read
// costs the tallies and the people who lapsed since a tally was last settled,
// not the organization's size; time passing (an expiry, a retired skill's
// validity end) needs no writer. The scan (SQLCounts) computes the same
// answers; the property tests hold the two together.
type KeptCounts struct {
	// SettleAfter is how many lapsed spans a tally may carry before a live
	// read settles it (moves settled_at forward); 0: 32, negative: any.
	SettleAfter int
}

func (k KeptCounts) settleAfter() int {
	switch {
	case k.SettleAfter < 0:
		return 0
	case k.SettleAfter == 0:
		return 32
	}
	return k.SettleAfter
}

type areaTally struct {
	id, level, forever, finite int
	version                    int64
	settled                    time.Time
}

// keptSkilling is one organization's kept counts, opened at a moment.
type keptSkilling struct {
	c           *ent.Client
	settleAfter int
	org         int
	at          time.Time
	tallies     map[int]areaTally // by area level
	counts      map[time.Time]map[int]int
	settles     []areaTally // tallies to settle at `at`, with finite = lapsed
}

// Open implements Counts.
func (kc KeptCounts) Open(ctx context.Context, c *ent.Client, orgID int, at time.Time, _ []*ent.SolutionArea) (Skilling, error) {
	rows, err := c.QueryContext(ctx, "SELECT id, area_level, forever, finite_after, settled_at, version FROM area_tallies WHERE organization_id = ?", orgID)
	if err != nil {
		return nil, fmt.Errorf("reading the kept skilling counts: %w", err)
	}
	defer rows.Close()
	k := &keptSkilling{c: c, settleAfter: kc.settleAfter(), org: orgID, tallies: map[int]areaTally{}, counts: map[time.Time]map[int]int{}}
	for rows.Next() {
		var (
			t   areaTally
			raw any
		)
		if err := rows.Scan(&t.id, &t.level, &t.forever, &t.finite, &raw, &t.version); err != nil {
			return nil, err
		}
		st, err := counting.ScanTime(raw)
		if err != nil || st == nil {
			return nil, fmt.Errorf("reading a kept tally's settlement: %v", err)
		}
		t.settled = *st
		k.tallies[t.level] = t
	}
	k.at = k.bound(at)
	return k, rows.Err()
}

// keptMovedSQL counts, for one tally, the spans that ended in (settled_at, t]
// (lapsed) and in (t, settled_at] (counting again, t before the settlement);
// the bounds are parameters so that each is a range of the index
// (organization_id, area_level, ends_at). Joined by UNION ALL, one statement
// for every tally.
const keptMovedSQL = `SELECT ?,
  (SELECT COUNT(*) FROM area_spans WHERE organization_id = ? AND area_level = ? AND ends_at > ? AND ends_at <= ?),
  (SELECT COUNT(*) FROM area_spans WHERE organization_id = ? AND area_level = ? AND ends_at > ? AND ends_at <= ?)`

// bound is t as a bound of a read, in UTC. (On MySQL/MariaDB the driver
// sends every time to the microsecond, what the columns keep: store.MySQLConfigs.)
func (k *keptSkilling) bound(t time.Time) time.Time { return t.UTC() }

// countsAt reads every tally's count at t, once per moment.
func (k *keptSkilling) countsAt(ctx context.Context, t time.Time) (map[int]int, error) {
	t = k.bound(t)
	if m, ok := k.counts[t]; ok {
		return m, nil
	}
	m := map[int]int{}
	if len(k.tallies) > 0 {
		levels := make([]int, 0, len(k.tallies))
		for l := range k.tallies {
			levels = append(levels, l)
		}
		slices.Sort(levels)
		parts := make([]string, len(levels))
		var args []any
		for i, l := range levels {
			tl := k.tallies[l]
			parts[i] = keptMovedSQL
			args = append(args, l, k.org, l, tl.settled, t, k.org, l, t, tl.settled)
		}
		rows, err := k.c.QueryContext(ctx, strings.Join(parts, "\nUNION ALL\n"), args...)
		if err != nil {
			return nil, fmt.Errorf("reading the kept skilling counts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var level, lapsed, back int
			if err := store.ScanCounts(rows, &level, &lapsed, &back); err != nil {
				return nil, err
			}
			tl := k.tallies[level]
			m[level] = tl.forever + tl.finite - lapsed + back
			if t.Equal(k.at) && lapsed > k.settleAfter {
				s := tl
				s.finite = lapsed
				k.settles = append(k.settles, s)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	k.counts[t] = m
	return m, nil
}

func (k *keptSkilling) Count(ctx context.Context, areaID, level int, t time.Time) (int, error) {
	m, err := k.countsAt(ctx, t)
	if err != nil {
		return 0, err
	}
	return m[counting.AreaLevel(areaID, level)], nil
}

func (k *keptSkilling) People(ctx context.Context, areaID, level int, t time.Time) ([]int, error) {
	rows, err := k.c.QueryContext(ctx, `SELECT user_id FROM area_spans WHERE organization_id = ? AND area_level = ?
  AND (ends_at IS NULL OR ends_at > ?) ORDER BY name, user_id`, k.org, counting.AreaLevel(areaID, level), k.bound(t))
	if err != nil {
		return nil, fmt.Errorf("listing the people a skilling metric counts: %w", err)
	}
	defer rows.Close()
	out := []int{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (k *keptSkilling) LastEnds(ctx context.Context, areaID, level, n int) (int, []time.Time, error) {
	key := counting.AreaLevel(areaID, level)
	q := `SELECT ends_at FROM area_spans WHERE organization_id = ? AND area_level = ? AND ends_at > ? ORDER BY ends_at DESC`
	args := []any{k.org, key, k.at}
	if n >= 0 {
		q += " LIMIT ?"
		args = append(args, n)
	}
	rows, err := k.c.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, nil, fmt.Errorf("reading when skilling counts fall: %w", err)
	}
	defer rows.Close()
	var ends []time.Time
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return 0, nil, err
		}
		t, err := counting.ScanTime(raw)
		if err != nil || t == nil {
			return 0, nil, fmt.Errorf("reading a kept end: %v", err)
		}
		ends = append(ends, *t)
	}
	slices.Reverse(ends)
	return k.tallies[key].forever, ends, rows.Err()
}

func (k *keptSkilling) Stopping(ctx context.Context, areaID int, t time.Time) (int, []string, error) {
	// The ends at t (on MySQL t goes to the microsecond, as ends_at is kept).
	cond, args := "ends_at = ?", []any{k.bound(t)}
	rows, err := k.c.QueryContext(ctx, `SELECT user_id, skill FROM area_spans WHERE organization_id = ? AND area_level IN (?, ?) AND `+cond,
		append([]any{k.org, counting.AreaLevel(areaID, counting.Intermediate), counting.AreaLevel(areaID, counting.Advanced)}, args...)...)
	if err != nil {
		return 0, nil, fmt.Errorf("reading who stops counting: %w", err)
	}
	defer rows.Close()
	people := map[int]bool{}
	var skills []string
	for rows.Next() {
		var (
			id    int
			skill string
		)
		if err := rows.Scan(&id, &skill); err != nil {
			return 0, nil, err
		}
		people[id] = true
		skills = append(skills, skill)
	}
	slices.Sort(skills)
	return len(people), slices.Compact(skills), rows.Err()
}

// settler is a Skilling whose reads can settle kept tallies.
type settler interface {
	settle(ctx context.Context, c *ent.Client)
}

// settle moves the tallies a read at the opening moment found carrying many
// lapsed spans to that moment: finite_after loses them, settled_at becomes
// the moment. A writer that touched a tally since changed its version, and
// that tally is left for the next read. Best effort: a failure only leaves
// the next read a little longer.
func (k *keptSkilling) settle(ctx context.Context, c *ent.Client) {
	for _, t := range k.settles {
		_, _ = c.ExecContext(ctx, `UPDATE area_tallies SET finite_after = finite_after - ?, settled_at = ?, version = version + 1
WHERE id = ? AND version = ? AND settled_at < ?`, t.finite, k.at, t.id, t.version, k.at)
	}
}
