package graph_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// deleteUser on one certlink racing associateLearningAccount by the same
// person on another (same database) must not leave an active link owned by a
// deleted account (L9, L5): either the link starts first and the deletion
// ends it, or the deletion comes first and the association is refused.
func TestDeleteUserRacingAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		// No L6 cooldown: every round links one of the demo Learning profiles again.
		noL6 := func(c *app.Config) { c.AssociationCooldown, c.AssociationsPerYear = 0, 1000 }
		e := testenv.Start(t, d, noL6)
		b := e.Second(noL6)
		grace := e.Demo("grace@contoso.example")
		learn := []string{"riley@learn.example", "jordan@learn.example", "alex@learn.example"}
		outcomes := map[string]int{}
		for round := range 9 {
			email := fmt.Sprintf("leaver%d@contoso.example", round)
			tok, id := withRole(t, e, email)
			var wg sync.WaitGroup
			var assocCode, delCode string
			start := make(chan struct{})
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				assocCode = b.Do(tok, mAssocLearning, map[string]any{"e": learn[round%3], "p": "learn-demo"}).Code()
			}()
			go func() {
				defer wg.Done()
				<-start
				delCode = e.Do(grace, mDelete, map[string]any{"id": id}).Code()
			}()
			close(start)
			wg.Wait()
			if delCode != "" {
				t.Fatalf("round %d: deleteUser answered %s", round, delCode)
			}
			outcomes["associate:"+assocCode]++
		}
		var n int
		err := e.App.DB.SQL.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM associations a
			JOIN users u ON u.id = a.user_id WHERE a.ended_at IS NULL AND u.deleted_at IS NOT NULL`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("associate outcomes: %v", outcomes)
		if n > 0 {
			t.Errorf("%d active links belong to deleted work accounts", n)
		}
	})
}
