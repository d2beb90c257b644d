package app

import (
	"encoding/json"
	"mime"
	"net/http"

	"certlink/internal/apperr"
	"certlink/internal/designation"
	"certlink/internal/viewer"
)

// maxMetricIngestBytes bounds one POST /ingest/metrics body (streamed). The
// number of records is bounded too (designation.MaxMetricRecords).
const maxMetricIngestBytes = 32 << 20

// ingestMetrics stores ingested metric values of the solution areas from an
// NDJSON or CSV body (issue 15 item 2), streamed: each line is checked alone,
// valid lines are kept, errors carry line numbers.
func (a *App) ingestMetrics(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, err := a.MetricIngest.Begin(ctx, viewer.From(ctx))
	if err != nil {
		writeError(w, r, err)
		return
	}
	release, err := a.ingestSlot(w, viewer.From(ctx))
	if err != nil {
		writeError(w, r, err)
		return
	}
	defer release()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-ndjson", "application/jsonl", "application/jsonlines":
		err = designation.ReadMetricsNDJSON(b, r.Body)
	case "text/csv":
		err = designation.ReadMetricsCSV(b, r.Body)
	default:
		writeError(w, r, apperr.New(apperr.InvalidInput, "Send metric values as application/x-ndjson (one JSON object per line) or text/csv (header mpnId,area,metric,month,value), not %q.", ct))
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
	resp := struct {
		Accepted      int         `json:"accepted"`
		Updated       int         `json:"updated"`
		Duplicates    int         `json:"duplicates"`
		Errors        []lineError `json:"errors"`
		ErrorsOmitted int         `json:"errorsOmitted,omitempty"`
		NotReadFrom   int         `json:"notReadFromLine,omitempty"`
		Message       string      `json:"message,omitempty"`
	}{Accepted: out.Accepted, Updated: out.Updated, Duplicates: out.Duplicates, Errors: []lineError{},
		ErrorsOmitted: out.ErrorsOmitted, NotReadFrom: out.NotRead}
	if out.NotRead > 0 {
		resp.Message = "At most 100000 values per request: nothing from line notReadFromLine on was read; send it in another request."
	}
	for _, e := range out.Errors {
		resp.Errors = append(resp.Errors, lineErrorOf(e))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}
