package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// wsClient is a graphql-transport-ws client (the protocol of the graphql-ws
// library the web app uses).
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func dialWS(t *testing.T, e *testenv.Env, header http.Header, initPayload any) (*wsClient, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(e.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: t, conn: conn, ctx: ctx}
	p, _ := json.Marshal(initPayload)
	if err := wsjson.Write(ctx, conn, wsMsg{Type: "connection_init", Payload: p}); err != nil {
		return nil, err
	}
	var ack wsMsg
	if err := wsjson.Read(ctx, conn, &ack); err != nil {
		return nil, err
	}
	if ack.Type != "connection_ack" {
		return nil, &wsError{ack}
	}
	return c, nil
}

type wsError struct{ m wsMsg }

func (e *wsError) Error() string { return "unexpected " + e.m.Type + ": " + string(e.m.Payload) }

func (c *wsClient) subscribe(id, query string) {
	c.t.Helper()
	p, _ := json.Marshal(map[string]any{"query": query})
	if err := wsjson.Write(c.ctx, c.conn, wsMsg{ID: id, Type: "subscribe", Payload: p}); err != nil {
		c.t.Fatal(err)
	}
}

// next reads the next message of subscription id.
func (c *wsClient) next(within time.Duration) (wsMsg, error) {
	ctx, cancel := context.WithTimeout(c.ctx, within)
	defer cancel()
	for {
		var m wsMsg
		if err := wsjson.Read(ctx, c.conn, &m); err != nil {
			return m, err
		}
		if m.Type == "ping" || m.Type == "pong" || m.Type == "ka" {
			continue
		}
		return m, nil
	}
}

const architectsSub = `subscription{competencyProgressChanged{competency{key} levels{level options{name
  requirements{key current met people{email}}}}}}`

// architects reads Cloud Platform Silver Standard's azure-architects count from
// a competencyProgressChanged message.
func architects(t *testing.T, m wsMsg) int {
	t.Helper()
	return requirementCurrent(t, m, "cloud-platform", "SILVER", "Standard", "azure-architects")
}

func randomTopic() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "certlink.test." + hex.EncodeToString(b)
}

// B4 across two server processes on one database: a subscriber of process B
// hears a link made through process A, through NATS and through Redis.
func TestLiveProgressAcrossProcesses(t *testing.T) {
	for broker, url := range map[string]string{"nats": "nats://127.0.0.1:4222", "redis": "redis://127.0.0.1:6379"} {
		t.Run(broker, func(t *testing.T) {
			if c, err := net.DialTimeout("tcp", strings.TrimPrefix(strings.TrimPrefix(url, "nats://"), "redis://"), time.Second); err != nil {
				t.Skipf("no %s broker at %s: %v", broker, url, err)
			} else {
				c.Close()
			}
			testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
				topic := randomTopic()
				withBroker := func(c *app.Config) { c.Broker, c.BrokerTopic = url, topic }
				a := testenv.Start(t, d, withBroker)
				b := a.Second(withBroker)

				sub, err := dialWS(t, b, nil, map[string]any{"authorization": "Bearer " + b.Demo("mona@contoso.example")})
				if err != nil {
					t.Fatal(err)
				}
				sub.subscribe("1", architectsSub)
				m, err := sub.next(10 * time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if n := architects(t, m); n != 1 {
					t.Fatalf("first message: azure-architects %d, want 1", n)
				}
				// riley links jordan (AZ-305, AZ-400) through process A.
				r := a.Do(a.Demo("riley@contoso.example"),
					`mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{email}}}`, nil)
				if len(r.Errors) > 0 {
					t.Fatalf("linking: %+v", r.Errors)
				}
				m, err = sub.next(10 * time.Second)
				if err != nil {
					t.Fatalf("process B heard nothing of the link made on A: %v", err)
				}
				if n := architects(t, m); n != 2 {
					t.Fatalf("after the link: azure-architects %d, want 2", n)
				}
			})
		})
	}
}

