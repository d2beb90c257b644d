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
	"certlink/internal/catalogrev"
)

// UntilSQL is when one result stops counting: its expiry or its skill's
// validity end, whichever comes first; NULL is "never". Aliases: r (results),
// s (skills).
const UntilSQL = `CASE WHEN r.expires_at IS NULL THEN s.valid_until
  WHEN s.valid_until IS NULL THEN r.expires_at
  WHEN r.expires_at < s.valid_until THEN r.expires_at
  ELSE s.valid_until END`

// Until is UntilSQL for one result already read: its expiry or its skill's
// validity end, whichever comes first; nil is "never".
func Until(expiresAt, validUntil *time.Time) *time.Time {
	switch {
	case expiresAt == nil:
		return validUntil
	case validUntil == nil || expiresAt.Before(*validUntil):
		return expiresAt
	}
	return validUntil
}

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

// Span is one kept row. For an area span (areas.go) RequirementID holds the
// area level (the area's id × 2, plus 1 for advanced) and Skill the
// certification whose end is Until.
type Span struct {
	OrgID, RequirementID, UserID int
	Name                         string
	// Until is nil when the person counts without end.
	Until *time.Time
	Skill string
}

// table names one kept state: the requirements' (progress) or the solution
// areas' (designations); the same code keeps both.
type table struct {
	spans, tallies, key string
	// skill: the spans carry the certification that gives their end.
	skill bool
}

var (
	requirementTable = table{spans: "counting_spans", tallies: "counting_tallies", key: "requirement_id"}
	areaTable        = table{spans: "area_spans", tallies: "area_tallies", key: "area_level", skill: true}
)

func (t table) spanColumns() string {
	cols := "id, organization_id, " + t.key + ", user_id, name, ends_at"
	if t.skill {
		cols += ", skill"
	}
	return cols
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
	return refresh(ctx, c, dialectName, userIDs, nil)
}

// refresh is Refresh reading the solution areas' index through areas (nil:
// from the database).
func refresh(ctx context.Context, c *ent.Client, dialectName string, userIDs []int, areas *catalogrev.Cache[*areaIndex]) error {
	ids := uniqueSorted(userIDs)
	for start := 0; start < len(ids); start += 500 {
		if err := refreshChunk(ctx, c, dialectName, ids[start:min(start+500, len(ids))], areas); err != nil {
			return err
		}
	}
	return nil
}

