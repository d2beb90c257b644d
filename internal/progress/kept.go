package progress

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent"
	"certlink/internal/counting"
	"certlink/internal/store"
)

// Progress reads the state internal/counting keeps (issue 13): per SKILL
// requirement a tally, and per counting person a span with its end. A read
// costs the requirements asked about and the people who lapsed since the
// tally was last settled, not the organization's size. The from-scratch
// statements (oracle.go) compute the same answers; the property tests hold
// the two together.

// settleAfter is how many lapsed spans a tally may carry before a reader
// settles it (moves settled_at forward), so that reads stay short as time
// passes without writers.
var settleAfter = 32

// keptTallySQL reads the tallies of an organization. Arguments: orgID, then
// the filter's.
const keptTallySQL = `SELECT t.id, t.requirement_id, t.forever, t.finite_after, t.settled_at, t.version
FROM counting_tallies t WHERE t.organization_id = ?`

// keptMovedSQL counts, for one tally, the spans that ended in (settled_at, at]
// (lapsed: counted in finite_after, no longer counting) and those ending in
// (at, settled_at] (when at is before the settlement: counting again). The
// bounds are parameters, not the tally's column: MariaDB reads a correlated
// bound as a scan of the requirement's every span, a parameter as a range of
// the index (organization_id, requirement_id, ends_at). One statement for all
// tallies: the selects are joined by UNION ALL. Arguments per tally:
// requirementID, orgID, requirementID, settled_at, at, orgID, requirementID,
// at, settled_at.
const keptMovedSQL = `SELECT ?,
  (SELECT COUNT(*) FROM counting_spans WHERE organization_id = ? AND requirement_id = ? AND ends_at > ? AND ends_at <= ?),
  (SELECT COUNT(*) FROM counting_spans WHERE organization_id = ? AND requirement_id = ? AND ends_at > ? AND ends_at <= ?)`

// keptUnmetOnSQL: the (k+1)-th latest finite end among the spans counting at
// a moment. With F people counting forever and `required` needed, a met
// requirement falls when the (required-F)-th latest finite end passes, so k
// is required-F-1: a read of a few index entries, however many count.
const keptUnmetOnSQL = `SELECT ends_at FROM counting_spans
WHERE organization_id = ? AND requirement_id = ? AND ends_at > ?
ORDER BY ends_at DESC LIMIT 1 OFFSET ?`

// tallyRead is what a read learnt of one tally, to settle it afterwards.
type tallyRead struct {
	id, lapsed int
	version    int64
	at         time.Time
}

