package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/catalog"
	"certlink/internal/ingest"
	"certlink/internal/report"
	"certlink/internal/store"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// maxIngestBytes bounds one POST /ingest body (streamed, never held in memory).
const maxIngestBytes = 512 << 20

// competencyRoutes adds the skills report download and bulk ingest.
func (a *App) competencyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /reports/skills.csv", passwordChanged(a.skillsCSV))
	mux.HandleFunc("POST /ingest", passwordChanged(a.ingestBulk))
	mux.HandleFunc("POST /ingest/metrics", passwordChanged(a.ingestMetrics))
	mux.HandleFunc("GET /reports/audit.csv", passwordChanged(a.auditCSV))
}

// passwordChanged is graph.PasswordChangeGate for plain HTTP endpoints: a user
// still holding a temporary password (U2) gets PASSWORD_CHANGE_REQUIRED (403)
// until they chose their own, as they do from every GraphQL field but me and
// changePassword.
func passwordChanged(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v := viewer.From(r.Context()); v != nil && v.MustChangePassword {
			writeError(w, r, apperr.New(apperr.PasswordChangeFirst,
				"Choose your own password first (changePassword): you signed in with a temporary one."))
			return
		}
		next(w, r)
	}
}

// skillsCSV streams the skills report (S2) with the filters of the GraphQL
// connection as query parameters: mcid, skillType, skillNumber (repeatable),
// competency, search, associatedInPC, needsAssociation, completedAfter,
// completedBefore, expiresAfter, expiresBefore, validOnly, orderBy, direction.
func (a *App) skillsCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewer.From(ctx)
	org, err := a.Report.Org(ctx, v)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f, o, err := reportQuery(r.URL.Query())
	if err != nil {
		writeError(w, r, apperr.New(apperr.InvalidInput, "%s", err.Error()))
		return
	}
	if err := f.Validate(o); err != nil {
		writeError(w, r, apperr.New(apperr.InvalidInput, "%s", err.Error()))
		return
	}
	name := report.Filename(org, time.Now())
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if b, _ := report.ParseBool("bom", r.URL.Query().Get("bom")); b != nil && *b {
		_, _ = w.Write([]byte("\ufeff")) // for spreadsheets that need it to read UTF-8
	}
	flush := func() {
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
	}
	if err := a.Report.WriteCSV(ctx, v, w, f, o, flush); err != nil {
		// Headers are gone: the download ends short; the log says why.
		a.Log.ErrorContext(ctx, "streaming the skills report", "request_id", web.RequestID(ctx), "err", err)
	}
}

func reportQuery(q url.Values) (report.Filter, report.Order, error) {
	f := report.Filter{
		MCID:         strings.TrimSpace(q.Get("mcid")),
		SkillType:    strings.ToUpper(strings.TrimSpace(q.Get("skillType"))),
		SkillNumbers: q["skillNumber"],
		Competency:   strings.TrimSpace(q.Get("competency")),
		Search:       q.Get("search"),
	}
	var err error
	if f.AssociatedInPC, err = report.ParseBool("associatedInPC", q.Get("associatedInPC")); err != nil {
		return f, report.Order{}, err
	}
	if f.NeedsAssociation, err = report.ParseBool("needsAssociation", q.Get("needsAssociation")); err != nil {
		return f, report.Order{}, err
	}
	valid, err := report.ParseBool("validOnly", q.Get("validOnly"))
	if err != nil {
		return f, report.Order{}, err
	}
	f.ValidOnly = valid != nil && *valid
	for name, dst := range map[string]**time.Time{"completedAfter": &f.CompletedAfter, "completedBefore": &f.CompletedBefore,
		"expiresAfter": &f.ExpiresAfter, "expiresBefore": &f.ExpiresBefore} {
		if s := q.Get(name); s != "" {
			t, err := catalog.ParseDate(s)
			if err != nil {
				return f, report.Order{}, &paramError{name, err.Error()}
			}
			*dst = &t
		}
	}
	o := report.Order{Field: report.OrderField(strings.ToUpper(q.Get("orderBy")))}
	switch strings.ToUpper(q.Get("direction")) {
	case "", "ASC":
	case "DESC":
		o.Desc = true
	default:
		return f, o, &paramError{"direction", "want ASC or DESC"}
	}
	return f, o, nil
}

type paramError struct{ name, msg string }

func (e *paramError) Error() string { return e.name + ": " + e.msg }

// ingestBulk stores results from an NDJSON or CSV body (L10), streamed: each
// line is checked alone, valid lines are kept, errors carry line numbers.
func (a *App) ingestBulk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, err := a.Ingest.Begin(ctx, viewer.From(ctx))
	if err != nil {
		writeError(w, r, err)
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-ndjson", "application/jsonl", "application/json-seq", "application/jsonlines":
		err = ingest.ReadNDJSON(b, r.Body)
	case "text/csv":
		err = ingest.ReadCSV(b, r.Body)
	default:
		writeError(w, r, apperr.New(apperr.InvalidInput, "Send results as application/x-ndjson (one JSON object per line) or text/csv (with a header row), not %s.", ingest.Quote(ct)))
		return
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	out, err := b.Finish()
	if err != nil {
		writeError(w, r, err)
		return
	}
	type lineError struct {
		Line    int    `json:"line"`
		Message string `json:"message"`
	}
	resp := struct {
		Accepted      int         `json:"accepted"`
		Updated       int         `json:"updated"`
		Duplicates    int         `json:"duplicates"`
		Errors        []lineError `json:"errors"`
		ErrorsOmitted int         `json:"errorsOmitted,omitempty"`
	}{Accepted: out.Accepted, Updated: out.Updated, Duplicates: out.Duplicates, Errors: []lineError{}, ErrorsOmitted: out.ErrorsOmitted}
	for _, e := range out.Errors {
		resp.Errors = append(resp.Errors, lineError{e.Pos, e.Message})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// writeError answers a plain HTTP endpoint with the error's status and a JSON
// body {"error": {"code", "message"}}; unexpected errors are logged and answered
// generically, as in GraphQL (A5).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	e, ok := apperr.As(err)
	if !ok && store.Unavailable(err) {
		e, ok = apperr.As(store.UnavailableError(err))
	}
	if !ok {
		id := web.RequestID(ctx)
		slogError(ctx, "request failed", "request_id", id, "err", err)
		e = apperr.New(apperr.Internal, "Something went wrong on our side (request id %s). Please try again.", id)
	}
	status := http.StatusBadRequest
	switch e.Code {
	case apperr.Unauthenticated:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer realm="certlink"`)
	case apperr.Forbidden, apperr.PasswordChangeFirst:
		status = http.StatusForbidden
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.Conflict:
		status = http.StatusConflict
	case apperr.RequestTooLarge:
		status = http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		status = http.StatusTooManyRequests
	case apperr.Internal:
		status = http.StatusInternalServerError
	case apperr.Unavailable:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message}})
}

func slogError(ctx context.Context, msg string, args ...any) { slog.ErrorContext(ctx, msg, args...) }
