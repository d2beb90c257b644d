package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent/association"
	"certlink/internal/app"
	"certlink/internal/auth"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
	"context"
)

const meQuery = `{ me { email name roles organization { mpnId name }
  learningAccount { mcid linkedAt } partnerUniversity { email linkedAt sameCredentialsAvailable }
  nextAssociationAllowedAt associationsRemaining } }`

type me struct {
	Me struct {
		Email, Name  string
		Roles        []string
		Organization struct{ MpnID, Name string } `json:"organization"`
		Learning     *struct {
			Mcid     string
			LinkedAt time.Time
		} `json:"learningAccount"`
		PU *struct {
			Email                    string
			SameCredentialsAvailable bool
		} `json:"partnerUniversity"`
		Next      *time.Time `json:"nextAssociationAllowedAt"`
		Remaining int        `json:"associationsRemaining"`
	}
}

func TestSignInAndMe(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		r := e.Do("", `mutation{signIn(input:{email:"alex@contoso.example",password:"nope"}){token}}`, nil)
		if r.Code() != "INVALID_CREDENTIALS" || len(r.Data) > 0 && string(r.Data) != "null" {
			t.Fatalf("wrong password: %+v %s", r.Errors, r.Data)
		}
		if r := e.Do("", `mutation{signIn(input:{email:"nobody@contoso.example",password:"certlink-demo"}){token}}`, nil); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("unknown email: %+v", r.Errors)
		}
		if r := e.Do("", meQuery, nil); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("anonymous me: %+v", r.Errors)
		}
		// signIn's answer resolves the user's organization although the caller
		// is still anonymous while it is resolved.
		si := e.Do("", `mutation{signIn(input:{email:"alex@contoso.example",password:"certlink-demo"}){token user{email roles organization{mpnId name}}}}`, nil)
		if len(si.Errors) > 0 || !strings.Contains(string(si.Data), `"mpnId":"4100001"`) {
			t.Fatalf("signIn with organization: %s %+v", si.Data, si.Errors)
		}
		tok := e.Demo("alex@contoso.example")
		var m me
		e.Do(tok, meQuery, nil).Decode(t, &m)
		if m.Me.Email != "alex@contoso.example" || m.Me.Organization.MpnID != "4100001" || m.Me.Learning == nil || m.Me.Learning.Mcid != "9900001" {
			t.Fatalf("me: %+v", m.Me)
		}
		if len(m.Me.Roles) != 0 || m.Me.Remaining != 2 || m.Me.Next != nil {
			t.Fatalf("alex's roles/allowance: %+v", m.Me)
		}
		var g me
		e.Do(e.Demo("grace@contoso.example"), meQuery, nil).Decode(t, &g)
		if len(g.Me.Roles) != 1 || g.Me.Roles[0] != "GLOBAL_ADMIN" {
			t.Fatalf("grace's roles: %v", g.Me.Roles)
		}
		// signOut ends the token.
		e.Do(tok, `mutation{signOut{signedOut}}`, nil).Decode(t, &struct{}{})
		if r := e.Do(tok, meQuery, nil); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("token after signOut: %+v", r.Errors)
		}
	})
}

func TestSessionCookie(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	body := `{"query":"mutation{signIn(input:{email:\"alex@contoso.example\",password:\"certlink-demo\"}){token}}"}`
	res, err := http.Post(e.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "certlink_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Value == "" {
		t.Fatalf("session cookie: %+v", session)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", strings.NewReader(`{"query":"{me{email}}"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(session)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out testenv.Response
	_ = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if !strings.Contains(string(out.Data), "alex@contoso.example") {
		t.Fatalf("cookie did not authenticate: %s %+v", out.Data, out.Errors)
	}
	// Over TLS (here at a proxy) the cookie is Secure and __Host-, which no
	// sibling subdomain can set; a cookie of the bare name there is someone
	// else's planting and is not read (session fixation).
	do := func(body string, cookie *http.Cookie) (*http.Response, testenv.Response) {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-Proto", "https")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out testenv.Response
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res, out
	}
	res, _ = do(body, nil)
	var host *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "__Host-certlink_session" {
			host = c
		}
	}
	if host == nil || !host.Secure || host.Path != "/" || host.Domain != "" {
		t.Fatalf("session cookie over TLS: %v", res.Header["Set-Cookie"])
	}
	if _, out := do(`{"query":"{me{email}}"}`, &http.Cookie{Name: "certlink_session", Value: host.Value}); strings.Contains(string(out.Data), "alex@") {
		t.Fatalf("a bare-named cookie over TLS was read: %s", out.Data)
	}
	if _, out := do(`{"query":"{me{email}}"}`, host); !strings.Contains(string(out.Data), "alex@contoso.example") {
		t.Fatalf("the __Host- cookie did not authenticate: %s %+v", out.Data, out.Errors)
	}
}

