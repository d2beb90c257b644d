package graph_test

import (
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestOneRequestChecksOnePassword: a request holds at most one field that
// checks a password (an argon2id computation), so each check costs at least
// a rate-limit point. A review's signed-in account sent its own right password under 30
// aliases of signIn: 240 argon2id checks in 15 s for 8 points, every check a
// new session.
func TestOneRequestChecksOnePassword(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		sessions := func() int {
			var n int
			if err := e.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM tokens`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := sessions()
		for _, q := range []string{
			`mutation{a:signIn(input:{email:"grace@contoso.example",password:"certlink-demo"}){token} b:signIn(input:{email:"grace@contoso.example",password:"certlink-demo"}){token}}`,
			`mutation{signIn(input:{email:"grace@contoso.example",password:"certlink-demo"}){token} ...F} fragment F on Mutation{x:signIn(input:{email:"grace@contoso.example",password:"certlink-demo"}){token}}`,
			`mutation{signIn(input:{email:"grace@contoso.example",password:"certlink-demo"}){token} associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{email}}}`,
			`mutation{a:previewAssociation(input:{kind:LEARNING,email:"jordan@learn.example",password:"learn-demo"}){mcid} b:previewAssociation(input:{kind:LEARNING,email:"jordan@learn.example",password:"x"}){mcid}}`,
		} {
			r := e.Do(grace, q, nil)
			if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "checks 2 passwords") {
				t.Fatalf("%s\n%s %+v", q, r.Code(), r.Errors)
			}
		}
		if n := sessions(); n != before {
			t.Fatalf("refused requests made %d sessions", n-before)
		}
		// One check is served, and costs a point.
		r := e.Do(grace, `mutation{signIn(input:{email:"grace@contoso.example",password:"certlink-demo"}){token}}`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("one signIn: %+v", r.Errors)
		}
		cost, _ := r.Extensions["cost"].(map[string]any)
		if p, _ := cost["points"].(float64); p < 1 {
			t.Fatalf("one signIn cost %v, want a point", cost)
		}
	})
}
