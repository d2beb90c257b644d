package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

type plainError struct {
	Error struct{ Code, Message string }
}

// Issue 11 (review item 7): the CSV download answers a filter it cannot serve
// as GraphQL does — an unknown competency is 404 NOT_FOUND, a bad or unknown
// parameter 400 INVALID_INPUT — before any CSV header or byte goes out.
func TestSkillsCSVRefusesBadFiltersBeforeStreaming(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		for _, c := range []struct {
			query, code, says string
			status            int
		}{
			{"competency=zz", "NOT_FOUND", `No competency has the key "zz"`, 404},
			{"competncy=security", "INVALID_INPUT", "not a parameter of the skills report", 400},
			{"competency=security&competency=zz", "INVALID_INPUT", "competency: give it once", 400},
			{"bom=perhaps", "INVALID_INPUT", "bom", 400},
			{"skillType=EXAMS", "INVALID_INPUT", "skillType", 400},
			{"orderBy=nope", "INVALID_INPUT", "orderBy", 400},
			{"direction=sideways", "INVALID_INPUT", "direction", 400},
			{"completedAfter=yesterday", "INVALID_INPUT", "completedAfter", 400},
			{"validOnly=2", "INVALID_INPUT", "validOnly", 400},
			// A part Go's URL.Query would drop silently: the filter must not
			// vanish and the whole report go out (an outside review's case).
			{"mcid=0000000;", "INVALID_INPUT", "query string cannot be read", 400},
			{"foo;=1", "INVALID_INPUT", "query string cannot be read", 400},
			{"skillType=bogus;x", "INVALID_INPUT", "query string cannot be read", 400},
			{"mcid=%zz", "INVALID_INPUT", "query string cannot be read", 400},
		} {
			res, body := e.Get(mona, "/reports/skills.csv?"+c.query)
			var pe plainError
			_ = json.Unmarshal(body, &pe)
			if res.StatusCode != c.status || pe.Error.Code != c.code || !strings.Contains(pe.Error.Message, c.says) ||
				!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("Content-Disposition") != "" {
				t.Errorf("%s: %d %s %q", c.query, res.StatusCode, res.Header.Get("Content-Type"), body)
			}
		}
		// The GraphQL connection says the same for the same filter.
		if code := e.Do(mona, `{skillsReport(first:2,where:{competency:"zz"}){totalCount}}`, nil).Code(); code != "NOT_FOUND" {
			t.Errorf("GraphQL: %s", code)
		}
		// A known competency still streams.
		if res, body := e.Get(mona, "/reports/skills.csv?competency=security&bom=false"); res.StatusCode != 200 || !strings.HasPrefix(string(body), "Name,") {
			t.Errorf("known competency: %d %.80q", res.StatusCode, body)
		}
	})
}

