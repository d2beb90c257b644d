package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"testing"
	"time"
)

// endActions maps a link's end_reason to the history action recorded with it.
var endActions = map[string]string{
	"REMOVED":        "UNLINKED",
	"MOVED":          "MOVED_OUT",
	"USER_DELETED":   "LINK_ENDED_USER_DELETED",
	"REPORT_REMOVED": "REMOVED_FROM_REPORT",
	"MERGED":         "LINK_ENDED_MERGED",
}

// CheckLinkHistory checks the links against their history since since (the
// demo's seeded links have none before): every start and every end of a link
// is recorded exactly once, at the row's time, with the action its end reason
// says, and no link event is recorded without its row; each link ends at most
// once and not before it started; the links of one profile follow each other
// (each starts when or after the one before ended). A link ended twice (an
// UNLINKED and a MOVED_OUT for one row) or a MOVED_OUT whose row was never
// ended fails here.
func CheckLinkHistory(t testing.TB, db *sql.DB, since time.Time) {
	t.Helper()
	ctx := context.Background()
	type link struct {
		id, profile, user int
		mcid              string
		start             time.Time
		end               sql.NullTime
		reason            sql.NullString
	}
	rows, err := db.QueryContext(ctx, `SELECT a.id, a.profile_id, a.user_id, p.mcid, a.started_at, a.ended_at, a.end_reason
		FROM associations a JOIN profiles p ON p.id = a.profile_id ORDER BY a.profile_id, a.started_at, a.id`)
	if err != nil {
		t.Fatal(err)
	}
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.id, &l.profile, &l.user, &l.mcid, &l.start, &l.end, &l.reason); err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	rows.Close()
	key := func(action string, user int, mcid string, at time.Time) string {
		return fmt.Sprintf("%s user %d MCID %s at %s", action, user, mcid, at.UTC().Format(time.RFC3339Nano))
	}
	want := map[string]int{}
	for i, l := range links {
		if !l.start.Before(since) {
			want[key("LINKED", l.user, l.mcid, l.start)]++
		}
		if l.end.Valid != l.reason.Valid {
			t.Errorf("link %d: ended_at %v but end_reason %v", l.id, l.end, l.reason)
		}
		if l.end.Valid {
			if l.end.Time.Before(l.start) {
				t.Errorf("link %d of MCID %s ends at %s, before it started at %s", l.id, l.mcid, l.end.Time, l.start)
			}
			if !l.end.Time.Before(since) {
				want[key(endActions[l.reason.String], l.user, l.mcid, l.end.Time)]++
			}
		}
		if i > 0 && links[i-1].profile == l.profile {
			prev := links[i-1]
			switch {
			case !prev.end.Valid:
				t.Errorf("MCID %s: link %d started at %s while link %d was still active", l.mcid, l.id, l.start, prev.id)
			case l.start.Before(prev.end.Time):
				t.Errorf("MCID %s: link %d started at %s, before link %d ended at %s", l.mcid, l.id, l.start, prev.id, prev.end.Time)
			}
		}
	}
	evs, err := db.QueryContext(ctx, `SELECT action, COALESCE(user_id, 0), mcid, at FROM audit_events
		WHERE at >= ? AND action IN ('LINKED','UNLINKED','MOVED_OUT','LINK_ENDED_USER_DELETED','REMOVED_FROM_REPORT','LINK_ENDED_MERGED')`, since)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for evs.Next() {
		var (
			action, mcid string
			user         int
			at           time.Time
		)
		if err := evs.Scan(&action, &user, &mcid, &at); err != nil {
			t.Fatal(err)
		}
		got[key(action, user, mcid, at)]++
	}
	evs.Close()
	var diffs []string
	for k, n := range want {
		if got[k] != n {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows, %d events", k, n, got[k]))
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: 0 rows, %d events", k, n))
		}
	}
	sort.Strings(diffs)
	for i, d := range diffs {
		if i == 20 {
			t.Errorf("… and %d more", len(diffs)-20)
			break
		}
		t.Errorf("link history and rows disagree: %s", d)
	}
}
