package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// The answers a client asks for and does not read take room in the
// process's answer memory until they are taken (an outside review ran the
// server out of memory with 256 connections each waiting on a 6.4 MB answer
// nobody read): with --answer-memory 32 a caller holds 8 MB at most, so a
// second 6.4 MB answer while the first is unread is refused RATE_LIMITED,
// and once the first connection is gone the room is back.
func TestUnreadAnswersHoldBoundedMemory(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.AnswerMemoryMB = 32 })
	lee := e.Demo("lee@fabrikam.example")
	bigTickets(t, e, "lee@fabrikam.example", 100, strings.Repeat("\U0001F600", 15990)) // 63,960 bytes each
	query, _ := json.Marshal(map[string]any{"query": `{supportTickets(first:100){edges{node{body}}}}`})
	// A client that sends the request and reads nothing: a small receive
	// window, never drained.
	unread := func() net.Conn {
		c, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		_ = c.(*net.TCPConn).SetReadBuffer(4096)
		fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", lee, len(query), query)
		return c
	}
	held := e.App.AnswerMemory.Used
	first := unread()
	defer first.Close()
	testenv.Eventually(t, 10*time.Second, func() bool { return held() >= 6<<20 }, "the unread answer holds %d bytes", held())

	second := e.Do(lee, string(`{supportTickets(first:100){edges{node{body}}}}`), nil)
	if second.Code() != "RATE_LIMITED" {
		t.Fatalf("a second 6.4 MB answer while the first is unread: code %q, want RATE_LIMITED", second.Code())
	}
	// Small answers never wait on anyone.
	if r := e.Do(lee, `{me{email}}`, nil); r.Code() != "" {
		t.Fatalf("a small answer meanwhile: %s", r.Code())
	}
	// The first client goes: its answer's room is given back.
	first.Close()
	testenv.Eventually(t, 10*time.Second, func() bool { return held() == 0 }, "after the client left, %d bytes still held", held())
	var got struct {
		SupportTickets struct{ Edges []json.RawMessage }
	}
	e.Do(lee, `{supportTickets(first:100){edges{node{body}}}}`, nil).Decode(t, &got)
	if len(got.SupportTickets.Edges) != 100 {
		t.Fatalf("the answer once the room was back: %d tickets", len(got.SupportTickets.Edges))
	}
	testenv.Eventually(t, 10*time.Second, func() bool { return held() == 0 }, "after the answer was read, %d bytes still held", held())
}

// bigTickets writes n support tickets of body (and a number) by email's work
// account directly: one person raises at most 20 a day through the API.
func bigTickets(t *testing.T, e *testenv.Env, email string, n int, body string) {
	t.Helper()
	ctx := viewer.System(context.Background())
	u, err := e.App.DB.Client.User.Query().Where(user.Email(email)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := e.App.DB.Client.SupportTicket.Create().SetAuthorID(u.ID).SetOrganizationID(*u.OrganizationID).
			SetCategory("OTHER").SetSubject("Big").SetBody(fmt.Sprintf("%s%05d", body, i)).SetCreatedAt(time.Now()).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// Over a websocket the same: queries whose answers the client does not read
// hold their room until written (at most the caller's share), and give it
// back when the socket closes.
func TestUnreadSocketAnswersHoldBoundedMemory(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.AnswerMemoryMB = 32 })
	lee := e.Demo("lee@fabrikam.example")
	bigTickets(t, e, "lee@fabrikam.example", 100, strings.Repeat("\U0001F600", 15990))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	small := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(4096) // a client that reads nothing, with a small window
		}
		return c, err
	}}}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPClient: small})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	init, _ := json.Marshal(map[string]any{"authorization": "Bearer " + lee})
	if err := wsjson.Write(ctx, conn, wsMsg{Type: "connection_init", Payload: init}); err != nil {
		t.Fatal(err)
	}
	var ack wsMsg
	if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("init: %+v %v", ack, err)
	}
	for i := range 4 {
		if err := wsjson.Write(ctx, conn, subscribeMsg(fmt.Sprint("q", i), `{supportTickets(first:100){edges{node{body}}}}`)); err != nil {
			t.Fatal(err)
		}
	}
	held := e.App.AnswerMemory.Used
	testenv.Eventually(t, 10*time.Second, func() bool { return held() >= 6<<20 }, "the unread answers hold %d bytes", held())
	for range 10 {
		if h := held(); h > 8<<20 {
			t.Fatalf("four unread 6.4 MB answers hold %d bytes, past the caller's 8 MB", h)
		}
		time.Sleep(100 * time.Millisecond)
	}
	conn.CloseNow()
	testenv.Eventually(t, 40*time.Second, func() bool { return held() == 0 }, "after the socket closed, %d bytes still held", held())
}

// An answer the kernel's buffers took whole is not yet taken: it keeps its
// room until the client has read it (an outside recheck left 900 unread
// answers of 2.5 MB in the kernel's buffers, 815 MB no count saw).
func TestAnswerInKernelBuffersIsStillHeld(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.AnswerMemoryMB = 32 })
	lee := e.Demo("lee@fabrikam.example")
	bigTickets(t, e, "lee@fabrikam.example", 30, strings.Repeat("\U0001F600", 15990)) // a 1.9 MB answer
	query, _ := json.Marshal(map[string]any{"query": `{supportTickets(first:30){edges{node{body}}}}`})
	c, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", lee, len(query), query)
	held := e.App.AnswerMemory.Used
	testenv.Eventually(t, 10*time.Second, func() bool { return held() >= 1<<20 }, "the unread answer holds %d bytes", held())
	time.Sleep(time.Second) // long enough for the kernel to have taken what it takes
	if h := held(); h < 1<<20 {
		t.Fatalf("a second on, the unread answer holds %d bytes: given back once the kernel took it", h)
	}
	c.Close()
	testenv.Eventually(t, 10*time.Second, func() bool { return held() == 0 }, "after the client left, %d bytes still held", held())
}
