package bench

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"certlink/internal/progress"
	"certlink/internal/report"
)

// The baselines answer the same questions as certlink straight from SQL, with
// nothing in between: no GraphQL, no HTTP, no ent. They set the bar the
// product's ratios are measured against.

// baselineProgressSQL is competencyProgress in one hand-written statement: the
// catalog with, per SKILL requirement, the distinct people who count now and
// the moment the requirement would fall (the (cnt-required+1)-th earliest end
// of those people's latest-valid results).
const baselineProgressSQL = `
WITH counted AS (
  SELECT rs.requirement_id AS rid, a.user_id AS uid,
    CASE WHEN r.expires_at IS NULL THEN s.valid_until
         WHEN s.valid_until IS NULL THEN r.expires_at
         WHEN r.expires_at < s.valid_until THEN r.expires_at
         ELSE s.valid_until END AS until_at
  FROM associations a
  JOIN users u ON u.id = a.user_id AND u.deleted_at IS NULL
  JOIN results r ON r.profile_id = a.profile_id
  JOIN skills s ON s.id = r.skill_id
  JOIN requirement_skills rs ON rs.skill_id = r.skill_id
  WHERE a.organization_id = ? AND a.ended_at IS NULL AND r.completed_at <= ?
    AND (r.expires_at IS NULL OR r.expires_at > ?) AND (s.valid_until IS NULL OR s.valid_until > ?)
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
),
counts AS (
  SELECT k.rid, MAX(k.cnt) AS cnt,
    MAX(CASE WHEN k.rn = k.cnt - q.required + 1 AND k.forever = 0 THEN k.until_at END) AS unmet_on
  FROM ranked k JOIN requirements q ON q.id = k.rid GROUP BY k.rid
)
SELECT c.id, c.name, o.id, o.level, o.name, q.id, q.key, q.kind, q.required,
  COALESCE(n.cnt, 0), n.unmet_on,
  (SELECT t.met FROM attestations t WHERE t.organization_id = ? AND t.requirement_id = q.id AND t.at <= ?
   ORDER BY t.at DESC, t.id DESC LIMIT 1)
FROM competencies c
JOIN competency_options o ON o.competency_id = c.id
JOIN requirements q ON q.option_id = o.id
LEFT JOIN counts n ON n.rid = q.id
ORDER BY c.position, c.id, o.position, o.id, q.position, q.id`

// progressRow is one requirement of the baseline's answer.
type progressRow struct {
	CompetencyID int
	Competency   string
	OptionID     int
	Level        string
	Option       string
	Requirement  int
	Key, Kind    string
	Required     int
	Current      int
	UnmetOn      *time.Time
	Met          bool
}

