// Package report builds the skills report (SPEC S1–S3): one row per (person,
// skill) recognized for an organization, for the GraphQL connection and the
// streamed CSV alike. Rows are read in keyset pages: constant memory at any size
// and no giant IN lists.
package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"certlink/ent"
	"certlink/internal/catalog"
	"certlink/internal/text"
)

// OrderField is what the report is sorted by; ties are broken by the row's
// own key, (profile, skill), which a newer result of the same skill does not
// change: the result's id did, and a row re-recognized between two pages
// jumped within its ties, skipped or read twice (review).
type OrderField string

const (
	ByName        OrderField = "NAME"
	ByEmail       OrderField = "EMAIL"
	ByMCID        OrderField = "MCID"
	BySkillNumber OrderField = "SKILL_NUMBER"
	ByCompletedAt OrderField = "COMPLETED_AT"
	ByExpiresAt   OrderField = "EXPIRES_AT"
)

// OrderFields lists the accepted orders.
var OrderFields = []OrderField{ByName, ByEmail, ByMCID, BySkillNumber, ByCompletedAt, ByExpiresAt}

// Order is a sort order.
type Order struct {
	Field OrderField
	Desc  bool
}

// Filter narrows the report; zero values do not filter.
type Filter struct {
	MCID             string
	SkillType        string // EXAM, CERTIFICATION or ASSESSMENT
	SkillNumbers     []string
	Competency       string // a competency key: skills it counts towards
	Search           string // in name, email or MCID
	AssociatedInPC   *bool
	NeedsAssociation *bool
	CompletedAfter   *time.Time
	CompletedBefore  *time.Time
	ExpiresAfter     *time.Time
	ExpiresBefore    *time.Time
	// ValidOnly keeps results valid now: not expired, skill inside its validity.
	ValidOnly bool
}

// rowsSQL is the report's row set: people with an active link to the
// organization (of a work account that is not deleted), and people credited
// through the legacy path with no active link anywhere (S3, "needs
// association"); for each, one result per skill: the one that makes them hold
// it the longest (results.Better). Arguments: org, org.
//
// The linked people are read from the organization's work accounts in name
// order (index users(organization_id, deleted_at, name)), each with its active
// links (a link's organization is its work account's: linking.StartInTx, and
// the tests check it after each test). In the default order the database then
// streams rows as it finds them, sorting only people of the same name, instead
// of sorting the whole report before the first row. CROSS JOIN is SQLite's way
// to fix that join order (an inner join everywhere else).
//
// Skills are not joined: the skill filters arrive resolved to skill ids (the
// catalog is in memory), and a join MariaDB is free to start from (all
// results of each skill) is one it sometimes picks. Only the order by skill
// number joins them (withNumber).
func rowsSQL(withNumber bool) string {
	skill, number := "", ""
	if withNumber {
		skill, number = "\nJOIN skills s ON s.id = r.skill_id", ", s.number AS skill_number"
	}
	return `
SELECT r.id AS rid, p.id AS pid, u.name AS name, u.email AS email, p.mcid AS mcid, r.skill_id AS skill_id,
  r.completed_at AS completed_at, r.expires_at AS expires_at,
  r.source AS source, r.recognized_at AS recognized_at, 1 AS associated, u.id AS user_id` + number + `
FROM users u
CROSS JOIN associations a ON a.user_id = u.id AND a.organization_id = u.organization_id AND a.ended_at IS NULL
JOIN profiles p ON p.id = a.profile_id
JOIN results r ON r.profile_id = a.profile_id` + skill + `
WHERE u.organization_id = ? AND u.deleted_at IS NULL AND ` + latestResult + `
UNION ALL
SELECT r.id, p.id, da.name, da.email, p.mcid, r.skill_id, r.completed_at, r.expires_at,
  r.source, r.recognized_at, 0, 0` + number + `
FROM legacy_recognitions lr
JOIN profiles p ON p.id = lr.profile_id
JOIN directory_accounts da ON da.id = p.account_id
JOIN results r ON r.profile_id = lr.profile_id` + skill + `
WHERE lr.organization_id = ?
  AND NOT EXISTS (SELECT 1 FROM associations ax WHERE ax.active_profile_id = lr.profile_id)
  AND ` + latestResult
}