// B4 on one process without a broker: unlinking is heard; the session cookie
// of the upgrade request authenticates; a foreign Origin, a bad token and a
// default user are refused.
func TestLiveProgressSubscription(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		cookie := http.Header{"Cookie": {"certlink_session=" + mona}, "Origin": {e.URL}}
		sub, err := dialWS(t, e, cookie, nil)
		if err != nil {
			t.Fatalf("cookie + own origin: %v", err)
		}
		sub.subscribe("s", `subscription{competencyProgressChanged{competency{key} status}}`)
		if m, err := sub.next(10 * time.Second); err != nil || m.Type != "next" {
			t.Fatalf("first message: %+v %v", m, err)
		}
		alex := e.Demo("alex@contoso.example")
		if r := e.Do(alex, `mutation{removeLearningAccount{user{email}}}`, nil); len(r.Errors) > 0 {
			t.Fatalf("unlinking: %+v", r.Errors)
		}
		m, err := sub.next(10 * time.Second)
		if err != nil || m.Type != "next" || !strings.Contains(string(m.Payload), `{"competency":{"key":"data-analytics"},"status":"IN_PROGRESS"}`) {
			t.Fatalf("after unlinking: %s %s %v", m.Type, m.Payload, err)
		}

		if _, err := dialWS(t, e, http.Header{"Cookie": {"certlink_session=" + mona}, "Origin": {"https://evil.example"}}, nil); err == nil {
			t.Fatal("a foreign origin opened a cookie-authenticated socket")
		}
		// The refusal is one coded JSON error, as every other refusal (the
		// transport appended its own uncoded one to a plain-text line).
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/graphql", nil)
		for k, v := range map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
			"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "graphql-transport-ws", "Origin": "https://evil.example"} {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var refusal struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		dec := json.NewDecoder(res.Body)
		derr := dec.Decode(&refusal)
		rest, _ := io.ReadAll(dec.Buffered())
		more, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden || derr != nil || len(refusal.Errors) != 1 || refusal.Errors[0].Extensions.Code != "FORBIDDEN" ||
			!strings.Contains(refusal.Errors[0].Message, "--cors-origins") || strings.TrimSpace(string(rest)+string(more)) != "" {
			t.Fatalf("a foreign origin's refusal: %d %+v %v, then %q", res.StatusCode, refusal, derr, string(rest)+string(more))
		}
		// Scheme, host and port all count: the websocket library compared
		// the host only and passed any origin of the request's own host (a
		// review opened the https app's socket from http:// and file://).
		hostPort := strings.TrimPrefix(e.URL, "http://")
		for _, origin := range [][]string{{"https://" + hostPort}, {"ws://" + hostPort}, {"file://" + hostPort}, {"null"},
			{"http://" + hostPort + "/x?y"}, {"//" + hostPort}, {e.URL, "https://evil.example"}} {
			if _, err := dialWS(t, e, http.Header{"Cookie": {"certlink_session=" + mona}, "Origin": origin}, nil); err == nil {
				t.Fatalf("origin %q opened a cookie-authenticated socket", origin)
			}
		}
		_, port, _ := strings.Cut(hostPort, ":")
		for _, origin := range []string{"HTTP://" + strings.ToUpper(hostPort), "http://localhost:" + port} {
			if _, err := dialWS(t, e, http.Header{"Cookie": {"certlink_session=" + mona}, "Origin": {origin}}, nil); err != nil {
				t.Fatalf("the app's own origin %q: %v", origin, err)
			}
		}
		if _, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer nope"}); err == nil {
			t.Fatal("a bad token was accepted")
		}
		user, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer " + alex})
		if err != nil {
			t.Fatal(err)
		}
		user.subscribe("u", `subscription{competencyProgressChanged{status}}`)
		m, err = user.next(10 * time.Second) // graphql-transport-ws: a "next" carrying the error, then "complete"
		if err != nil || !strings.Contains(string(m.Payload), `"code":"FORBIDDEN"`) || !strings.Contains(string(m.Payload), `"data":null`) {
			t.Fatalf("a default user subscribed: %s %s %v", m.Type, m.Payload, err)
		}
	})
}

