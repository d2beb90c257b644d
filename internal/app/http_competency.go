package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/catalog"
	"certlink/internal/report"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// maxIngestBytes bounds one POST /ingest body (streamed, never held in memory).
const maxIngestBytes = 512 << 20

// competencyRoutes adds the skills report download and bulk ingest.
func (a *App) competencyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /reports/skills.csv", passwordChanged(a.skillsCSV))
	mux.HandleFunc("POST /ingest", passwordChanged(a.ingestBulk))
	mux.HandleFunc("GET /ingest/jobs", passwordChanged(a.ingestJobs))
	mux.HandleFunc("GET /ingest/jobs/{id}", passwordChanged(a.ingestJob))
	mux.HandleFunc("POST /ingest/metrics", passwordChanged(a.ingestMetrics))
	mux.HandleFunc("GET /reports/audit.csv", passwordChanged(a.auditCSV))
	// The rest of /reports/ and /ingest answers in the endpoints' JSON
	// shape, not the web app's text/plain (outside review: POST
	// /reports/skills.csv was a text/plain 405).
	mux.HandleFunc("/reports/", apiElse)
	mux.HandleFunc("/ingest", apiElse)
	mux.HandleFunc("/ingest/", apiElse)
}

// apiMethods are the endpoints under /reports/ and /ingest, by the method
// each takes.
var apiMethods = []struct {
	method string
	path   *regexp.Regexp
}{
	{http.MethodGet, regexp.MustCompile(`^/reports/(skills|audit)\.csv$`)},
	{http.MethodPost, regexp.MustCompile(`^/ingest(/metrics)?$`)},
	{http.MethodGet, regexp.MustCompile(`^/ingest/jobs(/[^/]+)?$`)},
}

// apiElse answers a request under /reports/ or /ingest that no endpoint
// took: 405 METHOD_NOT_ALLOWED with Allow for an endpoint's path asked with
// another method, else 404 NOT_FOUND — JSON, {"error": {code, message}}.
func apiElse(w http.ResponseWriter, r *http.Request) {
	for _, m := range apiMethods {
		if m.path.MatchString(r.URL.Path) {
			w.Header().Set("Allow", m.method)
			writeError(w, r, apperr.New(apperr.MethodNotAllowed, "This endpoint takes %s only.", m.method))
			return
		}
	}
	writeError(w, r, apperr.New(apperr.NotFound, "There is no such endpoint under /reports/ or /ingest: see the README's API section."))
}