// baselineProgress returns the requirements of every competency with their
// counts for the organization now (the offers in force are one more small query,
// as in the product).
func baselineProgress(ctx context.Context, db *sql.DB, orgID int, now time.Time) ([]progressRow, error) {
	now = now.UTC()
	rows, err := db.QueryContext(ctx, baselineProgressSQL, orgID, now, now, now, orgID, now)
	if err != nil {
		return nil, fmt.Errorf("baseline progress: %w", err)
	}
	defer rows.Close()
	var out []progressRow
	for rows.Next() {
		var (
			r        progressRow
			unmet    any
			attested sql.NullBool
		)
		if err := rows.Scan(&r.CompetencyID, &r.Competency, &r.OptionID, &r.Level, &r.Option, &r.Requirement,
			&r.Key, &r.Kind, &r.Required, &r.Current, &unmet, &attested); err != nil {
			return nil, err
		}
		if r.Kind == "SKILL" {
			r.Met = r.Current >= r.Required
			if r.Met {
				if r.UnmetOn, err = progress.ScanTime(unmet); err != nil {
					return nil, err
				}
			}
		} else {
			r.Required, r.Met = 1, attested.Valid && attested.Bool
			if r.Met {
				r.Current = 1
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	q, err := db.QueryContext(ctx, `SELECT competency_id, option_id, purchased_at, anniversary_at FROM offer_purchases
		WHERE organization_id = ? AND purchased_at <= ? AND anniversary_at > ? ORDER BY purchased_at DESC, id DESC`, orgID, now, now)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	for q.Next() {
		var c, o int
		var p, a any
		if err := q.Scan(&c, &o, &p, &a); err != nil {
			return nil, err
		}
	}
	return out, q.Err()
}

// baselineReportSQL is the skills report's row set in one hand-written
// statement, in the CSV's default order (name, then the row's profile and skill): the people
// read in name order, the latest result of each skill (as flagged), the
// skill's own columns looked up in memory, times read as text.
const baselineReportSQL = `
SELECT name, email, mcid, skill_id, CAST(completed_at AS CHAR), CAST(expires_at AS CHAR), source,
  CAST(recognized_at AS CHAR), associated
FROM (
  SELECT p.id AS pid, u.name AS name, u.email AS email, p.mcid AS mcid, r.skill_id AS skill_id,
    r.completed_at AS completed_at, r.expires_at AS expires_at, r.source AS source,
    r.recognized_at AS recognized_at, 1 AS associated
  FROM users u
  CROSS JOIN associations a ON a.user_id = u.id AND a.organization_id = u.organization_id AND a.ended_at IS NULL
  JOIN profiles p ON p.id = a.profile_id
  JOIN results r ON r.profile_id = a.profile_id AND r.latest = TRUE
  WHERE u.organization_id = ? AND u.deleted_at IS NULL
  UNION ALL
  SELECT p.id, da.name, da.email, p.mcid, r.skill_id, r.completed_at, r.expires_at, r.source, r.recognized_at, 0
  FROM legacy_recognitions lr
  JOIN profiles p ON p.id = lr.profile_id
  JOIN directory_accounts da ON da.id = p.account_id
  JOIN results r ON r.profile_id = lr.profile_id AND r.latest = TRUE
  WHERE lr.organization_id = ?
    AND NOT EXISTS (SELECT 1 FROM associations ax WHERE ax.active_profile_id = lr.profile_id)
) t ORDER BY name, pid, skill_id`

// baselineCSV writes the organization's report rows as CSV to w straight from
// one query; skills holds each skill's type, number, title and the competency
// options it counts towards. It returns the rows written.
func baselineCSV(ctx context.Context, db *sql.DB, orgID int, skills map[int]baselineSkill, w io.Writer) (int, error) {
	rows, err := db.QueryContext(ctx, baselineReportSQL, orgID, orgID)
	if err != nil {
		return 0, fmt.Errorf("baseline report: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"Name", "Email", "MCID", "Skill type", "Skill number", "Title", "Completed",
		"Expires", "Competencies", "Associated in PC", "Source", "Recognized", "Needs association",
		"Counting now", "Counts until", "Retired on"})
	rec := make([]string, 16)
	now := time.Now().UTC()
	n := 0
	for rows.Next() {
		var (
			skillID, associated int
			completed, recg     string
			exp                 sql.NullString
		)
		if err := rows.Scan(&rec[0], &rec[1], &rec[2], &skillID, &completed, &exp, &rec[10], &recg, &associated); err != nil {
			return n, err
		}
		sk := skills[skillID]
		rec[3], rec[4], rec[5], rec[8] = sk.Type, sk.Number, sk.Title, ""
		c, err := progress.ParseTime(completed)
		if err != nil {
			return n, err
		}
		rec[6], rec[7] = c.Format("2006-01-02"), ""
		var expires *time.Time
		if exp.Valid {
			e, err := progress.ParseTime(exp.String)
			if err != nil {
				return n, err
			}
			rec[7], expires = e.Format("2006-01-02"), &e
		}
		until := progress.CountsUntil(expires, sk.ValidUntil)
		counting := associated == 1 && progress.CountsAt(c, expires, sk.ValidUntil, now)
		rec[13], rec[14], rec[15] = "No", "", ""
		if counting {
			rec[8], rec[13] = sk.Labels, "Yes"
		}
		if until != nil {
			rec[14] = until.UTC().Format(time.RFC3339)
		}
		if sk.RetiredOn != nil {
			rec[15] = sk.RetiredOn.UTC().Format("2006-01-02")
		}
		rec[10] = report.SourceLabel(rec[10])
		rec[9], rec[12] = "No", "Yes"
		if associated == 1 {
			rec[9], rec[12] = "Yes", "No"
		}
		rec[11] = ""
		if r, err := progress.ParseTime(recg); err == nil {
			rec[11] = r.Format(time.RFC3339)
		}
		for i, v := range rec {
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				rec[i] = "'" + v
			}
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, cw.Error()
}

// baselineSkill is what a report row shows of its skill.
type baselineSkill struct {
	Type, Number, Title, Labels string
	ValidUntil, RetiredOn       *time.Time
}

// baselineSkills reads every skill and, in one more query, the competency
// options each counts towards.
func baselineSkills(ctx context.Context, db *sql.DB) (map[int]baselineSkill, error) {
	labels, err := baselineLabels(ctx, db)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, type, number, title, CAST(valid_until AS CHAR), CAST(retired_on AS CHAR) FROM skills`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]baselineSkill{}
	for rows.Next() {
		var id int
		var s baselineSkill
		var valid, retired sql.NullString
		if err := rows.Scan(&id, &s.Type, &s.Number, &s.Title, &valid, &retired); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			src sql.NullString
			dst **time.Time
		}{{valid, &s.ValidUntil}, {retired, &s.RetiredOn}} {
			if f.src.Valid {
				t, err := progress.ParseTime(f.src.String)
				if err != nil {
					return nil, err
				}
				*f.dst = &t
			}
		}
		s.Labels = labels[id]
		out[id] = s
	}
	return out, rows.Err()
}

// baselineLabels reads, in one query, the competency options each skill counts towards.
func baselineLabels(ctx context.Context, db *sql.DB) (map[int]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT rs.skill_id, c.name, o.level, o.name, c.position, c.id, o.position, o.id
		FROM requirement_skills rs JOIN requirements q ON q.id = rs.requirement_id
		JOIN competency_options o ON o.id = q.option_id JOIN competencies c ON c.id = o.competency_id
		ORDER BY c.position, c.id, o.position, o.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var (
			skill, cp, ci, op, oi int
			comp, level, option   string
		)
		if err := rows.Scan(&skill, &comp, &level, &option, &cp, &ci, &op, &oi); err != nil {
			return nil, err
		}
		label := fmt.Sprintf("%s: %s (%s)", comp, level[:1]+strings.ToLower(level[1:]), option)
		if prev := out[skill]; prev != "" {
			label = prev + "; " + label
		}
		out[skill] = label
	}
	return out, rows.Err()
}
