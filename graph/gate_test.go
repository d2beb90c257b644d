package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/guard"
	"certlink/internal/testenv"
)

// The documents that took validation ~10 s (issue 11, item 1): thousands of
// repeated fields, no aliases, under the token limit. Each is refused by the
// gate's lexer pass (extensions.limit names the lexer's limit: validation, which
// reports its own errors, never ran), anonymously and signed in, over POST and
// GET, in parallel.
func TestGateRefusesValidationBombsBeforeParsing(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	tok := e.Demo("grace@contoso.example")
	bombs := map[string]struct{ doc, limit string }{
		"7,400 fields in one set":    {"{me{" + strings.Repeat("email ", 7400) + "}}", "fieldsPerSelectionSet"},
		"7,400 fields in sets of 37": {"{" + strings.Repeat("me{"+strings.Repeat("email ", 36)+"} ", 200) + "}", "fields"},
		"1,100 fields in sets of 11": {"{me{" + strings.Repeat("organization{"+strings.Repeat("name ", 10)+"} ", 100) + "}}", "fields"},
		"fragment spreads":           {"{me{...F}} fragment F on User{" + strings.Repeat("...G ", 200) + "} fragment G on User{email}", "fieldsPerSelectionSet"},
		"deep nesting":               {strings.Repeat("{me ", 40) + strings.Repeat("}", 40), "depth"},
		"81 KB comments and fields":  {strings.Repeat("# padding padding padding\n", 1000) + "{me{" + strings.Repeat("email ", 9000) + "}}", "fieldsPerSelectionSet"},
	}
	for name, b := range bombs {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			for i, who := range []string{"", tok, "", tok, "", tok} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := time.Now()
					var r *testenv.Response
					if i%2 == 0 {
						r = e.Do(who, b.doc, nil)
					} else {
						r = getGraphQL(t, e, who, b.doc)
					}
					switch {
					case i%2 == 1 && r.Status == http.StatusRequestHeaderFieldsTooLarge:
						// A GET whose URL passes the server's header limit
						// (app.Configure) is refused before anything is read.
					case len(r.Errors) != 1 || r.Errors[0].Extensions["limit"] == nil:
						t.Errorf("%s (caller %d): not refused by the gate: %d %+v", name, i, r.Status, r.Errors)
					case who != "" && (r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["limit"] != b.limit):
						t.Errorf("%s (signed in): %+v", name, r.Errors)
					case who == "" && r.Code() != "INVALID_INPUT" && r.Code() != "REQUEST_TOO_LARGE":
						t.Errorf("%s (anonymous): %+v", name, r.Errors)
					}
					t.Logf("%s: refused in %v", name, time.Since(start))
				}()
			}
			wg.Wait()
		})
	}
}

// A caller whose bucket is empty is refused before its document is even
// lexed: the same bomb answers RATE_LIMITED, not the lexer's refusal.
func TestRateLimitedCallerIsRefusedBeforeAnyWork(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 5 })
	tok := e.Demo("alex@contoso.example")
	for i := 0; i < 5; i++ {
		if r := e.Do(tok, "{me{email}}", nil); len(r.Errors) > 0 {
			t.Fatalf("request %d: %+v", i, r.Errors)
		}
	}
	bomb := "{me{" + strings.Repeat("email ", 7400) + "}}"
	for _, doc := range []string{bomb, "{me{email}}", "{ nonsense"} {
		r := e.Do(tok, doc, nil)
		if r.Code() != "RATE_LIMITED" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("%.40q while rate limited: %+v %v", doc, r.Errors, r.Header)
		}
	}
}

// The cost is an upper bound of what is served, computed once the variables
// are known (issue 11, item 2).
func TestCostCountsWhatWillBeServed(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	tok := e.Demo("grace@contoso.example")
	nested := `query($n: Int) { me { organization { users(first: $n) { edges { node { organization { users(first: $n) { edges { node { email name } } } } } } } } } }`
	// An omitted or null first is served as a page of 100: 100 × 100 users.
	for _, vars := range []map[string]any{nil, {"n": nil}} {
		r := e.Do(tok, nested, vars)
		if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "could cost") {
			t.Fatalf("null first %v: %+v", vars, r.Errors)
		}
	}
	if r := e.Do(tok, nested, map[string]any{"n": 2}); len(r.Errors) > 0 {
		t.Fatalf("first: 2 refused: %+v", r.Errors)
	}
	// nodes(ids:[…]) serves one node per id.
	var me struct {
		Me struct{ Organization struct{ ID string } }
	}
	e.Do(tok, "{me{organization{id}}}", nil).Decode(t, &me)
	ids := make([]string, 100) // the most nodes(ids:) takes
	for i := range ids {
		ids[i] = me.Me.Organization.ID
	}
	q := `query($ids:[ID!]!){ nodes(ids:$ids){ ... on Organization { users(first: 100) { edges { node { email } } } } } }`
	if r := e.Do(tok, q, map[string]any{"ids": ids}); r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "could cost") {
		t.Fatalf("100 nodes × 100 users: %+v", r.Errors)
	}
	if r := e.Do(tok, q, map[string]any{"ids": ids[:2]}); len(r.Errors) > 0 {
		t.Fatalf("2 nodes: %+v", r.Errors)
	}
}

