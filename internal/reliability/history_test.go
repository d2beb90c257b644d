package reliability_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"certlink/internal/testenv"
)

const readLearning = `{me{learningAccount{mcid}}}`

// linkOp is one client's request on MCID 9900003 (jordan's profile).
type linkOp struct {
	Kind   string // "link", "unlink", "read"
	Client int    // the work account's index
}

// linkOut is what the answer says: for a read, whether the client holds the
// MCID; for link/unlink, whether it took effect. Unknown: the answer was lost
// (the process was killed mid-request, or the database said the outcome is
// unknown): it may or may not have taken effect.
type linkOut struct {
	Holds, Done, Unknown bool
}

// linkModel: the state is the client holding the MCID (-1: nobody, or
// someone outside the test). link moves it to the client (L5), unlink ends
// the client's own link, a read sees who holds it.
var linkModel = porcupine.NondeterministicModel{
	Step: func(state, input, output any) []any {
		s, in, out := state.(int), input.(linkOp), output.(linkOut)
		switch in.Kind {
		case "read":
			if out.Holds == (s == in.Client) {
				return []any{s}
			}
			return nil
		case "link":
			switch {
			case out.Unknown:
				return []any{s, in.Client}
			case out.Done:
				return []any{in.Client}
			}
			return []any{s} // refused before any change (RATE_LIMITED)
		default: // unlink
			switch {
			case out.Unknown:
				if s == in.Client {
					return []any{s, -1}
				}
				return []any{s}
			case out.Done:
				if s == in.Client {
					return []any{-1}
				}
				return nil
			}
			if s != in.Client { // NOT_FOUND
				return []any{s}
			}
			return nil
		}
	},
	DescribeOperation: func(input, output any) string {
		return fmt.Sprintf("%+v -> %+v", input, output)
	},
}