func refreshChunk(ctx context.Context, c *ent.Client, dialectName string, ids []int, areas *catalogrev.Cache[*areaIndex]) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	var (
		lock string
		old  []keptSpan
		err  error
	)
	if dialectName == dialect.MySQL {
		// Locking reads: the newest committed rows, not the transaction's
		// snapshot, and one refresh of a person at a time — the people's rows
		// held, in id order, with their kept spans, in one statement (a
		// person without spans is a row of NULLs).
		lock = " FOR UPDATE"
		old, err = keptSpans(ctx, c, requirementTable, "SELECT s.id, s.organization_id, s.requirement_id, s.user_id, s.name, s.ends_at FROM users u LEFT JOIN counting_spans s ON s.user_id = u.id WHERE u.id IN "+in+" ORDER BY u.id"+lock, args...)
	} else {
		old, err = keptSpans(ctx, c, requirementTable, "SELECT "+requirementTable.spanColumns()+" FROM counting_spans WHERE user_id IN "+in, args...)
	}
	if err != nil {
		return err
	}
	q := spansFrom
	if dialectName == dialect.MySQL {
		// The people's links first, in the order written: the planner's
		// statistics of a table that grows fast (a bulk load, an ingest) can be
		// stale enough for MariaDB to start at a skill's results and read
		// every result of it — seconds per refresh at 100,000 people.
		q = "SELECT STRAIGHT_JOIN" + strings.TrimPrefix(spansFrom, "\nSELECT")
	}
	fresh, err := querySpans(ctx, c, q+" AND a.user_id IN "+in+spansGroup+lockShare(dialectName), args...)
	if err != nil {
		return err
	}
	if err := apply(ctx, c, dialectName, requirementTable, old, fresh); err != nil {
		return err
	}
	return refreshAreas(ctx, c, dialectName, in, args, lock, areas)
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
func apply(ctx context.Context, c *ent.Client, dialectName string, tb table, old []keptSpan, fresh []Span) error {
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
		if ch.old != nil && ch.fresh != nil && sameUntil(ch.old.Until, ch.fresh.Until) && ch.old.Name == ch.fresh.Name && ch.old.Skill == ch.fresh.Skill {
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
	type tallyKey struct{ org, req int }
	type delta struct {
		forever        int
		oldFin, newFin []time.Time // finite ends leaving and joining the tally
	}
	deltas := map[tallyKey]*delta{}
	var tallyKeys []tallyKey
	var deletes []any
	var inserts []Span
	for _, k := range keys {
		ch := byKey[k]
		switch {
		case ch.fresh == nil:
			deletes = append(deletes, ch.old.ID)
		case ch.old == nil:
			inserts = append(inserts, *ch.fresh)
		default:
			set, args := "name = ?, ends_at = ?", []any{ch.fresh.Name, timeArg(ch.fresh.Until)}
			if tb.skill {
				set, args = set+", skill = ?", append(args, ch.fresh.Skill)
			}
			if _, err := c.ExecContext(ctx, "UPDATE "+tb.spans+" SET "+set+" WHERE id = ?", append(args, ch.old.ID)...); err != nil {
				return fmt.Errorf("counting: keeping the span of person %d for %s %d: %w", k.user, tb.key, k.req, err)
			}
		}
		if ch.old != nil && ch.fresh != nil && sameUntil(ch.old.Until, ch.fresh.Until) {
			continue // a new name or skill only
		}
		tk := tallyKey{k.org, k.req}
		d := deltas[tk]
		if d == nil {
			d = &delta{}
			deltas[tk] = d
			tallyKeys = append(tallyKeys, tk) // keys are sorted: so are these
		}
		if ch.old != nil {
			if ch.old.Until == nil {
				d.forever--
			} else {
				d.oldFin = append(d.oldFin, *ch.old.Until)
			}
		}
		if ch.fresh != nil {
			if ch.fresh.Until == nil {
				d.forever++
			} else {
				d.newFin = append(d.newFin, *ch.fresh.Until)
			}
		}
	}
	// Tallies: made when missing, then locked and read in (organization,
	// requirement) order — concurrent writers lock them in one order — and
	// moved by the sum of this refresh's changes relative to each one's
	// settled_at.
	byOrg := map[int][]int{}
	var orgs []int
	for _, tk := range tallyKeys {
		if byOrg[tk.org] == nil {
			orgs = append(orgs, tk.org)
		}
		byOrg[tk.org] = append(byOrg[tk.org], tk.req)
	}
	for _, org := range orgs {
		reqs := byOrg[org]
		values := strings.TrimSuffix(strings.Repeat("(?, ?, 0, 0, ?, 0), ", len(reqs)), ", ")
		args := make([]any, 0, 3*len(reqs))
		for _, r := range reqs {
			args = append(args, org, r, Epoch)
		}
		q := "INSERT INTO " + tb.tallies + " (organization_id, " + tb.key + ", forever, finite_after, settled_at, version) VALUES " + values
		if dialectName == dialect.MySQL {
			q += " ON DUPLICATE KEY UPDATE version = version"
		} else {
			q += " ON CONFLICT (organization_id, " + tb.key + ") DO NOTHING"
		}
		if _, err := c.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("counting: making tallies: %w", err)
		}
		in, inArgs := inList(reqs)
		lock := ""
		if dialectName == dialect.MySQL {
			lock = " FOR UPDATE"
		}
		rows, err := c.QueryContext(ctx, "SELECT "+tb.key+", settled_at FROM "+tb.tallies+" WHERE organization_id = ? AND "+tb.key+" IN "+in+" ORDER BY "+tb.key+lock,
			append([]any{org}, inArgs...)...)
		if err != nil {
			return fmt.Errorf("counting: reading tallies: %w", err)
		}
		settled := map[int]time.Time{}
		for rows.Next() {
			var req int
			var raw any
			if err := rows.Scan(&req, &raw); err != nil {
				rows.Close()
				return err
			}
			t, err := ScanTime(raw)
			if err != nil || t == nil {
				rows.Close()
				return fmt.Errorf("counting: reading a tally's settled_at: %v", err)
			}
			settled[req] = *t
		}
		if err := rows.Close(); err != nil {
			return err
		}
		// One UPDATE moves every tally of the organization (in chunks).
		for start := 0; start < len(reqs); start += 500 {
			chunk := reqs[start:min(start+500, len(reqs))]
			var forever, finite []any
			for _, req := range chunk {
				d, at := deltas[tallyKey{org, req}], settled[req]
				n := 0
				for _, t := range d.newFin {
					if t.After(at) {
						n++
					}
				}
				for _, t := range d.oldFin {
					if t.After(at) {
						n--
					}
				}
				forever, finite = append(forever, req, d.forever), append(finite, req, n)
			}
			when := strings.Repeat(" WHEN ? THEN ?", len(chunk))
			in, inArgs := inList(chunk)
			q := "UPDATE " + tb.tallies + " SET forever = forever + CASE " + tb.key + when + " END, finite_after = finite_after + CASE " + tb.key + when +
				" END, version = version + 1 WHERE organization_id = ? AND " + tb.key + " IN " + in
			if _, err := c.ExecContext(ctx, q, slices.Concat(forever, finite, []any{org}, inArgs)...); err != nil {
				return fmt.Errorf("counting: keeping the tallies of organization %d: %w", org, err)
			}
		}
	}
	for start := 0; start < len(deletes); start += 500 {
		chunk := deletes[start:min(start+500, len(deletes))]
		if _, err := c.ExecContext(ctx, "DELETE FROM "+tb.spans+" WHERE id IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", chunk...); err != nil {
			return fmt.Errorf("counting: removing spans: %w", err)
		}
	}
	return insertSpans(ctx, c, tb, inserts)
}