func TestTransportRules(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	tok := e.Demo("alex@contoso.example")
	// GET runs queries only.
	res, body := e.Get(tok, "/graphql?query="+urlq(`mutation{removeLearningAccount{user{email}}}`))
	if res.StatusCode == http.StatusOK && !bytes.Contains(body, []byte("errors")) {
		t.Fatalf("GET ran a mutation: %d %s", res.StatusCode, body)
	}
	res, body = e.Get(tok, "/graphql?query="+urlq(`{me{email}}`))
	if res.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("alex@contoso.example")) {
		t.Fatalf("GET query: %d %s", res.StatusCode, body)
	}
	// A form or text/plain POST never runs (CSRF).
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded"} {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", strings.NewReader(`{"query":"mutation{removeLearningAccount{user{email}}}"}`))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 400 {
			t.Fatalf("%s POST accepted: %d", ct, res.StatusCode)
		}
	}
	var m me
	e.Do(tok, meQuery, nil).Decode(t, &m)
	if m.Me.Learning == nil {
		t.Fatal("a refused request removed the link")
	}
	// Health.
	if res, _ := e.Get("", "/healthz"); res.StatusCode != 200 {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
	if res, b := e.Get("", "/metrics"); res.StatusCode != 200 || !bytes.Contains(b, []byte("go_goroutines")) {
		t.Fatalf("metrics: %d", res.StatusCode)
	}
	// Page bounds.
	g := e.Demo("grace@contoso.example")
	if r := e.Do(g, `{me{organization{users(first:101){totalCount}}}}`, nil); r.Code() != "INVALID_INPUT" {
		t.Fatalf("first:101: %+v", r.Errors)
	}
}

func TestLinkingOverGraphQL(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		lee := e.Demo("lee@fabrikam.example")
		assoc := `mutation($e:String,$p:String,$s:Boolean){associateLearningAccount(input:{email:$e,password:$p,useSameCredentials:$s}){user{learningAccount{mcid linkedAt}}}}`
		if r := e.Do(lee, assoc, map[string]any{"e": "jordan@learn.example", "p": "bad"}); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("bad directory password: %+v", r.Errors)
		}
		var out struct {
			AssociateLearningAccount struct{ User me } `json:"associateLearningAccount"`
		}
		_ = out
		r := e.Do(lee, assoc, map[string]any{"e": "jordan@learn.example", "p": "learn-demo"})
		if !strings.Contains(string(r.Data), `"mcid":"9900003"`) {
			t.Fatalf("associate: %s %+v", r.Data, r.Errors)
		}
		var m me
		e.Do(lee, meQuery, nil).Decode(t, &m)
		if m.Me.Next == nil || m.Me.Remaining != 2 {
			t.Fatalf("allowance after associate: %+v", m.Me)
		}
		e.Do(lee, `mutation{removeLearningAccount{user{email}}}`, nil).Decode(t, &struct{}{})
		r = e.Do(lee, assoc, map[string]any{"e": "jordan@learn.example", "p": "learn-demo"})
		if r.Code() != "ASSOCIATION_LIMITED" || !strings.Contains(r.Errors[0].Message, "Your next available date for a subsequent association is") {
			t.Fatalf("cooldown over GraphQL: %+v", r.Errors)
		}
		if r.Errors[0].Extensions["nextAssociationAllowedAt"] == nil {
			t.Fatalf("no date in extensions: %+v", r.Errors[0].Extensions)
		}
		// Partner University, then "use the same credentials" (L4) — riley in Contoso.
		riley := e.Demo("riley@contoso.example")
		e.Do(riley, `mutation{associatePartnerUniversity(input:{email:"riley@learn.example",password:"learn-demo"}){user{partnerUniversity{email}}}}`, nil).Decode(t, &struct{}{})
		r = e.Do(riley, assoc, map[string]any{"s": true})
		if !strings.Contains(string(r.Data), `"mcid":"9900002"`) {
			t.Fatalf("same credentials: %s %+v", r.Data, r.Errors)
		}
		e.Do(riley, `mutation{removePartnerUniversityAccess{user{partnerUniversity{email}}}}`, nil).Decode(t, &struct{}{})
		if r := e.Do(riley, `mutation{removePartnerUniversityAccess{user{email}}}`, nil); r.Code() != "NOT_FOUND" {
			t.Fatalf("second PU removal: %+v", r.Errors)
		}
		// L2: an admin cannot act for someone else; there is no argument to name them,
		// and an API-token or operator caller is refused.
		ops := e.Demo("ops@certlink.example")
		if r := e.Do(ops, assoc, map[string]any{"e": "jordan@learn.example", "p": "learn-demo"}); r.Code() != "FORBIDDEN" {
			t.Fatalf("operator associate: %+v", r.Errors)
		}
		if r := e.Do(ops, `mutation{removeLearningAccount{user{email}}}`, nil); r.Code() != "FORBIDDEN" {
			t.Fatalf("operator remove: %+v", r.Errors)
		}
	})
}

