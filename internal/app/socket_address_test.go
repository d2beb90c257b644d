package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// dialStatus tries a websocket upgrade and returns the refusal's HTTP status
// and body, or 101 and the connection.
func dialStatus(t *testing.T, e *testenv.Env, header http.Header) (int, string, *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.URL, "http") + "/graphql"
	conn, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err == nil {
		t.Cleanup(func() { conn.CloseNow() })
		return http.StatusSwitchingProtocols, "", conn
	}
	if res == nil {
		t.Fatalf("dial: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), nil
}

// Review F2: sockets that never complete connection_init hold only their
// address's few pending slots (and only for the init timeout); they do not
// take the slots of the address's signed-in users. Behind a trusted load
// balancer the address is the forwarded client's.
func TestPendingSocketsCannotTakeTheAddressSlots(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.TrustedProxies = "127.0.0.1/32" })
	e.App.Sockets.Limits.MaxAddressSockets = 3 // set before any socket
	e.App.Sockets.Limits.MaxEvictionWait = 100 * time.Millisecond
	mona := e.Demo("mona@contoso.example")
	lim := e.App.Sockets.Limits
	from := func(addr string) http.Header { return http.Header{"X-Forwarded-For": {addr}} }

	// The attacker fills the pending slots of 198.51.100.7, never sending connection_init.
	var held []*websocket.Conn
	for i := 0; i < lim.MaxAddressPending; i++ {
		st, body, c := dialStatus(t, e, from("198.51.100.7"))
		if st != http.StatusSwitchingProtocols {
			t.Fatalf("pending socket %d refused: %d %s", i, st, body)
		}
		held = append(held, c)
	}
	if p, o := e.App.Sockets.AddressSockets("198.51.100.7"); p != lim.MaxAddressPending || o != 0 {
		t.Fatalf("after %d un-initialised sockets: %d pending, %d signed in", lim.MaxAddressPending, p, o)
	}
	// More without a sign-in close the oldest pending ones (4408), as many
	// as the eviction burst allows at once; past it, and its wait, 429.
	for i := 0; i < lim.EvictionBurst; i++ {
		st, body, c := dialStatus(t, e, from("198.51.100.7"))
		if st != http.StatusSwitchingProtocols {
			t.Fatalf("pending socket %d over the cap: %d %s", i, st, body)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, err := held[i].Read(ctx)
		cancel()
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4408 || !strings.Contains(ce.Reason, "connection initialisation timeout") {
			t.Fatalf("oldest pending socket after an upgrade over the cap: %v", err)
		}
		held = append(held, c)
	}
	held = held[lim.EvictionBurst:]
	if p, _ := e.App.Sockets.AddressSockets("198.51.100.7"); p != lim.MaxAddressPending {
		t.Fatalf("after evictions: %d pending, want %d", p, lim.MaxAddressPending)
	}
	st, body, _ := dialStatus(t, e, from("198.51.100.7"))
	if st != http.StatusTooManyRequests || !strings.Contains(body, "RATE_LIMITED") || !strings.Contains(body, "connection_init") {
		t.Fatalf("pending socket over the cap past the eviction burst: %d %s", st, body)
	}
	// Another client behind the same load balancer is not affected.
	if st, body, c := dialStatus(t, e, from("198.51.100.8")); st != http.StatusSwitchingProtocols {
		t.Fatalf("another forwarded client: %d %s", st, body)
	} else {
		c.CloseNow()
	}
	// A signed-in user at the attacker's address (sign-in sent with the
	// upgrade, as the web app's session cookie is) gets sockets up to the
	// signed-in cap, as many as the address may hold.
	auth := from("198.51.100.7")
	auth.Set("Authorization", "Bearer "+mona)
	for i := 0; i < lim.MaxAddressSockets; i++ {
		c, err := dialWS(t, e, auth, map[string]any{})
		if err != nil {
			t.Fatalf("signed-in socket %d at the attacker's address: %v", i, err)
		}
		c.subscribe("1", `subscription{capabilityScoreChanged{name points}}`)
		if m, err := c.next(30 * time.Second); err != nil || m.Type != "next" {
			t.Fatalf("subscription on signed-in socket %d: %v %+v", i, err, m)
		}
	}
	if st, body, _ := dialStatus(t, e, auth); st != http.StatusTooManyRequests || !strings.Contains(body, "signed-in") {
		t.Fatalf("signed-in socket over the cap: %d %s", st, body)
	}
	// Un-initialised sockets are closed after the init timeout, freeing their slots.
	ctx, cancel := context.WithTimeout(context.Background(), lim.InitTimeout+5*time.Second)
	defer cancel()
	if _, _, err := held[0].Read(ctx); websocket.CloseStatus(err) != websocket.StatusProtocolError {
		t.Fatalf("un-initialised socket after the init timeout: %v", err)
	}
	testenv.Eventually(t, 10*time.Second, func() bool {
		p, _ := e.App.Sockets.AddressSockets("198.51.100.7")
		return p == 0
	}, "pending sockets left after the init timeout")
}