// insertSpans writes new spans, 200 to a statement.
func insertSpans(ctx context.Context, c *ent.Client, tb table, spans []Span) error {
	for start := 0; start < len(spans); start += 200 {
		chunk := spans[start:min(start+200, len(spans))]
		args := make([]any, 0, 6*len(chunk))
		for _, sp := range chunk {
			args = append(args, sp.OrgID, sp.RequirementID, sp.UserID, sp.Name, timeArg(sp.Until))
			if tb.skill {
				args = append(args, sp.Skill)
			}
		}
		cols, row := "organization_id, "+tb.key+", user_id, name, ends_at", "(?, ?, ?, ?, ?), "
		if tb.skill {
			cols, row = cols+", skill", "(?, ?, ?, ?, ?, ?), "
		}
		q := "INSERT INTO " + tb.spans + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row, len(chunk)), ", ")
		if _, err := c.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("counting: keeping spans: %w", err)
		}
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

func keptSpans(ctx context.Context, c *ent.Client, tb table, q string, args ...any) ([]keptSpan, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("counting: reading kept spans: %w", err)
	}
	defer rows.Close()
	var out []keptSpan
	for rows.Next() {
		var (
			s                  keptSpan
			id, org, key, user *int
			name, skill        *string
			until              any
		)
		dest := []any{&id, &org, &key, &user, &name, &until}
		if tb.skill {
			dest = append(dest, &skill)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if id == nil {
			continue // a person without spans (an outer join's row)
		}
		if org == nil || key == nil || user == nil || name == nil || (tb.skill && skill == nil) {
			return nil, fmt.Errorf("counting: kept span %d has an empty column", *id)
		}
		s.ID, s.OrgID, s.RequirementID, s.UserID, s.Name = *id, *org, *key, *user, *name
		if skill != nil {
			s.Skill = *skill
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
	ks, err := keptSpans(ctx, c, requirementTable, "SELECT "+requirementTable.spanColumns()+" FROM counting_spans ORDER BY organization_id, requirement_id, user_id")
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
	// The new tallies start past every version the old ones reached, so a
	// reader that read an old tally cannot settle a new one that reuses its id.
	var version int64
	rows, err := c.QueryContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM counting_tallies")
	if err != nil {
		return fmt.Errorf("counting: rebuilding the kept state: %w", err)
	}
	if rows.Next() {
		err = rows.Scan(&version)
	}
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("counting: rebuilding the kept state: %w", err)
	}
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
	_, err = c.ExecContext(ctx, `INSERT INTO counting_tallies (organization_id, requirement_id, forever, finite_after, settled_at, version)
SELECT organization_id, requirement_id, SUM(CASE WHEN ends_at IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN ends_at IS NULL THEN 0 ELSE 1 END), ?, ?
FROM counting_spans GROUP BY organization_id, requirement_id`, Epoch, version+1)
	if err != nil {
		return fmt.Errorf("counting: rebuilding the tallies: %w", err)
	}
	return RebuildAreas(ctx, c)
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

// TallyDrift lists the tallies that disagree with the spans they summarize
// (forever: spans without end; finite_after: spans ending after settled_at),
// and spans without a tally. Empty when the kept state is consistent; tests
// call it after concurrent writers.
func TallyDrift(ctx context.Context, c *ent.Client) ([]string, error) {
	return tallyDrift(ctx, c, requirementTable)
}

func tallyDrift(ctx context.Context, c *ent.Client, tb table) ([]string, error) {
	rows, err := c.QueryContext(ctx, `SELECT t.organization_id, t.`+tb.key+`, t.forever, t.finite_after,
  (SELECT COUNT(*) FROM `+tb.spans+` p WHERE p.organization_id = t.organization_id AND p.`+tb.key+` = t.`+tb.key+` AND p.ends_at IS NULL),
  (SELECT COUNT(*) FROM `+tb.spans+` p WHERE p.organization_id = t.organization_id AND p.`+tb.key+` = t.`+tb.key+` AND p.ends_at > t.settled_at)
FROM `+tb.tallies+` t
UNION ALL
SELECT p.organization_id, p.`+tb.key+`, -1, -1, COUNT(*), 0 FROM `+tb.spans+` p
WHERE NOT EXISTS (SELECT 1 FROM `+tb.tallies+` t WHERE t.organization_id = p.organization_id AND t.`+tb.key+` = p.`+tb.key+`)
GROUP BY p.organization_id, p.`+tb.key+``)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var org, req, forever, finite, wantForever, wantFinite int
		if err := rows.Scan(&org, &req, &forever, &finite, &wantForever, &wantFinite); err != nil {
			return nil, err
		}
		if forever != wantForever || finite != wantFinite {
			out = append(out, fmt.Sprintf("organization %d %s %d: tally forever %d finite %d, spans %d and %d",
				org, tb.key, req, forever, finite, wantForever, wantFinite))
		}
	}
	return out, rows.Err()
}

// CountsFor returns the requirements (ids, ascending) person userID counts for
// in organization orgID at the moment at, from the kept spans: one index
// range, whatever the person's results.
func CountsFor(ctx context.Context, c *ent.Client, orgID, userID int, at time.Time) ([]int, error) {
	ids, err := Ints(ctx, c, `SELECT requirement_id FROM counting_spans
WHERE user_id = ? AND organization_id = ? AND (ends_at IS NULL OR ends_at > ?) ORDER BY requirement_id`, userID, orgID, at.UTC())
	if err != nil {
		return nil, fmt.Errorf("counting: the requirements person %d counts for: %w", userID, err)
	}
	return ids, nil
}

// Ints runs a query of one integer column and returns its values in order.
func Ints(ctx context.Context, c *ent.Client, q string, args ...any) ([]int, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