// passwordChanged is graph.PasswordChangeGate for plain HTTP endpoints: a user
// still holding a temporary password (U2) gets PASSWORD_CHANGE_REQUIRED (403)
// until they chose their own, as they do from every GraphQL field but me and
// changePassword.
func passwordChanged(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v := viewer.From(r.Context()); v != nil && v.MustChangePassword {
			writeError(w, r, apperr.PasswordChangeFirst("Choose your own password first (changePassword): you signed in with a temporary one."))
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
	q, err := queryOf(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f, o, err := reportQuery(q)
	if err != nil {
		writeError(w, r, apperr.New(apperr.InvalidInput, "%s", err.Error()))
		return
	}
	bom, err := report.ParseBool("bom", q.Get("bom"))
	if err != nil {
		writeError(w, r, apperr.New(apperr.InvalidInput, "%s", err.Error()))
		return
	}
	// Everything the stream would refuse is refused now, with its code and
	// status, before the headers of a CSV go out.
	if err := a.Report.Check(ctx, v, f, o); err != nil {
		writeError(w, r, err)
		return
	}
	release, err := a.beginDownload(ctx, w, v)
	if err != nil {
		writeError(w, r, err)
		return
	}
	defer release()
	name := report.Filename(org, time.Now())
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	out := a.paced(w)
	defer a.settleDownload(ctx, out)
	if bom != nil && *bom {
		_, _ = out.Write([]byte("\ufeff")) // for spreadsheets that need it to read UTF-8
	}
	// The report is read into a spool at the database's pace and sent from
	// there at the client's: a slow reader never holds a pooled connection
	// (stream.go).
	err = sendSpooled(ctx, out, func(ctx context.Context, sw io.Writer) error {
		return a.Report.WriteCSV(ctx, v, sw, f, o, nil)
	})
	if err != nil {
		// Headers are gone: the download ends short; the log says why.
		a.logDownload(ctx, "streaming the skills report", err)
	}
}

// csvParams are the parameters GET /reports/skills.csv reads; skillNumber
// may repeat, the others come once.
var csvParams = []string{"mcid", "skillType", "skillNumber", "competency", "search", "associatedInPC", "needsAssociation",
	"completedAfter", "completedBefore", "expiresAfter", "expiresBefore", "validOnly", "orderBy", "direction", "bom"}

// checkParams refuses a parameter that is not one of known (what names the
// export) and a repeated one other than repeatable: a misspelt filter must
// not widen an export to everything.
func checkParams(q url.Values, what string, known []string, repeatable string) error {
	for name, vals := range q {
		if !slices.Contains(known, name) {
			return &paramError{text.Quote(name), "not a parameter of " + what + " (" + strings.Join(known, ", ") + ")"}
		}
		if len(vals) > 1 && name != repeatable {
			return &paramError{name, "give it once"}
		}
	}
	return nil
}

// nonBlank drops the blank values of a repeated filter: skillNumber= is no
// filter, as mcid= is, and as over GraphQL.
func nonBlank(vs []string) []string {
	var out []string
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

func reportQuery(q url.Values) (report.Filter, report.Order, error) {
	if err := checkParams(q, "the skills report", csvParams, "skillNumber"); err != nil {
		return report.Filter{}, report.Order{}, err
	}
	f := report.Filter{
		MCID:         strings.TrimSpace(q.Get("mcid")),
		SkillType:    strings.ToUpper(strings.TrimSpace(q.Get("skillType"))),
		SkillNumbers: nonBlank(q["skillNumber"]),
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

// queryOf is the request's query string, refused whole when any part of it
// cannot be read: URL.Query drops such a part silently (a "mcid=1;" is no
// filter at all), and a filtered export must never quietly become the whole.
func queryOf(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, apperr.New(apperr.InvalidInput, "The query string cannot be read (%s): write each parameter as name=value, joined by &, with ; and other reserved characters percent-encoded.", err.Error())
	}
	return q, nil
}

type paramError struct{ name, msg string }

func (e *paramError) Error() string { return e.name + ": " + e.msg }

// writeError answers a plain HTTP endpoint with the error's status and a JSON
// body {"error": {"code", "message"}}; unexpected errors are logged and answered
// generically, as in GraphQL (A5).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, status := errorAnswer(w, r, err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The error's extensions too, as GraphQL gives them (reason, scope,
	// expiredAt, revokedAt, retryAfterSeconds, field…): a tool reads the
	// same facts from a download's refusal as from the API's (review).
	body := map[string]any{"code": e.Code, "message": e.Message}
	for k, v := range e.Extensions {
		if k != "code" && k != "message" {
			body[k] = v
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

// writeCodedError is writeError for a handler in front of every endpoint:
// on /graphql the answer has GraphQL's shape (errors[].extensions.code, A5).
func writeCodedError(w http.ResponseWriter, r *http.Request, err error) {
	if r.URL.Path != "/graphql" {
		writeError(w, r, err)
		return
	}
	e, status := errorAnswer(w, r, err)
	ext := map[string]any{"code": e.Code}
	for k, v := range e.Extensions {
		ext[k] = v
	}
	writeGraphQLError(w, status, e.Message, ext)
}

// errorAnswer is err as the caller is told it, coded, and its HTTP status;
// it sets the headers that go with it (WWW-Authenticate, Retry-After). An
// error without a code is logged and told INTERNAL with the request's id.
func errorAnswer(w http.ResponseWriter, r *http.Request, err error) (*apperr.Error, int) {
	ctx := r.Context()
	e, ok := apperr.As(err)
	if !ok && store.Unavailable(err) {
		e, ok = apperr.As(store.UnavailableError(err))
	}
	if !ok && errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// The caller went away: nobody reads this, nothing went wrong here.
		slog.DebugContext(ctx, "request cancelled by the caller", "request_id", web.RequestID(ctx))
		e, ok = apperr.New(apperr.Cancelled, "The request was cancelled."), true
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
		challenge := `Bearer realm="certlink"`
		if refused, ok := apperr.As(viewer.Refused(ctx)); ok && viewer.From(ctx) == nil {
			// RFC 6750 §3.1: the token the caller sent expired.
			e = refused
			challenge += `, error="invalid_token", error_description="` + strings.ReplaceAll(e.Message, `"`, "'") + `"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	case apperr.Forbidden:
		status = http.StatusForbidden
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.Conflict:
		status = http.StatusConflict
	case apperr.MethodNotAllowed:
		status = http.StatusMethodNotAllowed
	case apperr.RequestTooLarge:
		status = http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		status = http.StatusTooManyRequests
		if secs, ok := e.Extensions["retryAfterSeconds"].(int); ok && w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
	case apperr.Internal:
		status = http.StatusInternalServerError
	case apperr.Unavailable:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	case apperr.RequestTimeout:
		status = http.StatusRequestTimeout
	case apperr.Timeout:
		status = http.StatusGatewayTimeout
	case apperr.Cancelled:
		status = 499 // client closed request: never read
	}
	return e, status
}

func slogError(ctx context.Context, msg string, args ...any) { slog.ErrorContext(ctx, msg, args...) }
