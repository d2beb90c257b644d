package app_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/auth"
	"certlink/internal/socket"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

func orgOf(t *testing.T, e *testenv.Env, email string) int {
	t.Helper()
	return *e.App.DB.Client.User.Query().Where(user.Email(email)).OnlyX(viewer.System(context.Background())).OrganizationID
}

func userID(t *testing.T, e *testenv.Env, email string) string {
	t.Helper()
	return e.ID(e.App.DB.Client.User.Query().Where(user.Email(email)).OnlyIDX(viewer.System(context.Background())))
}

// Item 6: a socket is as good as its sign-in. For every way a sign-in ends or
// changes over HTTP, the open subscription ends, the socket closes with a
// coded close (4401 ended, 4403 changed) and a new socket of that sign-in is
// refused.
func TestSocketOutlivesNoSession(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		tokenIDs := map[string]string{}
		monaPassword := "certlink-demo"
		mona := func(t *testing.T) string { return e.SignIn("mona@contoso.example", monaPassword) }
		cases := []struct {
			name string
			// open returns the secret the socket uses; end ends or changes it over HTTP.
			open func(t *testing.T) string
			end  func(t *testing.T, secret string)
			code websocket.StatusCode
		}{
			{"signOut", mona,
				func(t *testing.T, s string) { mustDo(t, e, s, `mutation{signOut{signedOut}}`, nil) }, socket.CloseUnauthenticated},
			{"roles changed", mona,
				func(t *testing.T, s string) {
					mustDo(t, e, grace, `mutation($u:ID!){assignRoles(input:{userId:$u,roles:[]}){user{email}}}`,
						map[string]any{"u": userID(t, e, "mona@contoso.example")})
				}, socket.CloseSessionChanged},
			{"API token revoked", func(t *testing.T) string {
				var out struct {
					CreateApiToken struct {
						Token  struct{ ID string }
						Secret string
					}
				}
				e.Do(grace, `mutation{createApiToken(input:{name:"live",scopes:[PROGRESS_READ]}){token{id} secret}}`, nil).Decode(t, &out)
				tokenIDs[out.CreateApiToken.Secret] = out.CreateApiToken.Token.ID
				return out.CreateApiToken.Secret
			}, func(t *testing.T, s string) {
				mustDo(t, e, grace, `mutation($id:ID!){revokeApiToken(id:$id){id}}`, map[string]any{"id": tokenIDs[s]})
			}, socket.CloseUnauthenticated},
			{"password changed in another session", mona,
				func(t *testing.T, s string) {
					other := mona(t)
					mustDo(t, e, other, `mutation{changePassword(input:{currentPassword:"certlink-demo",newPassword:"Quiet-Harbour-Lantern-42"}){user{email}}}`, nil)
					monaPassword = "Quiet-Harbour-Lantern-42"
				}, socket.CloseUnauthenticated},
			{"account deleted", mona,
				func(t *testing.T, s string) {
					mustDo(t, e, grace, `mutation($u:ID!){deleteUser(id:$u){deletedUserId}}`,
						map[string]any{"u": userID(t, e, "mona@contoso.example")})
				}, socket.CloseUnauthenticated},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				secret := tc.open(t)
				c := bearerWS(t, e, secret)
				o := readOps(c)
				send(t, c, subscribeMsg("live", `subscription{competencyProgressChanged{status levels{options{requirements{people{email}}}}}}`))
				if m := o.next(t, "live", 10*time.Second); m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
					t.Fatalf("before: %s %s", m.Type, m.Payload)
				}
				tc.end(t, secret)
				// No further message about the organization: the socket closes.
				select {
				case <-o.closed:
				case m := <-o.ch("live"):
					if m.Type == "next" {
						t.Fatalf("a message after the sign-in ended: %s", m.Payload)
					}
					<-o.closed
				case <-time.After(10 * time.Second):
					t.Fatal("the socket stayed open after the sign-in ended")
				}
				var ce websocket.CloseError
				if !errors.As(o.err, &ce) || ce.Code != tc.code {
					t.Fatalf("close: %v, want %d", o.err, tc.code)
				}
				// A new socket with the same secret: refused (4401), or for
				// changed roles opened with the new rights (mona, now a
				// default user, may not see progress).
				nc, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer " + secret})
				if tc.code == socket.CloseUnauthenticated {
					if !errors.As(err, &ce) || ce.Code != socket.CloseUnauthenticated {
						t.Fatalf("reconnecting with an ended sign-in: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				nc.subscribe("again", `subscription{competencyProgressChanged{status}}`)
				if m, err := nc.next(10 * time.Second); err != nil || !strings.Contains(string(m.Payload), `"code":"FORBIDDEN"`) {
					t.Fatalf("after losing the role: %s %s %v", m.Type, m.Payload, err)
				}
				mustDo(t, e, grace, `mutation($u:ID!){assignRoles(input:{userId:$u,roles:[MPN_PARTNER_ADMIN]}){user{email}}}`,
					map[string]any{"u": userID(t, e, "mona@contoso.example")})
			})
		}
	})
}

