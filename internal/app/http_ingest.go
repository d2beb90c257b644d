package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/ingest"
	"certlink/internal/text"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Pace is how fast a POST /ingest body must arrive. Instead of the server's
// fixed read timeout, the time spent waiting for the body (not the time spent
// storing it) may reach Grace + bytes-read-so-far / MinRate, and one wait may
// last at most Idle: a client sending at MinRate or faster is never cut,
// however long its file or slow the database; one trickling bytes
// (slow-loris) is cut after about Grace.
type Pace struct {
	Grace   time.Duration
	Idle    time.Duration
	MinRate int64 // bytes per second
}

// DefaultPace lets a 512 MiB body take up to about 9 hours at 16 KiB/s.
var DefaultPace = Pace{Grace: 30 * time.Second, Idle: 30 * time.Second, MinRate: 16 << 10}

// errTooSlow is a body that did not arrive at the pace.
var errTooSlow = errors.New("the body arrived too slowly")

// pacedBody moves the connection's read deadline as the body arrives.
type pacedBody struct {
	r      io.Reader
	rc     *http.ResponseController
	pace   Pace
	n      int64
	waited time.Duration
}

func (p *pacedBody) Read(b []byte) (int, error) {
	left := p.pace.Grace + time.Duration(p.n*int64(time.Second)/max(p.pace.MinRate, 1)) - p.waited
	left = min(left, p.pace.Idle)
	if left <= 0 {
		return 0, errTooSlow
	}
	start := time.Now()
	if err := p.rc.SetReadDeadline(start.Add(left)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	k, err := p.r.Read(b)
	p.waited += time.Since(start)
	p.n += int64(k)
	if err != nil && isTimeout(err) {
		err = errTooSlow
	}
	return k, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// ingestBulk stores results from an NDJSON or CSV body (L10), streamed: each
// line is checked alone, valid lines are kept, errors carry line numbers.
// Batches commit as they fill, in line order: when the body is cut (too slow,
// the client gone, too large) the lines read whole before the cut are stored
// and the answer — and the job record, GET /ingest/jobs/{id} — says through
// which line.
func (a *App) ingestBulk(w http.ResponseWriter, r *http.Request) {
	// Batches commit on their own even when the client leaves: what was read
	// whole is stored and the job record says so.
	ctx := context.WithoutCancel(r.Context())
	v := viewer.From(ctx)
	b, err := a.Ingest.Begin(ctx, v)
	if err != nil {
		writeError(w, r, err)
		return
	}
	release, err := a.ingestSlot(w, v)
	if err != nil {
		writeError(w, r, err)
		return
	}
	defer release()
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" {
		writeError(w, r, apperr.New(apperr.InvalidInput, "Send results in UTF-8, not %s.", text.Quote(params["charset"])))
		return
	}
	if ce := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); ce != "" && ce != "identity" {
		// Read as it is, a compressed body would be one line error per
		// line; say what to do instead.
		writeError(w, r, apperr.New(apperr.InvalidInput, "Send the results uncompressed (Content-Encoding %s is not read).", text.Quote(ce)))
		return
	}
	read := map[string]func(*ingest.Batch, io.Reader) error{
		"application/x-ndjson": ingest.ReadNDJSON, "application/jsonl": ingest.ReadNDJSON,
		"application/json-seq": ingest.ReadNDJSON, "application/jsonlines": ingest.ReadNDJSON,
		"text/csv": ingest.ReadCSV,
	}[ct]
	if read == nil {
		writeError(w, r, apperr.New(apperr.InvalidInput, "Send results as application/x-ndjson (one JSON object per line) or text/csv (with a header row), not %s.", text.Quote(ct)))
		return
	}
	rc := http.NewResponseController(w)
	// The answer comes when the body is read, however long that takes.
	_ = rc.SetWriteDeadline(time.Time{})
	job := a.jobs.start(web.RequestID(ctx), v)
	b.Progress = job.update
	body := &pacedBody{r: r.Body, rc: rc, pace: a.pace()}
	readErr := read(b, body)
	// What was read whole is stored even when the body was cut: the answer
	// says exactly through which line.
	out, err := b.Finish()
	var failed *ingest.StoreError
	if errors.As(err, &failed) {
		a.ingestNotStored(w, r, body, job, out, failed)
		return
	}
	if err != nil {
		job.end("FAILED", err)
		writeError(w, r, err)
		return
	}
	_ = rc.SetWriteDeadline(time.Now().Add(time.Minute))
	resp := ingestAnswer{Job: job.ID, Accepted: out.Accepted, Updated: out.Updated, Duplicates: out.Duplicates,
		Errors: []lineError{}, ErrorsOmitted: out.ErrorsOmitted, LinesRead: b.Snapshot().LinesRead}
	for _, e := range out.Errors {
		resp.Errors = append(resp.Errors, lineErrorOf(e))
	}
	w.Header().Set("Content-Type", "application/json")
	if readErr == nil {
		job.end("DONE", nil)
		_ = json.NewEncoder(w).Encode(resp)
		return
	}
	cut := cutError(readErr, resp.LinesRead)
	job.end("CUT", cut)
	if e, ok := apperr.As(cut); ok && e.Code == apperr.Cancelled {
		a.Log.InfoContext(ctx, "ingest cut: the client went away", "request_id", web.RequestID(ctx), "lines_stored_through", resp.LinesRead)
	}
	e, _ := apperr.As(cut)
	resp.Error = &codedError{Code: e.Code, Message: e.Message}
	resp.NotReadFromLine = resp.LinesRead + 1
	status := http.StatusBadRequest
	switch e.Code {
	case apperr.RequestTimeout:
		status = http.StatusRequestTimeout
	case apperr.RequestTooLarge:
		status = http.StatusRequestEntityTooLarge
	case apperr.Cancelled:
		status = 499
	}
	// A body refused for what it holds is read to its end (at its pace,
	// within its size limit) before the answer: a client still sending it
	// would otherwise have the connection reset under it and lose the answer
	// (a review's unclosed CSV quote followed by 6 MB). A connection whose
	// reading side is broken (too slow, too large, gone) is closed after it.
	if _, coded := apperr.As(readErr); !coded || !drained(body) {
		w.Header().Set("Connection", "close")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// ingestNotStored answers an ingest whose batch the database did not store:
// what was stored before it, coded as the database's failure, and from which
// line to send again.
func (a *App) ingestNotStored(w http.ResponseWriter, r *http.Request, body io.Reader, job *ingestJob, out *ingest.Outcome, failed *ingest.StoreError) {
	e, status := errorAnswer(w, r, failed.Err)
	kept := fmt.Sprintf("Lines 1 to %d were handled (stored, duplicates, or listed in errors); nothing from line %d on was stored. Send the rest from line %d (re-sending a stored result changes nothing).",
		failed.Stored, failed.Stored+1, failed.Stored+1)
	if failed.Stored == 0 {
		kept = "Nothing was stored. Send the file again."
	}
	coded := apperr.New(e.Code, "%s %s", e.Message, kept)
	resp := ingestAnswer{Job: job.ID, Accepted: out.Accepted, Updated: out.Updated, Duplicates: out.Duplicates,
		Errors: []lineError{}, ErrorsOmitted: out.ErrorsOmitted, LinesRead: failed.Stored, NotReadFromLine: failed.Stored + 1,
		Error: &codedError{Code: coded.Code, Message: coded.Message}}
	for _, le := range out.Errors {
		resp.Errors = append(resp.Errors, lineErrorOf(le))
	}
	// The job says what the answer says: the refused batch's lines were
	// read, but neither handled nor counted.
	job.update(ingest.Progress{LinesRead: failed.Stored, LinesDone: failed.Stored, Accepted: out.Accepted, Updated: out.Updated,
		Duplicates: out.Duplicates, Errors: len(out.Errors) + out.ErrorsOmitted})
	job.end("FAILED", coded)
	w.Header().Set("Content-Type", "application/json")
	if !drained(body) {
		w.Header().Set("Connection", "close")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// drained reads the rest of a body whose answer no longer depends on it and
// reports whether it reached its end: a server that closes a connection with
// bytes still unread makes the kernel reset it, and a client still sending
// then loses the answer. The body keeps its pace and its size limit.
func drained(body io.Reader) bool {
	_, err := io.Copy(io.Discard, body)
	return err == nil
}

// lineError is a refused line: code NOT_FOUND for an MCID, skill number or
// MPN ID that does not exist, INVALID_INPUT otherwise.
type lineError struct {
	Line    int         `json:"line"`
	Code    apperr.Code `json:"code"`
	Message string      `json:"message"`
}

func lineErrorOf(e ingest.LineError) lineError { return lineError{e.Pos, e.Code, e.Message} }

type codedError struct {
	Code    apperr.Code `json:"code"`
	Message string      `json:"message"`
}

// ingestAnswer is POST /ingest's answer. Every line up to linesRead was
// handled (stored, a duplicate, or listed in errors); after a cut, error says
// why and nothing from notReadFromLine on was read.
type ingestAnswer struct {
	Job             string      `json:"job"`
	Accepted        int         `json:"accepted"`
	Updated         int         `json:"updated"`
	Duplicates      int         `json:"duplicates"`
	Errors          []lineError `json:"errors"`
	ErrorsOmitted   int         `json:"errorsOmitted,omitempty"`
	LinesRead       int         `json:"linesRead"`
	NotReadFromLine int         `json:"notReadFromLine,omitempty"`
	Error           *codedError `json:"error,omitempty"`
}

// cutError says in words why the body ended early and what was kept.
func cutError(err error, through int) error {
	kept := fmt.Sprintf("Lines 1 to %d were handled (stored, duplicates, or listed in errors); nothing from line %d on was read. Send the rest from line %d (re-sending a stored result changes nothing).", through, through+1, through+1)
	if through == 0 {
		kept = "No line was read whole, so nothing was stored."
	}
	var mb *http.MaxBytesError
	switch {
	case errors.Is(err, errTooSlow):
		return apperr.New(apperr.RequestTimeout, "The file arrived too slowly (under %d KiB/s, or nothing for %s). %s", DefaultPace.MinRate>>10, DefaultPace.Idle, kept)
	case errors.As(err, &mb):
		return apperr.New(apperr.RequestTooLarge, "The file is larger than the ingest limit (%d MiB); split it. %s", maxIngestBytes>>20, kept)
	}
	if e, ok := apperr.As(err); ok {
		return apperr.New(e.Code, "%s %s", e.Message, kept)
	}
	return apperr.New(apperr.Cancelled, "The upload ended before the file did (the connection was closed). %s", kept)
}

func (a *App) pace() Pace {
	a.jobs.mu.Lock()
	defer a.jobs.mu.Unlock()
	if a.jobs.pace != nil {
		return *a.jobs.pace
	}
	return DefaultPace
}

// SetIngestPace changes the pace POST /ingest bodies must keep (tests).
func (a *App) SetIngestPace(p Pace) {
	a.jobs.mu.Lock()
	defer a.jobs.mu.Unlock()
	a.jobs.pace = &p
}

// Ingest jobs: what each POST /ingest of this process is doing or did, for
// its sender, kept an hour (at most maxJobs).
const (
	maxJobs = 1000
	jobTTL  = time.Hour
)

type ingestJobs struct {
	mu   sync.Mutex
	list []*ingestJob
	pace *Pace
}

type ingestJob struct {
	ID    string `json:"id"`
	owner string
	mu    sync.Mutex
	state jobState
}

type jobState struct {
	ID         string      `json:"id"`
	State      string      `json:"state"` // RUNNING, DONE, CUT, FAILED
	StartedAt  time.Time   `json:"startedAt"`
	EndedAt    *time.Time  `json:"endedAt,omitempty"`
	LinesRead  int         `json:"linesRead"`
	LinesDone  int         `json:"linesStored"`
	Accepted   int         `json:"accepted"`
	Updated    int         `json:"updated"`
	Duplicates int         `json:"duplicates"`
	Errors     int         `json:"errors"`
	Error      *codedError `json:"error,omitempty"`
}

func ownerOf(v *viewer.Viewer) string {
	if v.Kind == viewer.KindProvider {
		return fmt.Sprintf("token:%d", v.TokenID)
	}
	return fmt.Sprintf("user:%d", v.UserID)
}

func (j *ingestJobs) start(id string, v *viewer.Viewer) *ingestJob {
	job := &ingestJob{ID: id, owner: ownerOf(v), state: jobState{ID: id, State: "RUNNING", StartedAt: time.Now().UTC()}}
	j.mu.Lock()
	defer j.mu.Unlock()
	cutoff := time.Now().Add(-jobTTL)
	j.list = slices.DeleteFunc(j.list, func(o *ingestJob) bool {
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.state.EndedAt != nil && o.state.EndedAt.Before(cutoff)
	})
	if len(j.list) >= maxJobs {
		j.list = j.list[1:]
	}
	j.list = append(j.list, job)
	return job
}

func (job *ingestJob) update(p ingest.Progress) {
	job.mu.Lock()
	defer job.mu.Unlock()
	s := &job.state
	s.LinesRead, s.LinesDone, s.Accepted, s.Updated, s.Duplicates, s.Errors = p.LinesRead, p.LinesDone, p.Accepted, p.Updated, p.Duplicates, p.Errors
}

func (job *ingestJob) end(state string, err error) {
	job.mu.Lock()
	defer job.mu.Unlock()
	now := time.Now().UTC()
	job.state.State, job.state.EndedAt = state, &now
	if e, ok := apperr.As(err); ok {
		job.state.Error = &codedError{Code: e.Code, Message: e.Message}
	} else if err != nil {
		job.state.Error = &codedError{Code: apperr.Internal, Message: "The ingest failed on our side; the lines up to linesStored are stored."}
	}
}

func (job *ingestJob) snapshot() jobState {
	job.mu.Lock()
	defer job.mu.Unlock()
	return job.state
}

// ingestJobs lists the caller's ingest jobs on this process, newest first.
func (a *App) ingestJobs(w http.ResponseWriter, r *http.Request) {
	v := viewer.From(r.Context())
	if err := ingest.Authorize(v); err != nil {
		writeError(w, r, err)
		return
	}
	owner := ownerOf(v)
	out := []jobState{}
	a.jobs.mu.Lock()
	for i := len(a.jobs.list) - 1; i >= 0 && len(out) < 50; i-- {
		if a.jobs.list[i].owner == owner {
			out = append(out, a.jobs.list[i].snapshot())
		}
	}
	a.jobs.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"jobs": out})
}

// ingestJob answers one of the caller's ingest jobs: its progress while it
// runs, what it stored when it ended.
func (a *App) ingestJob(w http.ResponseWriter, r *http.Request) {
	v := viewer.From(r.Context())
	if err := ingest.Authorize(v); err != nil {
		writeError(w, r, err)
		return
	}
	id, owner := r.PathValue("id"), ownerOf(v)
	var found *ingestJob
	a.jobs.mu.Lock()
	for i := len(a.jobs.list) - 1; i >= 0; i-- {
		if j := a.jobs.list[i]; j.ID == id && j.owner == owner {
			found = j
			break
		}
	}
	a.jobs.mu.Unlock()
	if found == nil {
		writeError(w, r, apperr.New(apperr.NotFound, "No ingest job %s of yours on this server (jobs are kept an hour).", text.Quote(id)))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(found.snapshot())
}

// Ingests running at once: each holds the database's writer for its batches
// (on SQLite the only one), so uploads in parallel starved every other
// write — sign-ins timed out for minutes under eight (outside review). One
// owner (provider token, operator) runs IngestsPerOwner, the process
// IngestsPerProcess; more are refused 429 RATE_LIMITED with Retry-After.
const (
	IngestsPerOwner   = 2
	IngestsPerProcess = 8
	ingestRetryAfter  = 10
)

// ingestSlot counts a bulk ingest (results or metrics) among its owner's
// and the process's, or says why not.
func (a *App) ingestSlot(w http.ResponseWriter, v *viewer.Viewer) (release func(), err error) {
	if v == nil {
		return func() {}, nil // Begin refused it already
	}
	release, n, why := a.ingests.take(ownerOf(v), "", IngestsPerOwner, 0, IngestsPerProcess)
	if release != nil {
		return release, nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(ingestRetryAfter))
	w.Header().Set("Connection", "close") // the body is not read
	msg := "The server is storing as many uploads as it takes at once: send it again in a few seconds."
	if why == ownerFull {
		msg = fmt.Sprintf("You have %d uploads being stored already, the most at once: send this one when one has finished.", n)
	}
	return nil, apperr.New(apperr.RateLimited, "%s", msg).With("retryAfterSeconds", ingestRetryAfter)
}