// TestAllowanceAfterAMoveWithinTheOrganization: when a colleague takes over
// the MCID a person linked last, taking it back is no new association (L6):
// My profile says allowed now, as the preview and the association itself do
// (outside review: My profile gave the cooldown's end).
func TestAllowanceAfterAMoveWithinTheOrganization(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		lee, sam := e.Demo("lee@fabrikam.example"), e.Demo("sam@fabrikam.example")
		const (
			assoc   = `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{learningAccount{mcid}}}}`
			preview = `mutation{previewAssociation(input:{kind:LEARNING,email:"jordan@learn.example",password:"learn-demo"}){allowed usesQuota nextAssociationAllowedAt}}`
		)
		e.Do(lee, assoc, nil).Decode(t, &struct{}{})
		e.Do(sam, assoc, nil).Decode(t, &struct{}{}) // moves within Fabrikam
		var m me
		e.Do(lee, meQuery, nil).Decode(t, &m)
		if m.Me.Learning != nil || m.Me.Next != nil || m.Me.Remaining != 2 {
			t.Fatalf("lee after sam took jordan over: %+v, want no link, allowed now, 2 left", m.Me)
		}
		var p struct {
			PreviewAssociation struct {
				Allowed, UsesQuota bool
				Next               *time.Time `json:"nextAssociationAllowedAt"`
			}
		}
		e.Do(lee, preview, nil).Decode(t, &p)
		if !p.PreviewAssociation.Allowed || p.PreviewAssociation.UsesQuota || p.PreviewAssociation.Next != nil {
			t.Fatalf("preview: %+v", p.PreviewAssociation)
		}
		e.Do(lee, assoc, nil).Decode(t, &struct{}{})
		// Once jordan has left Fabrikam, taking it back is a new association
		// again, and My profile gives the cooldown's end.
		e.Do(lee, `mutation{removeLearningAccount{user{email}}}`, nil).Decode(t, &struct{}{})
		e.Do(sam, meQuery, nil).Decode(t, &m)
		if m.Me.Next == nil {
			t.Fatalf("sam after jordan left Fabrikam: %+v, want the cooldown's end", m.Me)
		}
		r := e.Do(sam, assoc, nil)
		if r.Code() != "ASSOCIATION_LIMITED" {
			t.Fatalf("sam associating jordan again: %+v", r.Errors)
		}
		// The preview gives the refusal in the association's own words (the
		// web app showed a vaguer sentence of its own: review).
		var lp struct {
			PreviewAssociation struct {
				Allowed      bool
				LimitMessage *string
			}
		}
		e.Do(sam, `mutation{previewAssociation(input:{kind:LEARNING,email:"jordan@learn.example",password:"learn-demo"}){allowed limitMessage}}`, nil).Decode(t, &lp)
		if lp.PreviewAssociation.Allowed || lp.PreviewAssociation.LimitMessage == nil || *lp.PreviewAssociation.LimitMessage != r.Errors[0].Message ||
			!strings.Contains(r.Errors[0].Message, "30 days") {
			t.Fatalf("the preview's limitMessage %v, the association's refusal %q", lp.PreviewAssociation.LimitMessage, r.Errors[0].Message)
		}
	})
}

// TestAssociationRace: 40 parallel associations of one MCID by users of two
// organizations (cool-off off) leave exactly one active link and no 5xx (L5).
func TestAssociationRace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) {
			c.AssociationCooldown = 0
			c.AssociationsPerYear = 1000
			// 40 argon2id checks on a loaded 2-core machine: give the queue time;
			// the test is about correctness, not latency.
			c.RequestTimeout = time.Minute
		})
		ctx := viewer.System(context.Background())
		c := e.App.DB.Client
		orgs, err := c.Organization.Query().All(ctx)
		if err != nil || len(orgs) < 2 {
			t.Fatalf("orgs: %v", err)
		}
		hash, _ := auth.HashPassword("racer-pass")
		const n = 40
		tokens := make([]string, n)
		for i := 0; i < n; i++ {
			email := "racer" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@race.example"
			if _, err := c.User.Create().SetEmail(email).SetName("Racer").SetPasswordHash(hash).
				SetOrganization(orgs[i%2]).Save(ctx); err != nil {
				t.Fatal(err)
			}
			tokens[i] = e.SignIn(email, "racer-pass")
		}
		var wg sync.WaitGroup
		codes := make([]string, n)
		statuses := make([]int, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				r := e.Do(tokens[i], `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{learningAccount{mcid}}}}`, nil)
				statuses[i], codes[i] = r.Status, r.Code()
			}(i)
		}
		close(start)
		wg.Wait()
		for i := range codes {
			// RATE_LIMITED: a password check that could not start before the
			// request's deadline (the argon2id queue is bounded) is refused.
			if statuses[i] >= 500 || codes[i] == "INTERNAL" || (codes[i] != "" && codes[i] != "CONFLICT" && codes[i] != "RATE_LIMITED") {
				t.Errorf("request %d: status %d code %q", i, statuses[i], codes[i])
			}
		}
		active, err := c.Association.Query().Where(association.EndedAtIsNil(), association.HasProfileWith(mcidIs("9900003"))).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(active) != 1 {
			t.Fatalf("%d active links for MCID 9900003, want 1", len(active))
		}
		var ok int
		for _, code := range codes {
			if code == "" {
				ok++
			}
		}
		all, _ := c.Association.Query().Where(association.HasProfileWith(mcidIs("9900003"))).Count(ctx)
		if all != ok {
			t.Fatalf("%d associations written, %d requests succeeded", all, ok)
		}
	})
}
