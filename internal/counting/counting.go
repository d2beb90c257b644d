// Package counting keeps what progress reads (issue 13): per (organization,
// SKILL requirement, person) a span — until when that person counts — and per
// (organization, requirement) a tally of those spans. Every writer that changes
// who counts refreshes the spans of the people it touches in its own
// transaction (Hooks, on every ent mutation of links, results, work accounts and
// the catalog), so a read costs a few rows per requirement, not the
// organization. "Current" is the spans still counting at now: time passing
// (an expiry, a retired skill's validity end) needs no writer.
//
// The rule of who counts is progress's (SPEC C2, C3): a result held by a
// profile with an active link to the organization, of a work account that is
// not deleted, of a skill a requirement lists, counting until its expiry or its
// skill's validity end, the earlier. A person's span ends at the latest such
// end among their results. Results are never completed in the future (ingest
// refuses it), so from now on a person counts exactly while their span lasts.
package counting

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"certlink/ent"
)

// UntilSQL is when one result stops counting: its expiry or its skill's
// validity end, whichever comes first; NULL is "never". Aliases: r (results),
// s (skills).
const UntilSQL = `CASE WHEN r.expires_at IS NULL THEN s.valid_until
  WHEN s.valid_until IS NULL THEN r.expires_at
  WHEN r.expires_at < s.valid_until THEN r.expires_at
  ELSE s.valid_until END`

// spansFrom computes spans from the source tables; a condition on a.user_id
// (or none) follows.
const spansFrom = `
SELECT a.organization_id AS o, rs.requirement_id AS q, a.user_id AS p, MIN(u.name) AS n,
  MAX(CASE WHEN ` + UntilSQL + ` IS NULL THEN 1 ELSE 0 END) AS f, MAX(` + UntilSQL + `) AS t
FROM associations a
JOIN users u ON u.id = a.user_id AND u.deleted_at IS NULL
JOIN results r ON r.profile_id = a.profile_id
JOIN skills s ON s.id = r.skill_id
JOIN requirement_skills rs ON rs.skill_id = r.skill_id
WHERE a.ended_at IS NULL`

const spansGroup = ` GROUP BY a.organization_id, rs.requirement_id, a.user_id`

// Span is one kept row.
type Span struct {
	OrgID, RequirementID, UserID int
	Name                         string
	// Until is nil when the person counts without end.
	Until *time.Time
}

type spanKey struct{ org, req, user int }

func (s Span) key() spanKey { return spanKey{s.OrgID, s.RequirementID, s.UserID} }