// Lists whose length depends on the data (people who count, replies) are
// metered as they are served: past the limit the operation stops and the
// answer is one coded error, not a partial 11 MB.
func TestMeterStopsAnAnswerPastItsLimit(t *testing.T) {
	limits := guard.DefaultLimits
	limits.MaxServed = 200
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.QueryLimits = limits })
	tok := e.Demo("grace@contoso.example")
	q := `{ competencyProgress { levels { options { requirements { key people { email name } skills { number title } } } } } }`
	r := e.Do(tok, q, nil)
	if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["limit"] != "servedFields" || len(r.Errors) != 1 || string(r.Data) != "null" && len(r.Data) != 0 {
		t.Fatalf("over the meter: %s %+v", r.Data, r.Errors)
	}
	small := e.Do(tok, "{me{email}}", nil)
	cost, _ := small.Extensions["cost"].(map[string]any)
	if len(small.Errors) > 0 || cost["servedFields"] != float64(2) {
		t.Fatalf("small query: %+v %v", small.Errors, small.Extensions)
	}
}

// Fields are counted, not their size: the text an answer carries is metered
// too, so a few fields holding 64 KiB each cannot make an answer of hundreds
// of MB (outside review: 33 MB for 509 fields, 1 GB with aliases). Over a
// websocket the same.
func TestMeterStopsAnAnswerPastItsText(t *testing.T) {
	limits := guard.DefaultLimits
	limits.MaxServedBytes = 200 << 10
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.QueryLimits = limits })
	alex := e.Demo("alex@contoso.example")
	body := strings.Repeat("x", 19000)
	for range 12 {
		e.Do(alex, `mutation($b:String!){createSupportTicket(input:{category:"OTHER",subject:"Long",body:$b}){id}}`, map[string]any{"b": body}).Decode(t, &struct{}{})
	}
	q := `{ supportTickets(first: 50) { edges { node { body } } } }`
	r := e.Do(alex, q, nil)
	if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["limit"] != "servedBytes" || len(r.Errors) != 1 || string(r.Data) != "null" && len(r.Data) != 0 {
		t.Fatalf("12 × 19,000 bytes over a 200 KB meter: %.200s %+v", r.Data, r.Errors)
	}
	r = e.Do(alex, `{ supportTickets(first: 10) { edges { node { body } } } }`, nil)
	cost, _ := r.Extensions["cost"].(map[string]any)
	if served, _ := cost["servedBytes"].(float64); len(r.Errors) > 0 || served < 190000 || served > 190500 || cost["points"] != float64(2) {
		// 190,000 bytes of bodies and the answer's keys are 2 points (one
		// per 100 KB), more than the 22 fields' one.
		t.Fatalf("10 of them fit, charged by their text: %+v %v", r.Errors, cost)
	}
}

// The request's deadline stops the work: once it has passed no resolver runs
// and the caller gets one error.
func TestDeadlineStopsTheOperation(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	tok := e.Demo("grace@contoso.example")
	e.App.Config.RequestTimeout = time.Nanosecond
	r := e.Do(tok, `{ competencyProgress { levels { options { requirements { people { email } } } } } }`, nil)
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "too long") {
		t.Fatalf("past the deadline: %s %+v", r.Data, r.Errors)
	}
}

func getGraphQL(t *testing.T, e *testenv.Env, token, query string) *testenv.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/graphql?query="+url.QueryEscape(query), nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET: %v", err)
		return &testenv.Response{}
	}
	defer res.Body.Close()
	var r testenv.Response
	if res.StatusCode == http.StatusRequestHeaderFieldsTooLarge {
		r.Status = res.StatusCode // net/http's own plain-text refusal
		return &r
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Errorf("GET: status %d: %v", res.StatusCode, err)
	}
	r.Status, r.Header = res.StatusCode, res.Header
	return &r
}

var _ = fmt.Sprint

