package ingest_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// A result completed later than now is refused, whether its time is a moment
// or a date (midnight UTC): a review ingested exams "completed" 20 hours
// ahead, which progress counted at once (it keeps counts on the rule that no
// result starts later) while what-if and the report did not — and an offer
// was bought on them. Sent again once its time has passed, it is stored.
func TestResultCompletedLaterThanNowIsRefused(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		start := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
		var now atomic.Int64
		now.Store(start.UnixNano())
		e := testenv.Start(t, d, testenv.Clock(func() time.Time { return time.Unix(0, now.Load()).UTC() }))
		prov := providerToken(t, e)
		mona := e.Demo("mona@contoso.example")
		q := `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted duplicates errors{index code message}}}`
		type payload struct {
			IngestResults struct {
				Accepted, Duplicates int
				Errors               []struct {
					Index         int
					Code, Message string
				}
			}
		}
		later := []map[string]any{
			{"mcid": "9900001", "skillNumber": "SC-300", "completedAt": start.Add(20 * time.Hour).Format(time.RFC3339)},
			{"mcid": "9900001", "skillNumber": "SC-300", "completedAt": "2026-11-21"}, // tomorrow's date, UTC
			{"mcid": "9900001", "skillNumber": "SC-300", "completedAt": start.Add(time.Microsecond).Format(time.RFC3339Nano)},
		}
		var out payload
		e.Do(prov, q, map[string]any{"in": later}).Decode(t, &out)
		if got := out.IngestResults; got.Accepted != 0 || len(got.Errors) != 3 {
			t.Fatalf("results completed later than now: %+v", got)
		}
		for _, re := range out.IngestResults.Errors {
			if re.Code != "INVALID_INPUT" || !strings.Contains(re.Message, "in the future (now is 2026-11-20T15:00:00Z)") {
				t.Fatalf("result %d: %s %q", re.Index, re.Code, re.Message)
			}
		}
		if n := securityCount(t, e, mona); n != 0 {
			t.Fatalf("a refused result counts: %d", n)
		}
		// Completed now: stored, and counts.
		e.Do(prov, q, map[string]any{"in": []map[string]any{{"mcid": "9900001", "skillNumber": "SC-300", "completedAt": start.Format(time.RFC3339)}}}).Decode(t, &out)
		if out.IngestResults.Accepted != 1 || securityCount(t, e, mona) != 1 {
			t.Fatalf("a result completed now: %+v", out.IngestResults)
		}
		// A day on, the refused ones go in.
		now.Store(start.Add(24 * time.Hour).UnixNano())
		e.Do(prov, q, map[string]any{"in": later}).Decode(t, &out)
		if got := out.IngestResults; got.Accepted != 3 || len(got.Errors) != 0 {
			t.Fatalf("once their time passed: %+v", got)
		}
	})
}
