// Package metrics holds certlink's own Prometheus metrics, served at GET
// /metrics beside the Go runtime's and the process's (A6). Every label takes
// values from a fixed set — a route, a status code, an error code — so no
// caller can grow the number of series.
package metrics

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "certlink_http_requests_total",
		Help: "HTTP requests answered, by route, method and status code.",
	}, []string{"route", "method", "code"})
	duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "certlink_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request (websockets excluded), by route.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route"})
	sockets = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "certlink_websockets_open",
		Help: "GraphQL websockets open now.",
	})
	gqlErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "certlink_graphql_errors_total",
		Help: "Errors in GraphQL answers, by extensions.code.",
	}, []string{"code"})
	mailSent = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "certlink_mail_sent_total",
		Help: "Outbox messages delivered (N2).",
	})
	mailFailed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "certlink_mail_attempts_failed_total",
		Help: "Outbox delivery attempts that failed and were scheduled again (N2).",
	})
)

func init() {
	prometheus.MustRegister(requests, duration, sockets, gqlErrors, mailSent, mailFailed)
}

// Route is the label of a request path: one of a fixed set.
func Route(path string, socket bool) string {
	switch {
	case socket:
		return "websocket"
	case path == "/graphql", path == "/healthz", path == "/metrics", path == "/ingest",
		path == "/ingest/metrics", path == "/reports/skills.csv", path == "/reports/audit.csv":
		return path
	case strings.HasPrefix(path, "/ingest/jobs"):
		return "/ingest/jobs"
	case strings.HasPrefix(path, "/reports/"), strings.HasPrefix(path, "/ingest"):
		return "other"
	case strings.HasPrefix(path, "/auth/"):
		return "/auth"
	default:
		return "webapp"
	}
}

// Request records an answered HTTP request.
func Request(route, method string, status int, took time.Duration) {
	switch method {
	case "GET", "POST", "HEAD", "OPTIONS":
	default:
		method = "other"
	}
	if status < 100 || status > 599 {
		status = 0
	}
	requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	if route != "websocket" {
		duration.WithLabelValues(route).Observe(took.Seconds())
	}
}

// SocketOpened counts a websocket open until the returned func is called.
func SocketOpened() (closed func()) {
	sockets.Inc()
	return sockets.Dec
}

// GraphQLError counts an error of a GraphQL answer by its code, one of
// known (anything else counts as OTHER).
func GraphQLError(code string, known func(string) bool) {
	if code == "" || !known(code) {
		code = "OTHER"
	}
	gqlErrors.WithLabelValues(code).Inc()
}

// MailSent and MailFailed count outbox deliveries.
func MailSent()   { mailSent.Inc() }
func MailFailed() { mailFailed.Inc() }

// WatchDB adds db's connection pool figures (open, in use, waits) as
// go_sql_*{db_name="certlink"}; a second database of the process (tests) is not added.
func WatchDB(db *sql.DB) {
	err := prometheus.Register(collectors.NewDBStatsCollector(db, "certlink"))
	var already prometheus.AlreadyRegisteredError
	if err != nil && !errors.As(err, &already) {
		panic(err)
	}
}
