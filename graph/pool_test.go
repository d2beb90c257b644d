package graph_test

import (
	"context"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// TestOneDatabaseConnectionIsEnough: no request holds one database
// connection while it waits for another. Removing a Learning account read
// which link to end through a second connection while its transaction held
// the first; with every connection of the pool so held (50 removals at once
// on MySQL, 8 on SQLite) the process waited on itself until each request's
// deadline. With one connection, that wait is the first removal's.
// (bash .ci/run also runs whole packages with CERTLINK_TEST_DB_MAX_CONNS=1.)
func TestOneDatabaseConnectionIsEnough(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) {
			c.DBMaxConns = 1
			c.AssociationCooldown = 0
			c.AssociationsPerYear = 1 << 30
			c.RequestTimeout = 20 * time.Second
		})
		lee := e.Demo("lee@fabrikam.example")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 3 {
				for _, q := range []string{
					`mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{learningAccount{mcid}}}}`,
					`mutation{removeLearningAccount{user{learningAccount{mcid}}}}`,
				} {
					if r := e.Do(lee, q, nil); len(r.Errors) > 0 {
						t.Errorf("%s: %+v", q, r.Errors)
						return
					}
				}
			}
		}()
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatal("associating and removing on one database connection did not finish in 30 s: a request waits for a second connection")
		}
	})
}