// Links are linearizable across two certlink processes (on a Galera cluster,
// on two nodes), with each process killed with SIGKILL once in the middle of
// the run: 8 work accounts link, unlink and read one MCID; the history of
// answers is checked with porcupine, phase by phase (between phases every
// client is idle and the state is read from the database), and at the end
// the rows are checked against the history table (each link ends once, in
// order) and every answer had a code (never INTERNAL, never a 5xx).
func TestLinearizableLinksWithKill(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		if d == testenv.SQLite {
			t.Skip("two processes on one database: MariaDB and the Galera cluster")
		}
		since := time.Now().UTC().Add(-time.Second)
		dsn := testenv.DSN(t, d)
		dsns := []string{testenv.OnHost(dsn, 0), testenv.OnHost(dsn, 1)}
		var mu sync.Mutex
		procs := []*proc{startProcOn(t, dsns[0]), startProcOn(t, dsns[1])}
		url := func(i int) string { mu.Lock(); defer mu.Unlock(); return procs[i%2].URL }
		db := openDB(t, dsn)
		emails := append(addWorkers(t, db.Client, "4100001", "lin", 4), addWorkers(t, db.Client, "4100002", "lin", 4)...)
		tokens := sessions(t, db, emails...)
		ids := map[int]int{}
		for i, e := range emails {
			ids[count(t, db, `SELECT id FROM users WHERE email = ?`, e)] = i
		}
		holder := func() int {
			var uid int
			err := db.SQL.QueryRow(`SELECT a.user_id FROM associations a JOIN profiles p ON p.id = a.profile_id
				WHERE p.mcid = '9900003' AND a.ended_at IS NULL`).Scan(&uid)
			if i, ok := ids[uid]; ok && err == nil {
				return i
			}
			return -1
		}
		const phases, opsPerClient = 6, 10
		var bad []string
		total, unknown := 0, 0
		for phase := 0; phase < phases; phase++ {
			init := holder()
			var (
				hist []porcupine.Operation
				hmu  sync.Mutex
				wg   sync.WaitGroup
			)
			base := time.Now()
			if phase == 2 || phase == 4 {
				victim := phase/2 - 1 // process A, then process B
				wg.Add(1)
				go func() {
					defer wg.Done()
					time.Sleep(150 * time.Millisecond)
					mu.Lock()
					p := procs[victim]
					mu.Unlock()
					_ = p.cmd.Process.Signal(syscall.SIGKILL)
					<-p.done
					q := startProcOn(t, dsns[victim])
					mu.Lock()
					procs[victim] = q
					mu.Unlock()
				}()
			}
			for c := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := 0; k < opsPerClient; k++ {
						op := linkOp{Kind: []string{"link", "read", "unlink", "read"}[(k+c)%4], Client: c}
						query := map[string]string{"link": associateJordan, "unlink": removeLearning, "read": readLearning}[op.Kind]
						call := time.Since(base).Nanoseconds()
						r := gql(url(c), tokens[c], query, nil)
						ret := time.Since(base).Nanoseconds()
						var out linkOut
						switch {
						case r.Err != nil && notSent(r.Err):
							time.Sleep(100 * time.Millisecond) // the process is restarting: nothing reached it
							continue
						case r.Err != nil || (r.code() == "UNAVAILABLE" && unknownOutcome(r)):
							if op.Kind == "read" {
								continue // a lost read changed nothing
							}
							out.Unknown, ret = true, math.MaxInt64
						case r.Status >= 500:
							hmu.Lock()
							bad = append(bad, fmt.Sprintf("%s by client %d: HTTP %d", op.Kind, c, r.Status))
							hmu.Unlock()
							continue
						case len(r.Errors) == 0:
							out.Done = true
							if op.Kind == "read" {
								var me struct {
									Me struct{ LearningAccount *struct{ MCID string } }
								}
								_ = json.Unmarshal(r.Data, &me)
								out.Holds = me.Me.LearningAccount != nil && me.Me.LearningAccount.MCID == "9900003"
							}
						case r.code() == "NOT_FOUND" && op.Kind == "unlink":
						case r.code() == "RATE_LIMITED" || r.code() == "CONFLICT" || r.code() == "UNAVAILABLE":
							// Refused before any change (a CONFLICT after every retry
							// of a colliding transaction, the database unreachable).
							if op.Kind != "link" {
								continue
							}
						default:
							hmu.Lock()
							bad = append(bad, fmt.Sprintf("%s by client %d: %s %v", op.Kind, c, r.code(), r.Errors))
							hmu.Unlock()
							continue
						}
						hmu.Lock()
						hist = append(hist, porcupine.Operation{ClientId: c, Input: op, Call: call, Output: out, Return: ret})
						hmu.Unlock()
					}
				}()
			}
			wg.Wait()
			for _, o := range hist {
				if o.Output.(linkOut).Unknown {
					unknown++
				}
			}
			total += len(hist)
			m := linkModel
			m.Init = func() []any { return []any{init} }
			switch res := porcupine.CheckOperationsTimeout(m.ToModel(), hist, 30*time.Second); res {
			case porcupine.Illegal:
				t.Errorf("phase %d (%d operations, starting with client %d holding the MCID): not linearizable", phase, len(hist), init)
			case porcupine.Unknown:
				t.Logf("phase %d: the check timed out", phase)
			}
		}
		for _, b := range bad {
			t.Errorf("answer without a proper code: %s", b)
		}
		t.Logf("%d operations in %d phases checked linearizable (%d with an unknown outcome, across 2 kills)", total, phases, unknown)
		testenv.CheckLinkHistory(t, db.SQL, since)
		testenv.CheckInvariants(t, db.SQL)
	})
}

// notSent reports a request that never reached a server (connection refused).
func notSent(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

func unknownOutcome(r gqlResult) bool {
	return len(r.Errors) > 0 && r.Errors[0].Extensions["outcome"] == "UNKNOWN"
}

// The model is strict enough to catch what it is for: a read that misses a
// link already answered OK, and a link ended twice (two OK unlinks).
func TestLinkModelRejectsWrongHistories(t *testing.T) {
	m := linkModel
	m.Init = func() []any { return []any{-1} }
	op := func(c int, kind string, call, ret int64, out linkOut) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Input: linkOp{Kind: kind, Client: c}, Call: call, Output: out, Return: ret}
	}
	stale := []porcupine.Operation{op(0, "link", 0, 10, linkOut{Done: true}), op(0, "read", 20, 30, linkOut{Holds: false})}
	if porcupine.CheckOperations(m.ToModel(), stale) {
		t.Error("a read missing a completed link passed")
	}
	twice := []porcupine.Operation{op(0, "link", 0, 10, linkOut{Done: true}),
		op(0, "unlink", 20, 30, linkOut{Done: true}), op(0, "unlink", 40, 50, linkOut{Done: true})}
	if porcupine.CheckOperations(m.ToModel(), twice) {
		t.Error("a link ended twice passed")
	}
	fine := []porcupine.Operation{op(0, "link", 0, 10, linkOut{Done: true}), op(1, "link", 5, math.MaxInt64, linkOut{Unknown: true}),
		op(0, "read", 20, 30, linkOut{Holds: false}), op(1, "read", 20, 30, linkOut{Holds: true})}
	if !porcupine.CheckOperations(m.ToModel(), fine) {
		t.Error("a lost link that took effect was refused")
	}
}