// keptCounts returns, for the SKILL requirements of required (id → people
// needed), the people counting at the moment at and when each met one would
// become unmet. Tallies worth settling are appended to settle.
func keptCounts(ctx context.Context, c *ent.Client, orgID int, at time.Time, required map[int]int, settle *[]tallyRead) (map[int]skillCount, error) {
	out := map[int]skillCount{}
	if len(required) == 0 {
		return out, nil
	}
	ids := make(requirementSet, len(required))
	for id := range required {
		ids[id] = true
	}
	filter, filterArgs := ids.whereColumn("t.requirement_id")
	rows, err := c.QueryContext(ctx, keptTallySQL+filter, append([]any{orgID}, filterArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("reading kept counts: %w", err)
	}
	type tally struct {
		id, rid, forever, finite int
		version                  int64
		settled                  time.Time
	}
	var tallies []tally
	for rows.Next() {
		var (
			t          tally
			settledRaw any
		)
		if err := rows.Scan(&t.id, &t.rid, &t.forever, &t.finite, &settledRaw, &t.version); err != nil {
			rows.Close()
			return nil, err
		}
		st, err := ScanTime(settledRaw)
		if err != nil || st == nil {
			rows.Close()
			return nil, fmt.Errorf("reading a tally's settlement: %v", err)
		}
		t.settled = *st
		tallies = append(tallies, t)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(tallies) == 0 {
		return out, nil
	}
	parts := make([]string, len(tallies))
	var args []any
	byRid := map[int]tally{}
	for i, t := range tallies {
		parts[i] = keptMovedSQL
		args = append(args, t.rid, orgID, t.rid, t.settled, at, orgID, t.rid, at, t.settled)
		byRid[t.rid] = t
	}
	rows, err = c.QueryContext(ctx, strings.Join(parts, "\nUNION ALL\n"), args...)
	if err != nil {
		return nil, fmt.Errorf("reading kept counts: %w", err)
	}
	forever := map[int]int{}
	for rows.Next() {
		var rid, lapsed, back int
		if err := store.ScanCounts(rows, &rid, &lapsed, &back); err != nil {
			rows.Close()
			return nil, err
		}
		t := byRid[rid]
		out[rid] = skillCount{current: t.forever + t.finite - lapsed + back}
		forever[rid] = t.forever
		if lapsed > settleAfter && settle != nil {
			*settle = append(*settle, tallyRead{id: t.id, lapsed: lapsed, version: t.version, at: at})
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for rid, sc := range out {
		need := required[rid]
		if sc.current < need || forever[rid] >= need {
			continue // unmet, or met without end
		}
		var raw any
		err := queryOne(ctx, c, keptUnmetOnSQL, []any{orgID, rid, at, need - forever[rid] - 1}, &raw)
		if err != nil {
			return nil, fmt.Errorf("reading when requirement %d would fall: %w", rid, err)
		}
		if sc.unmetOn, err = ScanTime(raw); err != nil {
			return nil, err
		}
		out[rid] = sc
	}
	return out, nil
}

// settleTallies moves the tallies a read found carrying many lapsed spans to
// the moment of that read: finite_after loses them and settled_at becomes the
// read's moment. A writer that touched a tally since changed its version, and
// that tally is left for the next read. Best effort: a failure only leaves
// the read a little longer.
func settleTallies(ctx context.Context, c *ent.Client, reads []tallyRead) {
	for _, r := range reads {
		_, _ = c.ExecContext(ctx, `UPDATE counting_tallies SET finite_after = finite_after - ?, settled_at = ?, version = version + 1
WHERE id = ? AND version = ? AND settled_at < ?`, r.lapsed, r.at, r.id, r.version, r.at)
	}
}

// keptPeopleSQL pages the people counting for a requirement at a moment, by
// name then id, from the index (organization_id, requirement_id, name, user_id).
const keptPeopleSQL = `SELECT user_id, name FROM counting_spans
WHERE organization_id = ? AND requirement_id = ? AND (ends_at IS NULL OR ends_at > ?)`

// PersonCursor is a position in a requirement's people: after (Name, UserID).
type PersonCursor struct {
	Name   string
	UserID int
}

// PeoplePage returns up to limit work accounts (ids, by name) counting for a
// requirement of the organization at the moment at, after the cursor (nil:
// from the first), and their cursors.
func (e *Engine) PeoplePage(ctx context.Context, c *ent.Client, orgID, requirementID int, at time.Time, after *PersonCursor, limit int) ([]PersonCursor, error) {
	q := keptPeopleSQL
	args := []any{orgID, requirementID, at.UTC()}
	if after != nil {
		q += ` AND (name > ? OR (name = ? AND user_id > ?))`
		args = append(args, after.Name, after.Name, after.UserID)
	}
	q += ` ORDER BY name, user_id`
	if limit >= 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing people who count: %w", err)
	}
	defer rows.Close()
	var out []PersonCursor
	for rows.Next() {
		var p PersonCursor
		if err := rows.Scan(&p.UserID, &p.Name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// whereColumn is where() on another column.
func (s requirementSet) whereColumn(col string) (string, []any) {
	w, args := s.where()
	return strings.Replace(w, "rs.requirement_id", col, 1), args
}

// queryOne scans the first row of q into dest; no row leaves dest as it is.
func queryOne(ctx context.Context, c *ent.Client, q string, args []any, dest ...any) error {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
	}
	return rows.Err()
}

func asString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// People returns the work accounts (user ids, by name) who count for a
// requirement of the organization at the moment at.
func (e *Engine) People(ctx context.Context, c *ent.Client, orgID, requirementID int, at time.Time) ([]int, error) {
	page, err := e.PeoplePage(ctx, c, orgID, requirementID, at, nil, -1)
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(page))
	for i, p := range page {
		ids[i] = p.UserID
	}
	return ids, nil
}

// fillPeople sets PeopleIDs of every SKILL requirement of org from the kept
// spans (a what-if reads them inside its rehearsal).
func (e *Engine) fillPeople(ctx context.Context, c *ent.Client, org *Org) error {
	rows, err := c.QueryContext(ctx, `SELECT requirement_id, user_id FROM counting_spans
WHERE organization_id = ? AND (ends_at IS NULL OR ends_at > ?) ORDER BY requirement_id, name, user_id`, org.OrgID, org.At)
	if err != nil {
		return fmt.Errorf("listing people who count: %w", err)
	}
	defer rows.Close()
	byReq := map[int][]int{}
	for rows.Next() {
		var rid, uid int
		if err := rows.Scan(&rid, &uid); err != nil {
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

// setPeople gives each skill requirement its people (ids by requirement id).
func (org *Org) setPeople(byReq map[int][]int) {
	org.each(func(_ *Competency, _ *Option, r *Requirement) {
		if r.Kind == KindSkill {
			r.PeopleIDs = append([]int{}, byReq[r.ID]...)
		}
	})
}

// NextSpanEnd returns the first moment after at at which someone stops
// counting for one of the SKILL requirements requirementIDs of the
// organization by time alone (counting.NextRequirementEnd). Zero: none.
func NextSpanEnd(ctx context.Context, c *ent.Client, orgID int, requirementIDs []int, at time.Time) (time.Time, error) {
	return counting.NextRequirementEnd(ctx, c, orgID, requirementIDs, at)
}
