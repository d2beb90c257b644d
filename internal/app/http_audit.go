package app

import (
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/auditevent"
	"certlink/internal/apperr"
	"certlink/internal/catalog"
	"certlink/internal/gid"
	"certlink/internal/history"
	"certlink/internal/people"
	"certlink/internal/report"
	"certlink/internal/viewer"
)

// auditCSV exports the organization's audit log as CSV (Global Admins, B3),
// newest first, with the filters of auditLog(where:) as query parameters:
// action (repeatable), actor and user (work account ids), mcid, from, to
// (dates or RFC 3339 times), search. Cells a spreadsheet would run as a
// formula are neutralized, as in the skills report.
func (a *App) auditCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewer.From(ctx)
	q, err := queryOf(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f, err := auditQuery(q, a.IDs)
	if err != nil {
		if _, coded := apperr.As(err); !coded {
			err = apperr.New(apperr.InvalidInput, "%s", err.Error())
		}
		writeError(w, r, err)
		return
	}
	release, err := a.beginDownload(ctx, w, v)
	if err != nil {
		writeError(w, r, err)
		return
	}
	defer release()
	// The log is read in keyset pages, each whole before it is written
	// (history.Service.Each): no connection waits on the client, whose pace
	// the paced writer bounds (stream.go).
	out := a.paced(w)
	defer a.settleDownload(ctx, out)
	names := map[int][2]string{} // work account id → name, email as people.As shows them to v
	person := func(id *int) [2]string {
		if id == nil || *id == 0 {
			return [2]string{}
		}
		if n, ok := names[*id]; ok {
			return n
		}
		var n [2]string
		if u, err := a.DB.Client.User.Get(viewer.System(ctx), *id); err == nil {
			ref := people.As(v, u) // another organization's people are not named
			n = [2]string{ref.Name, ref.Email}
		}
		names[*id] = n
		return n
	}
	var cw *csv.Writer
	start := func() {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
			map[string]string{"filename": fmt.Sprintf("audit-log-%s.csv", time.Now().UTC().Format("2006-01-02"))}))
		w.Header().Set("Cache-Control", "no-store")
		cw = csv.NewWriter(out)
		_ = cw.Write([]string{"Time (UTC)", "Action", "Action code", "By", "By email", "Person", "Person email", "MCID", "Detail", "Account"})
	}
	err = a.History.Each(ctx, v, f, func(e *ent.AuditEvent) error {
		if cw == nil {
			start()
		}
		by, who := person(e.ActorUserID), person(e.UserID)
		rec := []string{e.At.UTC().Format(time.RFC3339), history.ActionLabel(e.Action), e.Action,
			by[0], by[1], who[0], who[1], e.Mcid, e.Detail, accountOf(e)}
		for i, c := range rec {
			rec[i] = report.Neutralize(c)
		}
		return cw.Write(rec)
	})
	if err != nil && cw == nil {
		writeError(w, r, err)
		return
	}
	if cw == nil {
		start()
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		a.logDownload(ctx, "exporting the audit log", err)
	}
}

// accountOf names the directory account an event's number belongs to:
// "Partner University" (its MCID column holds that account's number),
// "Microsoft Learning", or nothing for an event about no account.
func accountOf(e *ent.AuditEvent) string {
	switch {
	case e.Mcid == "" || e.LinkKind == nil:
		return ""
	case *e.LinkKind == auditevent.LinkKindPARTNER_UNIVERSITY:
		return "Partner University"
	}
	return "Microsoft Learning"
}

// auditParams are the parameters GET /reports/audit.csv reads; action may
// repeat, the others come once.
var auditParams = []string{"action", "actor", "user", "mcid", "from", "to", "search"}

func auditQuery(q url.Values, ids *gid.Codec) (history.Filter, error) {
	if err := checkParams(q, "the audit log", auditParams, "action"); err != nil {
		return history.Filter{}, err
	}
	if err := history.CheckActions(q["action"], "action"); err != nil {
		return history.Filter{}, err
	}
	f := history.Filter{Actions: q["action"], MCID: strings.TrimSpace(q.Get("mcid")), Search: q.Get("search")}
	for name, dst := range map[string]*int{"actor": &f.ActorID, "user": &f.UserID} {
		if s := strings.TrimSpace(q.Get(name)); s != "" {
			// The id the API gave (GraphQL's User.id).
			n, err := ids.Decode(s)
			if err != nil {
				return f, &paramError{name, "want a work account's id, as the API gives it (User.id)"}
			}
			*dst = n
		}
	}
	for name, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if s := strings.TrimSpace(q.Get(name)); s != "" {
			t, err := catalog.ParseDate(s)
			if err != nil {
				return f, &paramError{name, err.Error()}
			}
			*dst = &t
		}
	}
	return f, nil
}