// A socket that signs in with connection_init moves from the pending slots to
// the signed-in ones, and is refused (4429) when those are full.
func TestInitMovesASocketToTheSignedInSlots(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	e.App.Sockets.Limits.MaxAddressSockets = 1 // set before any socket
	mona := e.Demo("mona@contoso.example")
	initWith := func(c *websocket.Conn) (wsMsg, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p, _ := json.Marshal(map[string]any{"authorization": "Bearer " + mona})
		if err := wsjson.Write(ctx, c, wsMsg{Type: "connection_init", Payload: p}); err != nil {
			t.Fatal(err)
		}
		var m wsMsg
		err := wsjson.Read(ctx, c, &m)
		return m, err
	}
	a, b := rawWS(t, e, nil), rawWS(t, e, nil)
	if p, o := e.App.Sockets.AddressSockets("127.0.0.1"); p != 2 || o != 0 {
		t.Fatalf("two un-initialised sockets: %d pending, %d signed in", p, o)
	}
	if m, err := initWith(a); err != nil || m.Type != "connection_ack" {
		t.Fatalf("first init: %+v %v", m, err)
	}
	if p, o := e.App.Sockets.AddressSockets("127.0.0.1"); p != 1 || o != 1 {
		t.Fatalf("after one init: %d pending, %d signed in", p, o)
	}
	_, err := initWith(b)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4429 || !strings.Contains(ce.Reason, "RATE_LIMITED") {
		t.Fatalf("init over the signed-in cap: %v", err)
	}
	testenv.Eventually(t, 10*time.Second, func() bool {
		p, o := e.App.Sockets.AddressSockets("127.0.0.1")
		return p == 0 && o == 1
	}, "the refused socket's slot was not freed")
}

// Upgrades carrying a sign-in count as signed in at once, so one account may
// hold only its MaxViewerSockets of them, initialised or not: it cannot take
// its address's signed-in slots with sockets that never initialise.
func TestSignedInUpgradesAreCappedPerAccount(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	e.App.Sockets.Limits.MaxViewerSockets = 2 // set before any socket
	h := http.Header{"Authorization": {"Bearer " + e.Demo("mona@contoso.example")}}
	for i := 0; i < 2; i++ {
		if st, body, _ := dialStatus(t, e, h); st != http.StatusSwitchingProtocols {
			t.Fatalf("upgrade %d: %d %s", i, st, body)
		}
	}
	if st, body, _ := dialStatus(t, e, h); st != http.StatusTooManyRequests || !strings.Contains(body, "This account") {
		t.Fatalf("third un-initialised upgrade of one account: %d %s", st, body)
	}
	if _, o := e.App.Sockets.AddressSockets("127.0.0.1"); o != 2 {
		t.Fatalf("signed-in slots taken: %d, want 2", o)
	}
	// Another account at the address is not affected.
	if _, err := dialWS(t, e, http.Header{"Authorization": {"Bearer " + e.Demo("grace@contoso.example")}}, map[string]any{}); err != nil {
		t.Fatalf("another account: %v", err)
	}
	// Past the init timeout the un-initialised ones are gone and nothing is left counted for mona.
	testenv.Eventually(t, e.App.Sockets.Limits.InitTimeout+10*time.Second, func() bool {
		_, o := e.App.Sockets.AddressSockets("127.0.0.1")
		return o == 1 && e.App.Sockets.Accounts() == 1
	}, "after the init timeout")
}

// A stranger at a partner tool's address holds every pending slot and opens a
// new socket whenever one of its own is closed, never sending
// connection_init; the tool, which signs in only inside connection_init,
// opens sockets one after another and sends connection_init at once. Every
// tool socket is acknowledged: its upgrade closes the stranger's oldest
// pending socket (4408), and the bound on evictions keeps the stranger's
// reopening from closing the tool's socket before its connection_init.
func TestStrangerCannotHoldThePendingSlots(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.TrustedProxies = "127.0.0.1/32" })
	mona := e.Demo("mona@contoso.example")
	lim := e.App.Sockets.Limits
	const addr = "198.51.100.9"
	from := http.Header{"X-Forwarded-For": {addr}}
	url := "ws" + strings.TrimPrefix(e.URL, "http") + "/graphql"

	ctx, stop := context.WithCancel(context.Background())
	var (
		wg               sync.WaitGroup
		opened, refusals atomic.Int64
		evicted          atomic.Int64
	)
	for i := 0; i < lim.MaxAddressPending; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: from})
				if err != nil {
					refusals.Add(1)
					select {
					case <-ctx.Done():
					case <-time.After(5 * time.Millisecond):
					}
					continue
				}
				opened.Add(1)
				_, _, err = conn.Read(ctx) // held, never initialised, until closed
				if websocket.CloseStatus(err) == 4408 {
					evicted.Add(1)
				}
				conn.CloseNow()
			}
		}()
	}
	defer func() { stop(); wg.Wait() }()
	testenv.Eventually(t, 10*time.Second, func() bool {
		p, _ := e.App.Sockets.AddressSockets(addr)
		return p == lim.MaxAddressPending
	}, "the stranger holds the pending slots")

	for i := 0; i < 24; i++ {
		c, err := dialWS(t, e, from, map[string]any{"authorization": "Bearer " + mona})
		if err != nil {
			t.Fatalf("tool socket %d (stranger: %d opened, %d refused, %d evicted): %v", i, opened.Load(), refusals.Load(), evicted.Load(), err)
		}
		c.conn.Close(websocket.StatusNormalClosure, "")
	}
	if evicted.Load() == 0 {
		t.Fatal("no stranger socket was evicted: the stranger did not hold the slots")
	}
	t.Logf("stranger: %d sockets opened, %d upgrades refused, %d evicted", opened.Load(), refusals.Load(), evicted.Load())
}
