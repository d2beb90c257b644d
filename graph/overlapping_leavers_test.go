package graph_test

import (
	"fmt"
	"sync"
	"testing"

	"certlink/ent/risknotice"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/testenv"
)

// Leavers at the same moment are told as one after another would be: each
// requirement that went from met to unmet is told once, by one "no longer
// met" notice, never by each of the people leaving (review: five removals at
// once gave four warnings instead of one, each blaming its own leaver, and two
// to four open notices per requirement; their "before" states came from each
// transaction's own snapshot).
func TestOverlappingLeaversTellEachLossOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) { c.RequestsPerCaller = 16 })
		c := e.App.DB.Client
		grace := e.Demo("grace@contoso.example")
		testenv.AddPeople(t, c, "4100001", 6, []string{"AZ-104", "AZ-305", "SC-200"})
		met := func() map[string]bool {
			out := map[string]bool{}
			for id, r := range requirementsOf(t, e, grace) {
				out[id] = r.Met
			}
			return out
		}
		before := met()
		// Each leaver removes their own Learning account, in their own
		// session, all at once (the review's script); half of them go
		// through a second process on the same database.
		hash := c.User.Query().Where(user.Email("grace@contoso.example")).OnlyX(sys()).PasswordHash
		c.User.Update().Where(user.EmailHasSuffix("@4100001.example")).SetPasswordHash(hash).ExecX(sys())
		leavers := c.User.Query().Where(user.EmailHasSuffix("@4100001.example")).AllX(sys())
		e2 := e.Second(func(c *app.Config) { c.RequestsPerCaller = 16 })
		var wg sync.WaitGroup
		errs := make(chan string, len(leavers))
		start := make(chan struct{})
		for i, u := range leavers {
			env := e
			if i%2 == 1 {
				env = e2
			}
			tok := env.SignIn(u.Email, "certlink-demo")
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if r := env.Do(tok, `mutation{removeLearningAccount{user{id}}}`, nil); r.Code() != "" {
					errs <- fmt.Sprintf("%s: %+v", u.Email, r.Errors)
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for m := range errs {
			t.Fatalf("deleting at once: %s", m)
		}
		after := met()
		fell := 0
		for id, was := range before {
			if !was || after[id] {
				continue
			}
			fell++
			n := c.RiskNotice.Query().Where(risknotice.RequirementID(e.RowID(t, id)), risknotice.KindEQ(risknotice.KindUNMET),
				risknotice.ResolvedAtIsNil()).CountX(sys())
			if n != 1 {
				t.Errorf("requirement %s fell with %d leavers at once: %d open notices, want 1", id, len(leavers), n)
			}
		}
		if fell == 0 {
			t.Fatal("no requirement fell: the test proves nothing")
		}
		for id, is := range after {
			if n := c.RiskNotice.Query().Where(risknotice.RequirementID(e.RowID(t, id)), risknotice.KindEQ(risknotice.KindUNMET),
				risknotice.ResolvedAtIsNil()).CountX(sys()); n > 1 || (n == 1 && is) {
				t.Errorf("requirement %s (met now: %v): %d open notices", id, is, n)
			}
		}
		t.Logf("%d leavers at once, %d requirements fell", len(leavers), fell)
	})
}