func mustDo(t *testing.T, e *testenv.Env, tok, q string, vars map[string]any) {
	t.Helper()
	if r := e.Do(tok, q, vars); len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", q, r.Errors)
	}
}

// Item 6: the check is per operation too — a subscribe on a socket whose
// sign-in ended a moment ago is refused even before the socket is closed —
// and the temporary-password gate applies to subscriptions.
func TestSocketPerOperationChecks(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	var inv struct {
		InviteUser struct{ TemporaryPassword string }
	}
	e.Do(grace, `mutation{inviteUser(input:{email:"casey@contoso.example",name:"Casey Jones",roles:[MPN_PARTNER_ADMIN]}){temporaryPassword}}`, nil).Decode(t, &inv)
	temp := e.SignIn("casey@contoso.example", inv.InviteUser.TemporaryPassword)
	c := bearerWS(t, e, temp)
	c.subscribe("gate", `subscription{competencyProgressChanged{status}}`)
	if m, err := c.next(10 * time.Second); err != nil || !strings.Contains(string(m.Payload), `"code":"FORBIDDEN"`) || !strings.Contains(string(m.Payload), `"reason":"PASSWORD_CHANGE_REQUIRED"`) {
		t.Fatalf("temporary password: %s %s %v", m.Type, m.Payload, err)
	}

	// The sign-in ends without any announcement (as if another process's
	// broker message were lost): the next subscribe is refused and closes the socket.
	mona := e.Demo("mona@contoso.example")
	s := bearerWS(t, e, mona)
	o := readOps(s)
	revokeQuietly(t, e, mona)
	send(t, s, subscribeMsg("after", `subscription{competencyProgressChanged{status}}`))
	select {
	case m := <-o.ch("after"):
		if !strings.Contains(string(m.Payload), `"code":"UNAUTHENTICATED"`) {
			t.Fatalf("subscribe after the sign-in ended: %s %s", m.Type, m.Payload)
		}
	case <-o.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
	}
	<-o.closed
	var ce websocket.CloseError
	if !errors.As(o.err, &ce) || ce.Code != socket.CloseUnauthenticated {
		t.Fatalf("close: %v", o.err)
	}
}

// revokeQuietly revokes a sign-in in the database directly: no hook, no
// announcement.
func revokeQuietly(t *testing.T, e *testenv.Env, secret string) {
	t.Helper()
	res, err := e.App.DB.SQL.ExecContext(context.Background(), "UPDATE tokens SET revoked_at = ? WHERE secret_hash = ?",
		time.Now().UTC(), auth.HashSecret(secret))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("revoked %d tokens", n)
	}
}