// An empty bucket's refusal says when the request will be served — the
// bucket leaks steadily, so one point is back long before the bucket is
// empty — in its words, Retry-After, retryAfterSeconds and retryAt; and
// signing out is never refused for want of points (an outside review: "Try
// again after" an hour later while the same request was served seconds
// later, no retryAt, and a session that could not be ended).
func TestRateLimitRefusalSaysWhenAndSignOutPasses(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 60 }) // a point a minute
	tok := e.Demo("alex@contoso.example")
	var r *testenv.Response
	for i := 0; i < 200; i++ {
		if r = e.Do(tok, "{me{email}}", nil); r.Code() == "RATE_LIMITED" {
			break
		}
	}
	if r.Code() != "RATE_LIMITED" {
		t.Fatal("never rate limited")
	}
	ext := r.Errors[0].Extensions
	secs, _ := ext["retryAfterSeconds"].(float64)
	at, err := time.Parse(time.RFC3339, fmt.Sprint(ext["retryAt"]))
	if secs < 1 || secs > 61 || err != nil || r.Header.Get("Retry-After") != strconv.Itoa(int(secs)) {
		t.Fatalf("refusal: %q %+v Retry-After %q, want a point's wait (at most 60 s) in both", r.Errors[0].Message, ext, r.Header.Get("Retry-After"))
	}
	if d := time.Until(at); d < 0 || d > 62*time.Second || !strings.Contains(r.Errors[0].Message, at.UTC().Format("15:04:05 UTC")) {
		t.Fatalf("retryAt %s (in %s), message %q", at, d, r.Errors[0].Message)
	}
	var out struct{ SignOut struct{ SignedOut bool } }
	e.Do(tok, `mutation{signOut{signedOut}}`, nil).Decode(t, &out)
	if !out.SignOut.SignedOut {
		t.Fatal("sign-out refused while rate limited")
	}
	if r := e.Do(tok, "{me{email}}", nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("the session after signing out: %+v", r.Errors)
	}
	// Anything else with signOut in it is charged as usual.
	tok = e.Demo("alex@contoso.example")
	if r := e.Do(tok, `mutation{signOut{signedOut} a:signOut{signedOut}}`, nil); r.Code() != "RATE_LIMITED" {
		t.Fatalf("two sign-outs in one document while rate limited: %+v", r.Errors)
	}
}

// An anonymous caller whose bucket is empty gets no free sign-out: it would
// end no session and could be sent for ever.
func TestAnonymousSignOutIsRateLimited(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 60 })
	var r *testenv.Response
	for i := 0; i < 200; i++ {
		if r = e.Do("", `mutation{signOut{signedOut}}`, nil); r.Code() == "RATE_LIMITED" {
			return
		}
	}
	t.Fatalf("200 anonymous sign-outs and never rate limited: %+v", r.Errors)
}

// The answer's keys count as its text: thirty aliases of 8,000 characters
// under a list are megabytes of keys and few bytes of values (outside
// review: a 104 MB answer that the meter read as 117 KB).
func TestMeterCountsTheAnswersKeys(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	lee := e.Demo("lee@fabrikam.example")
	var b strings.Builder
	b.WriteString("{__schema{types{fields{")
	for i := range 30 {
		fmt.Fprintf(&b, "%s%d: name ", strings.Repeat("a", 8000), i)
	}
	b.WriteString("}}}}")
	r := e.Do(lee, b.String(), nil)
	if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["limit"] != "servedBytes" {
		t.Fatalf("30 aliases of 8,000 characters under every field of the schema: %d bytes of data, %+v", len(r.Data), r.Errors)
	}
}

// Errors are text of the answer too: their messages and paths (which repeat
// the aliases above them) count in the meter (outside recheck: 510 errors
// under 10 KB aliases made a 41 MB answer read as 440 KB).
func TestMeterCountsErrors(t *testing.T) {
	limits := guard.DefaultLimits
	limits.MaxServedBytes = 200 << 10
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.QueryLimits = limits })
	grace := e.Demo("grace@contoso.example")
	var b strings.Builder
	b.WriteString("{")
	for i := range 30 {
		fmt.Fprintf(&b, `%s%d: skillsReport(first: 1, after: "zz") { totalCount } `, strings.Repeat("a", 8000), i)
	}
	b.WriteString("}")
	r := e.Do(grace, b.String(), nil)
	if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["limit"] != "servedBytes" || len(r.Errors) != 1 {
		t.Fatalf("30 errors under 8,000-character aliases over a 200 KB meter: %d errors, first %+v", len(r.Errors), r.Errors[0].Extensions)
	}
}
