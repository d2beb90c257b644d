package graph_test

import (
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// TestShortRequestTimeoutStillChecksPasswords: with a --request-timeout
// shorter than the time the directory-password throttle keeps for testing a
// password (1 s), a right password still links, uncontended. A review's
// every association at --request-timeout=1s was refused RATE_LIMITED "other
// attempts are being checked right now", with no other attempt anywhere: the
// throttle's one look at the shared buckets ran with a wait budget of zero.
//
// The sign-ins run on a process with the default timeout, and a TIMEOUT is
// asked again: under the race detector on a loaded machine one argon2id
// check can take longer than 900 ms, which says nothing about the throttle.
// The refusal the test is about, RATE_LIMITED, is never asked again.
func TestShortRequestTimeoutStillChecksPasswords(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		lee, alex := e.Demo("lee@fabrikam.example"), e.Demo("alex@contoso.example")
		short := e.Second(func(c *app.Config) { c.RequestTimeout = 900 * time.Millisecond })
		ask := func(token, query string) *testenv.Response {
			for try := 1; ; try++ {
				r := short.Do(token, query, nil)
				if r.Code() != "TIMEOUT" || try == 5 {
					return r
				}
				t.Logf("try %d timed out on this machine; asking again", try)
			}
		}
		if r := ask(lee, mAssociateJordan); len(r.Errors) > 0 {
			t.Fatalf("associating with the right password: %+v", r.Errors)
		}
		if r := ask(alex, `mutation{associatePartnerUniversity(input:{email:"riley@learn.example",password:"wrong"}){user{email}}}`); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("a wrong password: %s %+v, want INVALID_CREDENTIALS", r.Code(), r.Errors)
		}
	})
}