// Item 6 across processes: a sign-out through process A closes, through the
// broker (NATS and Redis), the socket the same sign-in holds on process B —
// at once, not at B's next periodic check.
func TestSocketSessionEndsAcrossProcesses(t *testing.T) {
	for broker, url := range map[string]string{"nats": "nats://127.0.0.1:4222", "redis": "redis://127.0.0.1:6379"} {
		t.Run(broker, func(t *testing.T) {
			if c, err := net.DialTimeout("tcp", strings.TrimPrefix(strings.TrimPrefix(url, "nats://"), "redis://"), time.Second); err != nil {
				t.Skipf("no %s broker at %s: %v", broker, url, err)
			} else {
				c.Close()
			}
			topic := randomTopic()
			withBroker := func(c *app.Config) { c.Broker, c.BrokerTopic = url, topic }
			a := testenv.Start(t, testenv.SQLite, withBroker)
			b := a.Second(withBroker)
			mona := a.Demo("mona@contoso.example")
			c := bearerWS(t, b, mona)
			o := readOps(c)
			send(t, c, subscribeMsg("live", `subscription{competencyProgressChanged{status}}`))
			if m := o.next(t, "live", 10*time.Second); m.Type != "next" {
				t.Fatalf("before: %s %s", m.Type, m.Payload)
			}
			start := time.Now()
			mustDo(t, a, mona, `mutation{signOut{signedOut}}`, nil)
			select {
			case <-o.closed:
			case <-time.After(10 * time.Second):
				t.Fatal("process B's socket stayed open after signing out on process A")
			}
			var ce websocket.CloseError
			if !errors.As(o.err, &ce) || ce.Code != socket.CloseUnauthenticated {
				t.Fatalf("close: %v", o.err)
			}
			t.Logf("closed %s after the sign-out on the other process", time.Since(start).Round(time.Millisecond))
		})
	}
}

// Without a broker another process cannot tell this one that a session
// ended; the outside review's sockets on process C kept streaming Contoso's
// progress for a minute after signOut (or a demotion) through process B. Data
// is sent only after a sign-in check at most socket.PushCheck old: the next
// push after the sign-out closes the socket instead (4401; 4403 for a
// demotion), and no data leaves.
func TestSubscriptionDataStopsWhenTheSessionEndsElsewhere(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Start(t, d)
		b := a.Second()
		grace := a.Demo("grace@contoso.example")
		for _, tc := range []struct {
			name string
			end  func(t *testing.T, tok string)
			code websocket.StatusCode
		}{
			{"signOut", func(t *testing.T, tok string) { mustDo(t, a, tok, `mutation{signOut{signedOut}}`, nil) }, socket.CloseUnauthenticated},
			{"demoted", func(t *testing.T, tok string) {
				mustDo(t, a, grace, `mutation($u:ID!){assignRoles(input:{userId:$u,roles:[]}){user{email}}}`,
					map[string]any{"u": userID(t, a, "mona@contoso.example")})
			}, socket.CloseSessionChanged},
		} {
			t.Run(tc.name, func(t *testing.T) {
				mona := a.Demo("mona@contoso.example")
				c := bearerWS(t, b, mona)
				o := readOps(c)
				send(t, c, subscribeMsg("live", `subscription{competencyProgressChanged{status levels{options{requirements{people{email}}}}}}`))
				if m := o.next(t, "live", 20*time.Second); m.Type != "next" {
					t.Fatalf("before: %s %s", m.Type, m.Payload)
				}
				tc.end(t, mona)
				time.Sleep(socket.PushCheck + 100*time.Millisecond)
				b.App.Live.Publish(orgOf(t, b, "grace@contoso.example"))
				select {
				case m := <-o.ch("live"):
					if m.Type == "next" {
						t.Fatalf("data sent after the session ended on the other process: %s", m.Payload)
					}
				case <-o.closed:
				case <-time.After(20 * time.Second):
					t.Fatal("the socket neither closed nor stopped")
				}
				<-o.closed
				var ce websocket.CloseError
				if !errors.As(o.err, &ce) || ce.Code != tc.code {
					t.Fatalf("close: %v, want %d", o.err, tc.code)
				}
			})
		}
	})
}
