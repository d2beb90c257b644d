package graph_test

import (
	"net/http"
	"strings"
	"testing"

	"certlink/internal/account"
	"certlink/internal/app"
	"certlink/internal/testenv"
)

func TestOperationLimits(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	tok := e.Demo("grace@contoso.example")
	deep := "{me{organization{users{edges{node{organization{users{edges{node{organization{users{edges{node{email}}}}}}}}}}}}}}"
	if r := e.Do(tok, deep, nil); r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "levels deep") {
		t.Fatalf("deep query: %+v", r.Errors)
	}
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := 0; i < 40; i++ {
		aliases.WriteString(" a" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ": me { email }")
	}
	aliases.WriteString("}")
	if r := e.Do(tok, aliases.String(), nil); r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "aliases") {
		t.Fatalf("alias flood: %+v", r.Errors)
	}
	wide := "{me{organization{users(first:100){edges{node{organization{users(first:100){edges{node{email}}}}}}}}}}"
	if r := e.Do(tok, wide, nil); r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "cost") {
		t.Fatalf("costly query: %+v", r.Errors)
	}
	r := e.Do(tok, "{me{email}}", nil)
	cost, _ := r.Extensions["cost"].(map[string]any)
	if cost == nil || cost["requestedQueryCost"] != float64(2) || r.Header.Get("X-RateLimit-Limit") == "" || r.Header.Get("X-RateLimit-Remaining") == "" || r.Header.Get("X-RateLimit-Reset") == "" {
		t.Fatalf("cost and rate headers missing: %v %v", r.Extensions, r.Header)
	}
}

func TestRateLimit(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 3 })
	tok := e.Demo("alex@contoso.example") // the anonymous signIn is metered per IP, not on this token
	for i := 0; i < 3; i++ {
		if r := e.Do(tok, "{me{email}}", nil); len(r.Errors) > 0 {
			t.Fatalf("request %d: %+v", i, r.Errors)
		}
	}
	r := e.Do(tok, "{me{email}}", nil)
	if r.Code() != "RATE_LIMITED" || r.Header.Get("X-RateLimit-Remaining") != "0" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %+v %v", r.Errors, r.Header)
	}
}

func TestAnonymousIntrospectionAndBodyLimit(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	if r := e.Do("", "{__schema{types{name}}}", nil); len(r.Errors) == 0 {
		t.Fatal("anonymous introspection allowed")
	}
	if r := e.Do(e.Demo("alex@contoso.example"), "{__schema{queryType{name}}}", nil); len(r.Errors) > 0 {
		t.Fatalf("signed-in introspection refused: %+v", r.Errors)
	}
	big := `{"query":"{me{email}}","variables":{"x":"` + strings.Repeat("a", 1<<20) + `"}}`
	res, err := http.Post(e.URL+"/graphql", "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: %d", res.StatusCode)
	}
	res, _ = e.Get("", "/")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if res.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
}

func TestSignInThrottle(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	q := `mutation{signIn(input:{email:"mona@contoso.example",password:"wrong"}){token}}`
	for i := 0; i < int(account.PairRule.Capacity); i++ {
		if r := e.Do("", q, nil); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("failure %d: %+v", i, r.Errors)
		}
	}
	if r := e.Do("", q, nil); r.Code() != "RATE_LIMITED" {
		t.Fatalf("failure past the limit: %+v", r.Errors)
	}
	// From this address without a recognized device, even the right password
	// waits: the account is throttled here, not the guess.
	if r := e.Do("", `mutation{signIn(input:{email:"mona@contoso.example",password:"certlink-demo"}){token}}`, nil); r.Code() != "RATE_LIMITED" {
		t.Fatalf("right password while throttled: %+v", r.Errors)
	}
	// Other accounts are unaffected.
	if tok := e.Demo("grace@contoso.example"); tok == "" {
		t.Fatal("grace could not sign in")
	}
}