// Issue 11 (review item 10): error hygiene at the HTTP edge.
func TestErrorHygiene(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.ReadTimeout = 2 * time.Second })

	// A signed-in answer is never cached (an outside review found no
	// Cache-Control on GET or POST /graphql).
	grace := e.Demo("grace@contoso.example")
	if res, _ := e.Get(grace, "/graphql?query="+url.QueryEscape("{me{email}}")); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /graphql: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if r := e.Do(grace, `{me{email}}`, nil); r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST /graphql: Cache-Control %q", r.Header.Get("Cache-Control"))
	}

	// A mutation over GET: 405 with Allow: POST and a coded GraphQL error.
	res, body := e.Get("", "/graphql?query="+url.QueryEscape("mutation{signOut{signedOut}}"))
	var ge struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	_ = json.Unmarshal(body, &ge)
	if res.StatusCode != 405 || res.Header.Get("Allow") != "POST" || len(ge.Errors) != 1 || ge.Errors[0].Extensions.Code != "METHOD_NOT_ALLOWED" {
		t.Errorf("GET mutation: %d %q %s", res.StatusCode, res.Header.Get("Allow"), body)
	}
	// A subscription over GET names the websocket (a review read "runs over
	// POST only" as if POST were its transport).
	res, body = e.Get("", "/graphql?query="+url.QueryEscape("subscription{competencyProgressChanged{competency{key}}}"))
	if res.StatusCode != 405 || !strings.Contains(string(body), "websocket") || strings.Contains(string(body), "runs over POST only") {
		t.Errorf("GET subscription: %d %s", res.StatusCode, body)
	}
	// JSON in another charset is refused, not read as UTF-8.
	for _, ct := range []string{"application/json; charset=utf-16", "application/json; charset=latin1"} {
		res, body := e.Post("", "/graphql", ct, `{"query":"{__typename}"}`)
		if res.StatusCode != 415 || !strings.Contains(string(body), `"INVALID_INPUT"`) || !strings.Contains(string(body), "UTF-8") {
			t.Errorf("%s: %d %s", ct, res.StatusCode, body)
		}
	}
	for _, ct := range []string{"application/json; charset=UTF-8", "application/json;charset=utf8", "application/json"} {
		if res, body := e.Post("", "/graphql", ct, `{"query":"{__typename}"}`); res.StatusCode != 200 {
			t.Errorf("%s: %d %s", ct, res.StatusCode, body)
		}
	}
	// A coded body is refused, not read as plain text (a review sent
	// Content-Encoding: gzip with a plain body and had it run).
	for _, ce := range []string{"gzip", "x-unknown", "br"} {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", strings.NewReader(`{"query":"{__typename}"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", ce)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 415 || !strings.Contains(string(body), `"INVALID_INPUT"`) || !strings.Contains(string(body), "Content-Encoding") {
			t.Errorf("Content-Encoding %s: %d %s", ce, res.StatusCode, body)
		}
	}
	// A query over GET still runs.
	if res, body := e.Get("", "/graphql?query="+url.QueryEscape("{__typename}")); res.StatusCode != 200 || !strings.Contains(string(body), "Query") {
		t.Errorf("GET query: %d %s", res.StatusCode, body)
	}

	// The bearer scheme in any case (RFC 7235).
	tok := e.Demo("lee@fabrikam.example")
	for _, scheme := range []string{"bearer", "BEARER", "Bearer"} {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", strings.NewReader(`{"query":"{me{email}}"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", scheme+" "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Data struct{ Me *struct{ Email string } }
		}
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if out.Data.Me == nil || out.Data.Me.Email != "lee@fabrikam.example" {
			t.Errorf("scheme %q refused", scheme)
		}
	}

	// Two operations and no operationName: a sentence, no double space.
	r := e.Do("", `query a{__typename} query b{__typename}`, nil)
	if len(r.Errors) != 1 || strings.Contains(r.Errors[0].Message, "  ") || !strings.Contains(r.Errors[0].Message, "operationName") {
		t.Errorf("operation not named: %+v", r.Errors)
	}

	// NDJSON errors in words, with the line and the field, never Go's text.
	ops := e.Demo("ops@certlink.example")
	var prov struct{ CreateProviderToken struct{ Token string } }
	e.Do(ops, `mutation{createProviderToken(name:"hygiene"){token}}`, nil).Decode(t, &prov)
	_, b := e.Post(prov.CreateProviderToken.Token, "/ingest", "application/x-ndjson",
		"notjson\n{\"mcid\":\"9900001\",\"skillNumber\":104,\"completedAt\":\"2026-01-01\"}\n[1,2]\n")
	var out struct {
		Errors []struct {
			Line    int
			Message string
		}
	}
	_ = json.Unmarshal(b, &out)
	if len(out.Errors) != 3 || out.Errors[0].Line != 1 || out.Errors[1].Line != 2 || out.Errors[2].Line != 3 ||
		!strings.Contains(out.Errors[1].Message, "skillNumber must be text") || !strings.Contains(out.Errors[2].Message, "array, not an object") {
		t.Errorf("ingest errors: %s", b)
	}
	for _, e := range out.Errors {
		if strings.Contains(e.Message, "json:") || strings.Contains(e.Message, "Go ") || strings.Contains(e.Message, "unmarshal") {
			t.Errorf("Go's words: %q", e.Message)
		}
	}

	// A body that never finishes: 408 REQUEST_TIMEOUT, not 413.
	c, err := net.Dial("tcp", e.Server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"query\":")
	go func() {
		for i := 0; i < 20; i++ {
			if _, err := c.Write([]byte(" ")); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 4096)
	n, _ := c.Read(buf)
	if got := string(buf[:n]); !strings.HasPrefix(got, "HTTP/1.1 408") || !strings.Contains(got, "REQUEST_TIMEOUT") {
		t.Errorf("slow body: %q", got)
	}
}
