package reliability_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"certlink/internal/testenv"
)

const (
	associateJordan = `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{learningAccount{mcid}}}}`
	removeLearning  = `mutation{removeLearningAccount{user{email}}}`
)

// L5 under load: 100 work accounts of two organizations associate the same
// MCID at once, through two certlink processes sharing one database. Each
// association moves the link; at the end exactly one is active, nobody saw a
// 5xx, and the outbox workers of both processes delivered each mail once.
func TestParallelAssociationsTwoProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		if d == testenv.SQLite {
			t.Skip("two processes on one database: MariaDB (a SQLite file is one machine's)")
		}
		dsn := testenv.DSN(t, d)
		a := startProc(t, dsn)
		b := startProc(t, dsn)
		db := openDB(t, dsn)
		emails := append(addWorkers(t, db.Client, "4100001", "par", 50), addWorkers(t, db.Client, "4100002", "par", 50)...)
		tokens := sessions(t, db, emails...)

		var wg sync.WaitGroup
		var ok, server atomic.Int64
		codes := sync.Map{}
		start := make(chan struct{})
		for i, tok := range tokens {
			base := a.URL
			if i%2 == 1 {
				base = b.URL
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := gql(base, tok, associateJordan, nil)
				switch {
				case r.Err != nil:
					t.Errorf("request: %v", r.Err)
				case r.Status >= 500:
					server.Add(1)
				case len(r.Errors) == 0:
					ok.Add(1)
				default:
					n, _ := codes.LoadOrStore(r.code(), new(atomic.Int64))
					n.(*atomic.Int64).Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		codes.Range(func(k, v any) bool {
			c := k.(string)
			// RATE_LIMITED: a password check that could not start before the
			// request's deadline (the argon2id queue is bounded) is refused.
			if c != "CONFLICT" && c != "RATE_LIMITED" {
				t.Errorf("%d associations failed with %q", v.(*atomic.Int64).Load(), c)
			}
			return true
		})
		if server.Load() > 0 {
			t.Errorf("%d answers were 5xx", server.Load())
		}
		if ok.Load() == 0 {
			t.Fatal("no association succeeded")
		}
		active := count(t, db, `SELECT COUNT(*) FROM associations a JOIN profiles p ON p.id = a.profile_id
			WHERE p.mcid = '9900003' AND a.ended_at IS NULL`)
		if active != 1 {
			t.Fatalf("%d active links of MCID 9900003, want 1", active)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM associations a JOIN profiles p ON p.id = a.profile_id WHERE p.mcid = '9900003'`); int64(got) != ok.Load() {
			t.Errorf("%d links made, %d associations answered OK", got, ok.Load())
		}
		testenv.CheckInvariants(t, db.SQL)
		// Mail through both processes' workers: invites from each.
		grace := sessions(t, db, "grace@contoso.example")[0]
		for i := 0; i < 20; i++ {
			base := []string{a.URL, b.URL}[i%2]
			r := gql(base, grace, `mutation($e:String!){inviteUser(input:{email:$e,name:"Invitee"}){user{email}}}`,
				map[string]any{"e": fmt.Sprintf("invitee%02d@contoso.example", i)})
			if r.Err != nil || len(r.Errors) > 0 {
				t.Fatalf("invite %d: %v %+v", i, r.Err, r.Errors)
			}
		}
		drainOutbox(t, db, 30*time.Second)
		if n := count(t, db, `SELECT COUNT(*) FROM dev_mails WHERE to_address LIKE 'invitee%'`); n != 20 {
			t.Errorf("%d invitation mails, want 20", n)
		}
		t.Logf("%d associations succeeded, %d answered CONFLICT", ok.Load(), 100-ok.Load())
	})
}

// N2 and L5 across a crash: certlink is killed with SIGKILL in the middle of a
// burst of links, unlinks and invitations (mail); restarted on the same
// database, every invariant holds and each mail goes out exactly once — none
// lost (every invitation answered OK has its mail), none twice.
func TestKillDuringBurst(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		dsn := testenv.DSN(t, d)
		p := startProc(t, dsn)
		db := openDB(t, dsn)
		// Linkers in both organizations move MCID 9900003 back and forth; alex
		// unlinks and relinks his own; grace invites people (mail).
		linkers := append(addWorkers(t, db.Client, "4100001", "kill", 4), addWorkers(t, db.Client, "4100002", "kill", 4)...)
		tokens := sessions(t, db, linkers...)
		alex := sessions(t, db, "alex@contoso.example")[0]
		grace := sessions(t, db, "grace@contoso.example")[0]

		var (
			wg       sync.WaitGroup
			stop     atomic.Bool
			mu       sync.Mutex
			invited  []string
			server   atomic.Int64
			requests atomic.Int64
		)
		run := func(f func(i int) gqlResult) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					r := f(i)
					if r.Err != nil {
						return // the process is gone
					}
					requests.Add(1)
					if r.Status >= 500 {
						server.Add(1)
					}
				}
			}()
		}
		for _, tok := range tokens {
			run(func(i int) gqlResult {
				if i%2 == 0 {
					return gql(p.URL, tok, associateJordan, nil)
				}
				return gql(p.URL, tok, removeLearning, nil)
			})
		}
		run(func(i int) gqlResult {
			if i%2 == 0 {
				return gql(p.URL, alex, removeLearning, nil)
			}
			return gql(p.URL, alex, `mutation{associateLearningAccount(input:{email:"alex@learn.example",password:"learn-demo"}){user{email}}}`, nil)
		})
		for w := 0; w < 2; w++ {
			run(func(i int) gqlResult {
				email := fmt.Sprintf("burst%d-%04d@contoso.example", w, i)
				r := gql(p.URL, grace, `mutation($e:String!){inviteUser(input:{email:$e,name:"Burst"}){user{email}}}`, map[string]any{"e": email})
				if r.Err == nil && len(r.Errors) == 0 && r.Status == 200 {
					mu.Lock()
					invited = append(invited, email)
					mu.Unlock()
				}
				return r
			})
		}
		// Let the burst run until mail is flowing, then kill mid-flight.
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && (requests.Load() < 60 || count(t, db, `SELECT COUNT(*) FROM dev_mails`) < 3) {
			time.Sleep(50 * time.Millisecond)
		}
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.done
		stop.Store(true)
		wg.Wait()
		if server.Load() > 0 {
			t.Errorf("%d answers were 5xx before the kill", server.Load())
		}
		pending := count(t, db, `SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL`)
		t.Logf("killed after %d requests, %d invitations answered; %d mails unsent at the kill", requests.Load(), len(invited), pending)

		q := startProc(t, dsn)
		drainOutbox(t, db, 60*time.Second)
		testenv.CheckInvariants(t, db.SQL)
		for _, e := range invited {
			if n := count(t, db, `SELECT COUNT(*) FROM dev_mails WHERE to_address = ?`, e); n != 1 {
				t.Errorf("%s was invited (answered OK) and got %d mails", e, n)
			}
		}
		// The restarted process works: a link and an unlink.
		if r := gql(q.URL, tokens[0], associateJordan, nil); r.Err != nil || len(r.Errors) > 0 {
			t.Fatalf("associate after restart: %v %+v", r.Err, r.Errors)
		}
		if r := gql(q.URL, tokens[0], removeLearning, nil); r.Err != nil || len(r.Errors) > 0 {
			t.Fatalf("remove after restart: %v %+v", r.Err, r.Errors)
		}
		testenv.CheckInvariants(t, db.SQL)
	})
}
