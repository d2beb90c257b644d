package linking_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"certlink/ent/association"
	"certlink/ent/directoryaccount"
	"certlink/internal/apperr"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// A removal racing a move of the same link (issue 12 item 5): alex removes
// his Learning link while lee associates the same MCID, which moves it. The
// link ends exactly once — UNLINKED when alex's removal answered OK, MOVED_OUT
// when it answered NOT_FOUND — never both, its end never overwritten, and every
// event is after the one before it on the MCID.
func TestRemoveRacingMove(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		since := time.Now().UTC().Add(-time.Second)
		f.svc.Now = nil // the real clock: event order is what is checked
		f.svc.Limits = linking.Limits{Cooldown: 0, PerYear: 1 << 30}
		f.svc.Observers = []linking.Observer{history.LinkObserver{}}
		ctx := context.Background()
		sys := viewer.System(ctx)
		alex, lee := f.users["alex@contoso.example"], f.users["lee@fabrikam.example"]
		acct, err := f.c.DirectoryAccount.Query().Where(directoryaccount.Email("alex@learn.example")).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		removed, moved := 0, 0
		for round := 0; round < 25; round++ {
			// alex holds the link (moving it back from lee after a won move).
			if err := f.svc.AssociateDirectoryAccount(ctx, alex, acct.ID, linking.Learning); err != nil {
				t.Fatalf("round %d: alex associates: %v", round, err)
			}
			var rmErr, mvErr error
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Add(2)
			go func() { defer wg.Done(); <-start; rmErr = f.svc.RemoveLearningAccount(ctx, alex) }()
			go func() {
				defer wg.Done()
				<-start
				mvErr = f.svc.AssociateDirectoryAccount(ctx, lee, acct.ID, linking.Learning)
			}()
			close(start)
			wg.Wait()
			if mvErr != nil {
				t.Fatalf("round %d: lee's association: %v", round, mvErr)
			}
			last, err := f.c.Association.Query().Where(association.UserID(alex.UserID)).
				Order(association.ByStartedAt(), association.ByID()).All(sys)
			if err != nil {
				t.Fatal(err)
			}
			a := last[len(last)-1]
			switch {
			case rmErr == nil:
				removed++
				if a.EndReason == nil || *a.EndReason != association.EndReasonREMOVED {
					t.Errorf("round %d: removal answered OK, the link ended %v", round, a.EndReason)
				}
			case code(rmErr) == apperr.NotFound:
				moved++
				if a.EndReason == nil || *a.EndReason != association.EndReasonMOVED {
					t.Errorf("round %d: removal answered NOT_FOUND, the link ended %v", round, a.EndReason)
				}
			default:
				t.Fatalf("round %d: removal: %v", round, rmErr)
			}
			if links := f.activeLinks(t, "9900001"); len(links) != 1 || links[0].UserID != lee.UserID {
				t.Fatalf("round %d: active links %+v, want lee's", round, links)
			}
		}
		t.Logf("%d removals first, %d moves first", removed, moved)
		testenv.CheckLinkHistory(t, f.db.SQL, since)
		testenv.CheckInvariants(t, f.db.SQL)
	})
}

// Two people's associations never wait for each other in the database. A
// review of the bench saw one association in five wait about 17 ms for
// another person's: on MariaDB, at REPEATABLE READ, the kept counts' locking
// read of riley's links locked the index gap up to the next person's, where
// lee's new link is written, so lee waited until riley's transaction ended.
// Linking transactions run at READ COMMITTED: rows, not gaps, are held.
func TestAssociationsOfTwoPeopleDoNotWaitForEachOther(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		if d == testenv.SQLite {
			t.Skip("SQLite runs one write transaction at a time (one writer by design)")
		}
		f := setup(t, d)
		f.svc.Limits = linking.Limits{Cooldown: 0, PerYear: 1 << 30}
		riley, lee := f.users["riley@contoso.example"], f.users["lee@fabrikam.example"]
		ctx := context.Background()
		release := testenv.HoldLinkOpen(t, &f.svc.Observers, riley.UserID, func() error {
			return f.svc.AssociateLearningAccount(ctx, riley, linking.AssociateInput{Email: "riley@learn.example", Password: "learn-demo"})
		})
		// riley's transaction holds its locks; lee's association must not wait
		// for them (a lock wait lasts up to innodb_lock_wait_timeout, 50 s).
		leeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := f.svc.AssociateLearningAccount(leeCtx, lee, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatalf("lee's association while riley's transaction is open: %v", err)
		}
		if err := f.svc.RemoveLearningAccount(leeCtx, lee); err != nil {
			t.Fatalf("lee's removal while riley's transaction is open: %v", err)
		}
		if err := release(); err != nil {
			t.Fatalf("riley's association: %v", err)
		}
		testenv.CheckInvariants(t, f.db.SQL)
	})
}
