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
func TestShortRequestTimeoutStillChecksPasswords(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) { c.RequestTimeout = 900 * time.Millisecond })
		lee := e.Demo("lee@fabrikam.example")
		if r := e.Do(lee, mAssociateJordan, nil); len(r.Errors) > 0 {
			t.Fatalf("associating with the right password: %+v", r.Errors)
		}
		if r := e.Do(e.Demo("alex@contoso.example"), `mutation{associatePartnerUniversity(input:{email:"riley@learn.example",password:"wrong"}){user{email}}}`, nil); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("a wrong password: %s %+v, want INVALID_CREDENTIALS", r.Code(), r.Errors)
		}
	})
}