// latestResult keeps one row per (profile, skill): the result that makes the
// person hold the skill the longest — the one progress counts them through,
// when any counts — flagged as such by whoever wrote the results and kept when
// their dates or the skill's validity end change (package results). The
// flag's column is still called latest.
const latestResult = `r.latest = TRUE`

// rowColumns is what a report row reads. The skill's own columns come from the
// catalog in memory (a handful of skills, not one copy per row), and times are
// read as text and parsed by progress.ScanTime's fast path: with the SQLite
// driver each column read and each time it parses costs as much as the join.
const rowColumns = `t.rid, t.pid, t.name, t.email, t.mcid, t.skill_id,
  CAST(t.completed_at AS CHAR), CAST(t.expires_at AS CHAR), t.source, CAST(t.recognized_at AS CHAR), t.associated, t.user_id`

// builder accumulates SQL text and its arguments in order.
type builder struct {
	sb   strings.Builder
	args []any
}

func (b *builder) add(sql string, args ...any) {
	b.sb.WriteString(sql)
	b.args = append(b.args, args...)
}

// sortColumn is the column of an order field.
func sortColumn(f OrderField) string {
	switch f {
	case ByEmail:
		return "t.email"
	case ByMCID:
		return "t.mcid"
	case BySkillNumber:
		return "t.skill_number"
	case ByCompletedAt:
		return "t.completed_at"
	case ByExpiresAt:
		return "t.expires_at"
	}
	return "t.name"
}

// orderBy sorts by the field, then the row's key (profile, skill). Rows
// without expiry sort after all others ascending (first descending), the same
// on both databases.
func orderBy(f OrderField, desc bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	col := sortColumn(f)
	key := ", t.pid" + dir + ", t.skill_id" + dir
	if f == ByExpiresAt {
		return " ORDER BY (CASE WHEN t.expires_at IS NULL THEN 1 ELSE 0 END)" + dir + ", " + col + dir + key
	}
	return " ORDER BY " + col + dir + key
}

// keyset keeps the rows after the cursor row (value v, key (pid, sid)) in
// orderBy's order; v is nil for a cursor row without expiry.
func keyset(b *builder, f OrderField, desc bool, v any, pid, sid int) {
	col := sortColumn(f)
	cmp := ">"
	if desc {
		cmp = "<"
	}
	// The rows of the cursor's value past its key.
	past := "(t.pid " + cmp + " ? OR (t.pid = ? AND t.skill_id " + cmp + " ?))"
	after := "(" + col + " " + cmp + " ? OR (" + col + " = ? AND " + past + "))"
	if f != ByExpiresAt {
		b.add(" AND "+after, v, v, pid, pid, sid)
		return
	}
	switch {
	case v == nil && !desc: // only rows without expiry remain
		b.add(" AND (t.expires_at IS NULL AND "+past+")", pid, pid, sid)
	case v == nil: // descending: rows without expiry come first, then all others
		b.add(" AND ((t.expires_at IS NULL AND "+past+") OR t.expires_at IS NOT NULL)", pid, pid, sid)
	case !desc:
		b.add(" AND (t.expires_at IS NULL OR "+after+")", v, v, pid, pid, sid)
	default:
		b.add(" AND (t.expires_at IS NOT NULL AND "+after+")", v, v, pid, pid, sid)
	}
}