func sameUntil(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// Refresh recomputes the spans of the work accounts userIDs from the source
// tables and applies the difference to the kept spans and tallies, through c (a
// transaction's client, so that the kept state commits or rolls back with its
// cause). On MySQL the people's rows are locked first, so two transactions
// touching one person refresh one after the other.
func Refresh(ctx context.Context, c *ent.Client, dialectName string, userIDs []int) error {
	ids := uniqueSorted(userIDs)
	for start := 0; start < len(ids); start += 500 {
		if err := refreshChunk(ctx, c, dialectName, ids[start:min(start+500, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

func refreshChunk(ctx context.Context, c *ent.Client, dialectName string, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	lock := ""
	if dialectName == dialect.MySQL {
		// Locking reads: the newest committed rows, not the transaction's
		// snapshot, and one refresh of a person at a time.
		lock = " FOR UPDATE"
		rows, err := c.QueryContext(ctx, "SELECT id FROM users WHERE id IN "+in+" ORDER BY id"+lock, args...)
		if err != nil {
			return fmt.Errorf("counting: locking people: %w", err)
		}
		rows.Close()
	}
	fresh, err := querySpans(ctx, c, spansFrom+" AND a.user_id IN "+in+spansGroup+lockShare(dialectName), args...)
	if err != nil {
		return err
	}
	old, err := keptSpans(ctx, c, "SELECT id, organization_id, requirement_id, user_id, name, ends_at FROM counting_spans WHERE user_id IN "+in+lock, args...)
	if err != nil {
		return err
	}
	return apply(ctx, c, dialectName, old, fresh)
}

func lockShare(dialectName string) string {
	if dialectName == dialect.MySQL {
		return " LOCK IN SHARE MODE"
	}
	return ""
}

// keptSpan is a kept row with its id.
type keptSpan struct {
	ID int
	Span
}

// apply turns the kept spans old into fresh: the tallies first, in
// (organization, requirement) order so that concurrent writers lock them in
// one order, then the spans.
func apply(ctx context.Context, c *ent.Client, dialectName string, old []keptSpan, fresh []Span) error {
	type change struct {
		old   *keptSpan
		fresh *Span
	}
	byKey := map[spanKey]*change{}
	for i := range old {
		byKey[old[i].key()] = &change{old: &old[i]}
	}
	for i := range fresh {
		ch := byKey[fresh[i].key()]
		if ch == nil {
			ch = &change{}
			byKey[fresh[i].key()] = ch
		}
		ch.fresh = &fresh[i]
	}
	keys := make([]spanKey, 0, len(byKey))
	for k, ch := range byKey {
		if ch.old != nil && ch.fresh != nil && sameUntil(ch.old.Until, ch.fresh.Until) && ch.old.Name == ch.fresh.Name {
			continue
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b spanKey) int {
		if a.org != b.org {
			return a.org - b.org
		}
		if a.req != b.req {
			return a.req - b.req
		}
		return a.user - b.user
	})
	for _, k := range keys {
		ch := byKey[k]
		var oldUntil, freshUntil *time.Time
		var had, has bool
		if ch.old != nil {
			oldUntil, had = ch.old.Until, true
		}
		if ch.fresh != nil {
			freshUntil, has = ch.fresh.Until, true
		}
		if had == has && sameUntil(oldUntil, freshUntil) {
			continue // a new name only
		}
		if err := adjustTally(ctx, c, dialectName, k.org, k.req, had, oldUntil, has, freshUntil); err != nil {
			return err
		}
	}
	for _, k := range keys {
		ch := byKey[k]
		var err error
		switch {
		case ch.fresh == nil:
			_, err = c.ExecContext(ctx, "DELETE FROM counting_spans WHERE id = ?", ch.old.ID)
		case ch.old == nil:
			_, err = c.ExecContext(ctx, "INSERT INTO counting_spans (organization_id, requirement_id, user_id, name, ends_at) VALUES (?, ?, ?, ?, ?)",
				k.org, k.req, k.user, ch.fresh.Name, timeArg(ch.fresh.Until))
		default:
			_, err = c.ExecContext(ctx, "UPDATE counting_spans SET name = ?, ends_at = ? WHERE id = ?", ch.fresh.Name, timeArg(ch.fresh.Until), ch.old.ID)
		}
		if err != nil {
			return fmt.Errorf("counting: keeping the span of person %d for requirement %d: %w", k.user, k.req, err)
		}
	}
	return nil
}

// adjustTally moves one person's contribution to a tally from (had, oldUntil)
// to (has, freshUntil), in one statement that reads the tally's settled_at
// under its row lock. A tally made here starts settled at the epoch: every
// finite span counts in finite_after.
func adjustTally(ctx context.Context, c *ent.Client, dialectName string, org, req int, had bool, oldUntil *time.Time, has bool, freshUntil *time.Time) error {
	foreverDelta := 0
	if had && oldUntil == nil {
		foreverDelta--
	}
	if has && freshUntil == nil {
		foreverDelta++
	}
	// finite_after changes by [fresh finite and after settled_at] - [old
	// finite and after settled_at]; NULL compares as false.
	finite := func(present bool, t *time.Time) any {
		if !present || t == nil {
			return nil
		}
		return *t
	}
	fo, ff := finite(had, oldUntil), finite(has, freshUntil)
	initial := 0
	if ff != nil {
		initial++
	}
	if fo != nil {
		initial-- // cannot happen for a new tally; kept for symmetry
	}
	var q string
	var args []any
	switch dialectName {
	case dialect.MySQL:
		q = `INSERT INTO counting_tallies (organization_id, requirement_id, forever, finite_after, settled_at, version)
VALUES (?, ?, ?, ?, ?, 1)
ON DUPLICATE KEY UPDATE forever = forever + VALUES(forever),
  finite_after = finite_after + (CASE WHEN ? > settled_at THEN 1 ELSE 0 END) - (CASE WHEN ? > settled_at THEN 1 ELSE 0 END),
  version = version + 1`
	default:
		q = `INSERT INTO counting_tallies (organization_id, requirement_id, forever, finite_after, settled_at, version)
VALUES (?, ?, ?, ?, ?, 1)
ON CONFLICT (organization_id, requirement_id) DO UPDATE SET forever = forever + excluded.forever,
  finite_after = finite_after + (CASE WHEN ? > settled_at THEN 1 ELSE 0 END) - (CASE WHEN ? > settled_at THEN 1 ELSE 0 END),
  version = version + 1`
	}
	args = []any{org, req, foreverDelta, initial, Epoch, ff, fo}
	if _, err := c.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("counting: keeping the tally of requirement %d: %w", req, err)
	}
	return nil
}

// Epoch is where a new tally is settled.
var Epoch = time.Unix(0, 0).UTC()

func timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func querySpans(ctx context.Context, c *ent.Client, q string, args ...any) ([]Span, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("counting: computing spans: %w", err)
	}
	defer rows.Close()
	var out []Span
	for rows.Next() {
		var (
			s       Span
			forever int
			until   any
		)
		if err := rows.Scan(&s.OrgID, &s.RequirementID, &s.UserID, &s.Name, &forever, &until); err != nil {
			return nil, err
		}
		if forever == 0 {
			if s.Until, err = ScanTime(until); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func keptSpans(ctx context.Context, c *ent.Client, q string, args ...any) ([]keptSpan, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("counting: reading kept spans: %w", err)
	}
	defer rows.Close()
	var out []keptSpan
	for rows.Next() {
		var (
			s     keptSpan
			until any
		)
		if err := rows.Scan(&s.ID, &s.OrgID, &s.RequirementID, &s.UserID, &s.Name, &until); err != nil {
			return nil, err
		}
		if s.Until, err = ScanTime(until); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Spans returns every kept span (tests and the upgrade check compare them).
func Spans(ctx context.Context, c *ent.Client) ([]Span, error) {
	ks, err := keptSpans(ctx, c, "SELECT id, organization_id, requirement_id, user_id, name, ends_at FROM counting_spans ORDER BY organization_id, requirement_id, user_id")
	if err != nil {
		return nil, err
	}
	out := make([]Span, len(ks))
	for i, k := range ks {
		out[i] = k.Span
	}
	return out, nil
}

// Recompute returns the spans as the source tables give them now, ordered like
// Spans: the oracle of the kept state.
func Recompute(ctx context.Context, c *ent.Client) ([]Span, error) {
	return querySpans(ctx, c, spansFrom+spansGroup+" ORDER BY o, q, p")
}

// Rebuild replaces the whole kept state with a computation from the source
// tables, through c (a transaction's client). It is the upgrade's fill and
// what a catalog change does (a skill's validity or a requirement's skills
// change who counts across every organization).
func Rebuild(ctx context.Context, c *ent.Client) error {
	for _, q := range []string{
		"DELETE FROM counting_spans",
		"DELETE FROM counting_tallies",
		"INSERT INTO counting_spans (organization_id, requirement_id, user_id, name, ends_at) SELECT o, q, p, n, CASE WHEN f = 1 THEN NULL ELSE t END FROM (" +
			spansFrom + spansGroup + ") x",
	} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("counting: rebuilding the kept state: %w", err)
		}
	}
	_, err := c.ExecContext(ctx, `INSERT INTO counting_tallies (organization_id, requirement_id, forever, finite_after, settled_at, version)
SELECT organization_id, requirement_id, SUM(CASE WHEN ends_at IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN ends_at IS NULL THEN 0 ELSE 1 END), ?, 1
FROM counting_spans GROUP BY organization_id, requirement_id`, Epoch)
	if err != nil {
		return fmt.Errorf("counting: rebuilding the tallies: %w", err)
	}
	return nil
}

func uniqueSorted(ids []int) []int {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func inList(ids []int) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(?" + strings.Repeat(", ?", len(ids)-1) + ")", args
}
