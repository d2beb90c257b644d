package app_test

import (
	"regexp"
	"strconv"
	"testing"

	"certlink/internal/testenv"
)

// GET /metrics serves certlink's own figures beside the Go runtime's (A6;
// an outside review found only the runtime's): requests by route and
// status, GraphQL errors by code, open websockets, mail sent and the
// database pool. Labels take fixed values: a path nobody routes is "webapp".
func TestMetricsCountRequestsAndErrors(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	value := func(body []byte, series string) float64 {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	_, before := e.Get("", "/metrics")
	e.Do("", `{me{email}}`, nil) // UNAUTHENTICATED
	e.Get("", "/no/such/page/"+strconv.Itoa(12345))
	_, after := e.Get("", "/metrics")
	for _, c := range []struct {
		series string
		grew   float64
	}{
		{`certlink_http_requests_total{code="200",method="POST",route="/graphql"}`, 1},
		{`certlink_graphql_errors_total{code="UNAUTHENTICATED"}`, 1},
	} {
		if got := value(after, c.series) - value(before, c.series); got < c.grew {
			t.Errorf("%s grew by %v, want %v", c.series, got, c.grew)
		}
	}
	for _, series := range []string{"certlink_websockets_open", "certlink_mail_sent_total", `go_sql_open_connections{db_name="certlink"}`, `certlink_http_request_duration_seconds_count{route="/graphql"}`} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` `).Match(after) {
			t.Errorf("no %s in /metrics", series)
		}
	}
	if regexp.MustCompile(`route="/no/`).Match(after) {
		t.Error("a path became a label value")
	}
}