// B4: every cause of a change of who counts publishes after its commit —
// ingest, attestation, removal from the report, deletion, catalog load (links
// and unlinks: the tests above; merges publish through Linking.Changed like
// deletions).
func TestEveryChangePublishes(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	c := e.App.DB.Client
	org := *c.User.Query().Where(user.Email("mona@contoso.example")).OnlyX(viewer.System(context.Background())).OrganizationID
	wake, stop := e.App.Live.Subscribe(org)
	defer stop()
	grace, ops := e.Demo("grace@contoso.example"), e.SignIn("ops@certlink.example", "certlink-demo")
	id := func(email string) string {
		return e.ID(c.User.Query().Where(user.Email(email)).OnlyIDX(viewer.System(context.Background())))
	}
	var doc struct{ CatalogDocument string }
	e.Do(ops, `{catalogDocument}`, nil).Decode(t, &doc)
	steps := []struct {
		name, token, query string
		vars               map[string]any
	}{
		{"ingest", ops, `mutation{ingestResults(input:[{mcid:"9900001",skillNumber:"SC-200",completedAt:"2026-01-05T00:00:00Z"}]){accepted}}`, nil},
		{"attestation", grace, `mutation($r:ID!){setAttestation(input:{requirement:$r,met:true,note:"ok"}){status}}`,
			map[string]any{"r": attestedRequirement(t, e, grace)}},
		{"removal from the report", grace, `mutation($u:ID!){removeFromReport(userId:$u){userId}}`, map[string]any{"u": id("alex@contoso.example")}},
		{"deletion", grace, `mutation($u:ID!){deleteUser(id:$u){deletedUserId}}`, map[string]any{"u": id("riley@contoso.example")}},
		{"catalog load", ops, `mutation($d:String!){loadCatalog(document:$d){summary}}`,
			map[string]any{"d": strings.Replace(doc.CatalogDocument, `"maxPoints": 20`, `"maxPoints": 21`, 1)}},
	}
	for _, s := range steps {
		if r := e.Do(s.token, s.query, s.vars); len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", s.name, r.Errors)
		}
		select {
		case <-wake:
		case <-time.After(3 * time.Second):
			t.Fatalf("%s published nothing", s.name)
		}
	}
}

// attestedRequirement returns the id of an ATTESTED requirement.
func attestedRequirement(t *testing.T, e *testenv.Env, tok string) string {
	t.Helper()
	var out struct {
		CompetencyProgress []struct {
			Levels []struct {
				Options []struct {
					Requirements []struct{ ID, Kind string }
				}
			}
		}
	}
	e.Do(tok, `{competencyProgress{levels{options{requirements{id kind}}}}}`, nil).Decode(t, &out)
	for _, c := range out.CompetencyProgress {
		for _, l := range c.Levels {
			for _, o := range l.Options {
				for _, r := range o.Requirements {
					if r.Kind == "ATTESTED" {
						return r.ID
					}
				}
			}
		}
	}
	t.Fatal("no ATTESTED requirement")
	return ""
}

// Solution areas live: a metric value sent by a provider reaches mona's
// socket with the new score, without her asking.
func TestLiveSolutionAreas(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		sub, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer " + mona})
		if err != nil {
			t.Fatal(err)
		}
		sub.subscribe("s", `subscription{solutionAreasChanged{key score}}`)
		if m, err := sub.next(10 * time.Second); err != nil || m.Type != "next" ||
			!strings.Contains(string(m.Payload), `{"key":"security","score":0}`) {
			t.Fatalf("first message: %s %s %v", m.Type, m.Payload, err)
		}
		month := time.Now().UTC().Format("2006-01")
		r := e.Do(e.Demo("ops@certlink.example"), `mutation($m:String!){ingestMetrics(input:[{mpnId:"4100001",area:"security",metric:"deployments",month:$m,value:10}]){accepted}}`,
			map[string]any{"m": month})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		m, err := sub.next(10 * time.Second)
		if err != nil || m.Type != "next" || !strings.Contains(string(m.Payload), `{"key":"security","score":30}`) {
			t.Fatalf("after the ingest: %s %s %v", m.Type, m.Payload, err)
		}
		// Admins only, as the query.
		user, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer " + e.Demo("alex@contoso.example")})
		if err != nil {
			t.Fatal(err)
		}
		user.subscribe("u", `subscription{solutionAreasChanged{key}}`)
		// Refused as the query is: an error, no data.
		if m, err := user.next(10 * time.Second); err != nil || !strings.Contains(string(m.Payload), `"code":"FORBIDDEN"`) ||
			strings.Contains(string(m.Payload), `"key"`) {
			t.Fatalf("a default user subscribed: %s %s %v", m.Type, m.Payload, err)
		}
	})
}

