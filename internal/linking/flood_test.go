package linking_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/directoryaccount"
	"certlink/internal/apperr"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// slowLink makes every link transaction hold its rows a while, as one does
// on a machine whose cores are busy (a flood's password checks).
type slowLink struct{ d time.Duration }

func (s slowLink) LinkStarted(ctx context.Context, tx *ent.Tx, a *ent.Association) error {
	time.Sleep(s.d)
	return nil
}

func (slowLink) LinkEnded(context.Context, *ent.Tx, *ent.Association, linking.Cause, int) error {
	return nil
}

// A flood of associations and removals of one MCID by six work accounts
// through two processes, each call with a 4 s deadline, while every link
// transaction holds its rows 250 ms: far more work than the deadline allows.
// No call may run into its deadline: each answers — associated, removed, or
// refused RATE_LIMITED with a retryAt — in time, and some get through. (The
// transactions used to queue in the database's row locks, each holding its
// work account's row while it waited for the profile's, until their deadline;
// and a move, which ends the link of the profile's holder, took that holder's
// row after the profile, a deadlock with the holder's own association.)
func TestAssociationFloodAnswersBeforeDeadline(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		f.svc.Now = nil
		f.svc.Limits = linking.Limits{Cooldown: 0, PerYear: 1 << 30}
		f.svc.Observers = []linking.Observer{history.LinkObserver{}, slowLink{250 * time.Millisecond}}
		other := &linking.Service{Client: f.c, Directory: f.svc.Directory, Limits: f.svc.Limits,
			Observers: f.svc.Observers, RowLocks: f.svc.RowLocks}
		procs := []*linking.Service{f.svc, other}
		sys := viewer.System(context.Background())
		acct, err := f.c.DirectoryAccount.Query().Where(directoryaccount.Email("alex@learn.example")).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		var who []*viewer.Viewer
		for _, e := range []string{"grace@contoso.example", "mona@contoso.example", "alex@contoso.example",
			"riley@contoso.example", "sam@fabrikam.example", "lee@fabrikam.example"} {
			who = append(who, f.users[e])
		}
		const deadline = 4 * time.Second
		var (
			mu                sync.Mutex
			ok, refused, late int
			worst             time.Duration
			unexpected        []error
		)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 36; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				svc, v := procs[i%2], who[i%len(who)]
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				defer cancel()
				began := time.Now()
				var err error
				if i%3 == 2 {
					err = svc.RemoveLearningAccount(ctx, v)
				} else {
					err = svc.AssociateDirectoryAccount(ctx, v, acct.ID, linking.Learning)
				}
				took := time.Since(began)
				mu.Lock()
				defer mu.Unlock()
				worst = max(worst, took)
				switch e, _ := apperr.As(err); {
				case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
					late++
				case err == nil:
					ok++
				case e != nil && e.Code == apperr.RateLimited:
					refused++
					if e.Extensions["retryAt"] == nil {
						unexpected = append(unexpected, err)
					}
				case e != nil && e.Code == apperr.NotFound: // a removal with nothing linked
				default:
					unexpected = append(unexpected, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		t.Logf("%d done, %d refused RATE_LIMITED, %d ran into the deadline; slowest answer %v", ok, refused, late, worst)
		if late > 0 {
			t.Errorf("%d calls ran into their %v deadline; want every one answered before it", late, deadline)
		}
		for _, err := range unexpected {
			t.Errorf("unexpected answer: %v", err)
		}
		if ok == 0 {
			t.Error("no call got through")
		}
		testenv.CheckInvariants(t, f.db.SQL)
	})
}
