package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A second status after the first (the websocket library refuses a
// cross-origin upgrade with 403, then gqlgen's transport writes 400) is
// neither sent nor logged: an outside review found status=400 in the access
// log for a 403 answer, and net/http's "superfluous WriteHeader" warning,
// which any anonymous caller could trigger.
func TestStatusRecorderKeepsTheFirstStatus(t *testing.T) {
	w := httptest.NewRecorder()
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	rec.WriteHeader(http.StatusForbidden)
	_, _ = rec.Write([]byte("refused"))
	rec.WriteHeader(http.StatusBadRequest)
	if rec.status != http.StatusForbidden || w.Code != http.StatusForbidden {
		t.Fatalf("recorded %d, sent %d; want 403 both", rec.status, w.Code)
	}
	// A body written first is a 200, and stays one.
	w = httptest.NewRecorder()
	rec = &statusRecorder{ResponseWriter: w, status: 200}
	_, _ = rec.Write([]byte("{}"))
	rec.WriteHeader(http.StatusInternalServerError)
	if rec.status != http.StatusOK {
		t.Fatalf("recorded %d after a body, want 200", rec.status)
	}
	// An informational status (103) does not stand for the answer's.
	w = httptest.NewRecorder()
	rec = &statusRecorder{ResponseWriter: w, status: 200}
	rec.WriteHeader(http.StatusEarlyHints)
	rec.WriteHeader(http.StatusNotFound)
	if rec.status != http.StatusNotFound {
		t.Fatalf("recorded %d after 103, want 404", rec.status)
	}
}