// where appends the filters; skillIDs are the skill filters (type, numbers,
// competency, validity) resolved to skills, nil when none applies.
func (f Filter) where(b *builder, skillIDs []int, now time.Time) {
	b.add(" WHERE 1=1")
	if f.MCID != "" {
		b.add(" AND t.mcid = ?", f.MCID)
	}
	if skillIDs != nil {
		if len(skillIDs) == 0 {
			b.add(" AND 1=0")
		} else {
			b.add(" AND t.skill_id IN (" + placeholders(len(skillIDs)) + ")")
			for _, id := range skillIDs {
				b.args = append(b.args, id)
			}
		}
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		// Names are stored NFC (text.Field): so is what is searched for.
		like := "%" + escapeLike(strings.ToLower(norm.NFC.String(s))) + "%"
		b.add(" AND (LOWER(t.name) LIKE ? ESCAPE '!' OR LOWER(t.email) LIKE ? ESCAPE '!' OR t.mcid LIKE ? ESCAPE '!')", like, like, like)
	}
	if f.AssociatedInPC != nil {
		b.add(" AND t.associated = ?", boolInt(*f.AssociatedInPC))
	}
	if f.NeedsAssociation != nil {
		b.add(" AND t.associated = ?", boolInt(!*f.NeedsAssociation))
	}
	if f.CompletedAfter != nil {
		b.add(" AND t.completed_at > ?", f.CompletedAfter.UTC())
	}
	if f.CompletedBefore != nil {
		b.add(" AND t.completed_at < ?", f.CompletedBefore.UTC())
	}
	if f.ExpiresAfter != nil {
		b.add(" AND (t.expires_at IS NULL OR t.expires_at > ?)", f.ExpiresAfter.UTC())
	}
	if f.ExpiresBefore != nil {
		b.add(" AND t.expires_at < ?", f.ExpiresBefore.UTC())
	}
	if f.ValidOnly {
		b.add(" AND (t.expires_at IS NULL OR t.expires_at > ?)", now.UTC())
	}
}

// skillIDs resolves the filter's skill conditions against the catalog: the
// skills of the type, of the numbers (in any case), of the competency, and
// inside their validity now when ValidOnly. It returns nil when none applies
// or every skill passes.
func (f Filter) skillIDs(skills map[int]*ent.Skill, competency []int, now time.Time) []int {
	if f.SkillType == "" && len(f.SkillNumbers) == 0 && competency == nil && !f.ValidOnly {
		return nil
	}
	in := map[int]bool{}
	for _, id := range competency {
		in[id] = true
	}
	ids := []int{}
	for id, sk := range skills {
		switch {
		case competency != nil && !in[id]:
		case f.SkillType != "" && string(sk.Type) != f.SkillType:
		case len(f.SkillNumbers) > 0 && !slices.ContainsFunc(f.SkillNumbers, func(n string) bool {
			return catalog.SkillNumber(n) == catalog.SkillNumber(sk.Number)
		}):
		case f.ValidOnly && sk.ValidUntil != nil && !sk.ValidUntil.After(now):
		default:
			ids = append(ids, id)
		}
	}
	if len(ids) == len(skills) {
		return nil // every skill passes: no list to send
	}
	slices.Sort(ids)
	return ids
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func escapeLike(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Validate checks a filter and order before any query.
func (f Filter) Validate(o Order) error {
	switch f.SkillType {
	case "", "EXAM", "CERTIFICATION", "ASSESSMENT":
	default:
		return fmt.Errorf("skillType: want EXAM, CERTIFICATION or ASSESSMENT, got %q", f.SkillType)
	}
	if len(f.SkillNumbers) > 100 {
		return fmt.Errorf("skillNumberIn: at most 100 skill numbers")
	}
	if len(f.Search) > 200 {
		return fmt.Errorf("search: at most 200 characters")
	}
	if why := text.BadSearch(f.Search); why != "" {
		return fmt.Errorf("search: %s", why)
	}
	ok := o.Field == ""
	for _, of := range OrderFields {
		ok = ok || of == o.Field
	}
	if !ok {
		return fmt.Errorf("orderBy: unknown field %q", o.Field)
	}
	return nil
}
