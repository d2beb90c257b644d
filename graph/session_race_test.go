package graph_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// alive reports whether tok still authenticates.
func alive(t *testing.T, e *testenv.Env, tok string) bool {
	t.Helper()
	r := e.Do(tok, `{me{email}}`, nil)
	var out struct{ Me *struct{ Email string } }
	if len(r.Errors) == 0 {
		_ = json.Unmarshal(r.Data, &out)
	}
	return out.Me != nil
}

// signInStorm signs email in with password on e from 4 goroutines until stop
// is closed; it returns the tokens it got.
func signInStorm(e *testenv.Env, email, password string, stop <-chan struct{}) func() []string {
	var mu sync.Mutex
	var toks []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := e.Do("", `mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`,
					map[string]any{"e": email, "p": password})
				var out struct{ SignIn *struct{ Token string } }
				if len(r.Errors) == 0 && json.Unmarshal(r.Data, &out) == nil && out.SignIn != nil {
					mu.Lock()
					toks = append(toks, out.SignIn.Token)
					mu.Unlock()
				}
			}
		}()
	}
	return func() []string { wg.Wait(); return toks }
}

// A sign-in with the old password racing a change that ends every session
// (changePassword, resendInvite) must not leave a session that outlives the
// change: the sign-in that proved the old password before the change and
// opened its session after the change revoked the sessions is refused. The
// attacker signs in on a second certlink on the same database, the owner or
// admin acts on the first.
func TestSignInRacingSessionEndingChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		b := e.Second()
		grace := e.Demo("grace@contoso.example")

		t.Run("changePassword", func(t *testing.T) {
			var stale, total atomic.Int64
			// A fresh account each round: the storm's wrong guesses after the
			// change fill the account's throttle bucket (A4).
			for round := range 2 {
				email := fmt.Sprintf("victim%d@contoso.example", round)
				owner, _ := withRole(t, e, email)
				stop := make(chan struct{})
				wait := signInStorm(b, email, "a-password-of-mine", stop)
				time.Sleep(300 * time.Millisecond)
				must(t, e, owner, mChangePw, map[string]any{"c": "a-password-of-mine", "n": "another-secret-words"}, nil)
				close(stop)
				toks := wait()
				total.Add(int64(len(toks)))
				for _, tok := range toks {
					if alive(t, e, tok) {
						stale.Add(1)
					}
				}
			}
			if total.Load() == 0 {
				t.Fatal("no sign-in with the old password succeeded: the test raced nothing")
			}
			if n := stale.Load(); n > 0 {
				t.Errorf("%d of %d sessions opened with the old password still work after changePassword", n, total.Load())
			}
		})

		t.Run("resendInvite", func(t *testing.T) {
			var stale atomic.Int64
			for round := range 2 {
				email := fmt.Sprintf("invitee%d@contoso.example", round)
				var inv invited
				must(t, e, grace, mInvite, map[string]any{"e": email, "r": []string{}}, &inv)
				stop := make(chan struct{})
				wait := signInStorm(b, email, inv.InviteUser.TemporaryPassword, stop)
				time.Sleep(300 * time.Millisecond)
				must(t, e, grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`,
					map[string]any{"id": inv.InviteUser.User.ID}, nil)
				close(stop)
				for _, tok := range wait() {
					if alive(t, e, tok) {
						stale.Add(1)
					}
				}
			}
			if n := stale.Load(); n > 0 {
				t.Errorf("%d sessions opened with the old temporary password still work after resendInvite", n)
			}
		})
	})
}