// requirementCurrent reads a requirement's current from a
// competencyProgressChanged message.
func requirementCurrent(t *testing.T, m wsMsg, comp, level, option, key string) int {
	t.Helper()
	if m.Type != "next" {
		t.Fatalf("want next, got %s %s", m.Type, m.Payload)
	}
	var p struct {
		Data struct {
			CompetencyProgressChanged []struct {
				Competency struct{ Key string }
				Levels     []struct {
					Level   string
					Options []struct {
						Name         string
						Requirements []struct {
							Key     string
							Current int
						}
					}
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		t.Fatalf("payload %s: %v", m.Payload, err)
	}
	for _, c := range p.Data.CompetencyProgressChanged {
		for _, l := range c.Levels {
			for _, o := range l.Options {
				for _, r := range o.Requirements {
					if c.Competency.Key == comp && l.Level == level && o.Name == option && r.Key == key {
						return r.Current
					}
				}
			}
		}
	}
	t.Fatalf("no %s in the message", key)
	return 0
}

// B4 with no writer: a result expiring while a subscriber watches drops its
// person from the subscriber's progress at the expiry, as the query does
// (outside review: the subscription kept the count until an unrelated write).
func TestLiveProgressAfterAnExpiry(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona, ops := e.Demo("mona@contoso.example"), e.Demo("ops@certlink.example")
		sub, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer " + mona})
		if err != nil {
			t.Fatal(err)
		}
		sub.subscribe("s", `subscription{competencyProgressChanged{competency{key} levels{level options{name requirements{key current}}}}}`)
		current := func(what string) int {
			t.Helper()
			m, err := sub.next(10 * time.Second)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return requirementCurrent(t, m, "security", "SILVER", "Standard", "identity-administrators")
		}
		before := current("first message")
		// alex passes SC-300, expiring in two seconds.
		now := time.Now().UTC()
		expires := now.Add(2 * time.Second)
		r := e.Do(ops, `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{index message}}}`,
			map[string]any{"in": []map[string]any{{"mcid": "9900001", "skillNumber": "SC-300",
				"completedAt": now.Add(-time.Hour).Format(time.RFC3339Nano), "expiresAt": expires.Format(time.RFC3339Nano)}}})
		var out struct{ IngestResults struct{ Accepted int } }
		r.Decode(t, &out)
		if out.IngestResults.Accepted != 1 {
			t.Fatalf("ingest: %+v", out)
		}
		if n := current("after the ingest"); n != before+1 {
			t.Fatalf("after the ingest: identity-administrators %d, want %d", n, before+1)
		}
		// No write from here on: the expiry alone is pushed.
		if n := current("after the expiry"); n != before {
			t.Fatalf("after the expiry: identity-administrators %d, want %d", n, before)
		}
		if time.Now().Before(expires) {
			t.Fatal("the drop was pushed before the expiry")
		}
	})
}

// Solution areas live with no writer: a certification expiring while mona
// watches leaves her security score at its expiry.
func TestLiveSolutionAreasAfterAnExpiry(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		sub, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer " + e.Demo("mona@contoso.example")})
		if err != nil {
			t.Fatal(err)
		}
		sub.subscribe("s", `subscription{solutionAreasChanged{key score}}`)
		security := func(what string) float64 {
			t.Helper()
			m, err := sub.next(10 * time.Second)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			var p struct {
				Data struct {
					SolutionAreasChanged []struct {
						Key   string
						Score float64
					}
				}
			}
			if err := json.Unmarshal(m.Payload, &p); err != nil || m.Type != "next" {
				t.Fatalf("%s: %s %s %v", what, m.Type, m.Payload, err)
			}
			for _, a := range p.Data.SolutionAreasChanged {
				if a.Key == "security" {
					return a.Score
				}
			}
			t.Fatalf("%s: no security area in %s", what, m.Payload)
			return 0
		}
		before := security("first message")
		now := time.Now().UTC()
		expires := now.Add(2 * time.Second)
		r := e.Do(e.Demo("ops@certlink.example"), `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted}}`,
			map[string]any{"in": []map[string]any{{"mcid": "9900001", "skillNumber": "MC-IDENTITY-ACCESS-ADMINISTRATOR",
				"completedAt": now.Add(-time.Hour).Format(time.RFC3339Nano), "expiresAt": expires.Format(time.RFC3339Nano)}}})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if s := security("after the ingest"); s <= before {
			t.Fatalf("after the ingest: security %v, want more than %v", s, before)
		}
		if s := security("after the expiry"); s != before {
			t.Fatalf("after the expiry: security %v, want %v", s, before)
		}
		if time.Now().Before(expires) {
			t.Fatal("the drop was pushed before the expiry")
		}
	})
}
