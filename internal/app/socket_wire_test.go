package app_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"certlink/internal/app"
	"certlink/internal/socket"
	"certlink/internal/testenv"
)

// progressSubscribed opens a socket signed in with tok whose subscription
// "s" to competencyProgressChanged has sent its first answer.
func progressSubscribed(t *testing.T, e *testenv.Env, tok string) (*wsClient, *ops) {
	t.Helper()
	c := bearerWS(t, e, tok)
	o := readOps(c)
	send(t, c, subscribeMsg("s", `subscription{competencyProgressChanged{status}}`))
	if m := o.next(t, "s", 10*time.Second); m.Type != "next" {
		t.Fatalf("subscription: %s %s", m.Type, m.Payload)
	}
	return c, o
}

// graphql-transport-ws: a subscribe whose id names a running operation
// closes the socket with 4409 "Subscriber for <id> already exists".
func TestSocketDuplicateID(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	c, o := progressSubscribed(t, e, mona)
	send(t, c, subscribeMsg("s", `{me{email}}`))
	<-o.closed
	var ce websocket.CloseError
	if !errors.As(o.err, &ce) || ce.Code != socket.CloseDuplicateID || ce.Reason != "Subscriber for s already exists" {
		t.Fatalf("duplicate id: %v", o.err)
	}
	testenv.Eventually(t, 10*time.Second, func() bool {
		return e.App.Sockets.Sockets() == 0 && e.App.Sockets.Accounts() == 0 && e.App.Live.Subscribers() == 0
	}, "the closed socket left %d sockets, %d accounts, %d subscribers", e.App.Sockets.Sockets(), e.App.Sockets.Accounts(), e.App.Live.Subscribers())
}

// Ids are reused the moment they are free, by several operations at once on
// one socket: a query's id once its complete arrived, a subscription's right
// after the client completed it. None is refused as a duplicate, and nothing
// of an ended operation reaches the client (no stray next or complete under
// the reused id). Run with -race.
func TestSocketIDReuse(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	// The message rate is not what this tests (TestSocketFlood does).
	e.App.Sockets.Limits.MessagesPerSecond = 0
	mona := e.Demo("mona@contoso.example")
	c := bearerWS(t, e, mona)
	o := readOps(c)
	const workers, rounds = 5, 12 // 5 × at most 2 in flight: under the 10 a socket may run
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint("op", w)
			for r := 0; r < rounds && !t.Failed(); r++ {
				q := `{me{email}}`
				if r%2 == 1 {
					q = `subscription{capabilityScoreChanged{name points}}`
				}
				if err := wsjson.Write(c.ctx, c.conn, subscribeMsg(id, q)); err != nil {
					t.Error(err)
					return
				}
				m := o.next(t, id, 30*time.Second)
				if m.Type != "next" || strings.Contains(string(m.Payload), `"errors"`) {
					t.Errorf("%s round %d: %s %s", id, r, m.Type, m.Payload)
					return
				}
				if r%2 == 0 {
					if m := o.next(t, id, 30*time.Second); m.Type != "complete" {
						t.Errorf("%s round %d: %s %s, want complete", id, r, m.Type, m.Payload)
						return
					}
					continue
				}
				if err := wsjson.Write(c.ctx, c.conn, wsMsg{ID: id, Type: "complete"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	testenv.Eventually(t, 10*time.Second, func() bool { return e.App.Live.Subscribers() == 0 },
		"completed subscriptions left %d hub subscribers", e.App.Live.Subscribers())
	// A change now would reach a subscription left running under a reused id
	// (published once the server has processed every complete: one it had
	// not read yet may rightly still get a next).
	e.App.Live.Publish(orgOf(t, e, "mona@contoso.example"))
	time.Sleep(300 * time.Millisecond)
	for w := 0; w < workers; w++ {
		select {
		case m := <-o.ch(fmt.Sprint("op", w)):
			t.Errorf("op%d: after its last round: %s %s", w, m.Type, m.Payload)
		default:
		}
	}
	send(t, c, subscribeMsg("op0", `{me{email}}`))
	if m := o.next(t, "op0", 10*time.Second); m.Type != "next" {
		t.Fatalf("after the rounds: %s %s", m.Type, m.Payload)
	}
}

// graphql-transport-ws's order: a subscribe before connection_init closes
// with 4401, a second connection_init with 4429; a ping with a huge payload
// with 4400.
func TestSocketProtocolOrder(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	conn := rawWS(t, e, nil)
	_ = wsjson.Write(context.Background(), conn, subscribeMsg("early", `{me{email}}`))
	if code, reason := closeOf(t, conn, 10*time.Second); code != socket.CloseUnauthenticated || reason != "Unauthorized" {
		t.Fatalf("subscribe before init: %d %q", code, reason)
	}
	// A document that does not validate: an "error" message (a protocol
	// error, as gqlgen sends it), coded INVALID_INPUT (A5).
	c := bearerWS(t, e, mona)
	o := readOps(c)
	send(t, c, subscribeMsg("bad", `{nope}`))
	if m := o.next(t, "bad", 10*time.Second); m.Type != "error" || !strings.Contains(string(m.Payload), `"code":"INVALID_INPUT"`) ||
		!strings.Contains(string(m.Payload), `"graphqlCode":"GRAPHQL_VALIDATION_FAILED"`) {
		t.Fatalf("invalid document: %s %s", m.Type, m.Payload)
	}
	c.conn.CloseNow()
	c = bearerWS(t, e, mona)
	send(t, c, wsMsg{Type: "connection_init"})
	if code, reason := closeOf(t, c.conn, 10*time.Second); code != socket.CloseRateLimited || reason != "Too many initialisation requests" {
		t.Fatalf("second init: %d %q", code, reason)
	}
	c = bearerWS(t, e, mona)
	send(t, c, wsMsg{Type: "ping", Payload: json.RawMessage(`{"pad":"` + strings.Repeat("x", 4000) + `"}`)})
	if code, reason := closeOf(t, c.conn, 10*time.Second); code != socket.CloseInvalidMessage || !strings.Contains(reason, "at most") {
		t.Fatalf("huge ping payload: %d %q", code, reason)
	}
	// Unsolicited pongs count like pings.
	c = bearerWS(t, e, mona)
	go func() {
		for i := 0; i < 2000; i++ {
			if wsjson.Write(context.Background(), c.conn, wsMsg{Type: "pong"}) != nil {
				return
			}
		}
	}()
	if code, reason := closeOf(t, c.conn, 20*time.Second); code != socket.CloseRateLimited || !strings.HasPrefix(reason, "RATE_LIMITED") {
		t.Fatalf("pong flood: %d %q", code, reason)
	}
}

// ---- a websocket client by hand: what a hostile one writes, frame by frame

type rawSocket struct {
	conn net.Conn
	r    *bufio.Reader
}

// dialRaw upgrades a TCP connection to a graphql-transport-ws websocket.
func dialRaw(t *testing.T, e *testenv.Env) *rawSocket {
	t.Helper()
	host := strings.TrimPrefix(e.URL, "http://")
	conn, err := net.DialTimeout("tcp", host, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /graphql HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n", host)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %s", resp.Status)
	}
	return &rawSocket{conn: conn, r: r}
}

const (
	opText  = 1
	opClose = 8
	opPing  = 9
	opPong  = 10
)

// frame writes one masked frame (a client's frames are masked).
func (s *rawSocket) frame(op byte, payload []byte) error {
	h := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		h = append(h, 0x80|byte(n))
	case n < 1<<16:
		h = append(h, 0x80|126, byte(n>>8), byte(n))
	default:
		h = append(h, 0x80|127)
		h = binary.BigEndian.AppendUint64(h, uint64(n))
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	h = append(h, key[:]...)
	masked := make([]byte, len(payload))
	for i, b := range payload {
		masked[i] = b ^ key[i%4]
	}
	_, err := s.conn.Write(append(h, masked...))
	return err
}

// read returns the next frame from the server (unmasked).
func (s *rawSocket) read() (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(s.r, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(s.r, b[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(s.r, b[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(s.r, payload)
	return h[0] & 0x0f, payload, err
}

// signIn sends connection_init with the bearer token and reads the ack.
func (s *rawSocket) signIn(t *testing.T, tok string) {
	t.Helper()
	b, _ := json.Marshal(wsMsg{Type: "connection_init", Payload: json.RawMessage(`{"authorization":"Bearer ` + tok + `"}`)})
	if err := s.frame(opText, b); err != nil {
		t.Fatal(err)
	}
	if op, p, err := s.read(); err != nil || op != opText || !strings.Contains(string(p), "connection_ack") {
		t.Fatalf("init: %d %s %v", op, p, err)
	}
}

// untilClose reads frames until the server's close frame, counting pongs.
func (s *rawSocket) untilClose(t *testing.T) (code int, reason string, pongs int) {
	t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		op, p, err := s.read()
		if err != nil {
			t.Fatalf("no close frame (%d pongs): %v", pongs, err)
		}
		switch op {
		case opPong:
			pongs++
		case opClose:
			if len(p) >= 2 {
				return int(binary.BigEndian.Uint16(p)), string(p[2:]), pongs
			}
			return 0, "", pongs
		}
	}
}

// A flood of RFC 6455 ping frames (the largest a control frame may carry,
// 125 bytes) or of unsolicited pongs, before or after connection_init: past
// the control bucket no pong is written and the socket is closed with 1008.
// A client pinging now and then is answered; the server serves afterwards.
func TestSocketControlFrameFlood(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	l := socket.DefaultLimits
	big := []byte(strings.Repeat("p", 125))
	for _, tc := range []struct {
		name string
		op   byte
		init bool
	}{{"pings after init", opPing, true}, {"pings before init", opPing, false}, {"unsolicited pongs", opPong, true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := dialRaw(t, e)
			if tc.init {
				s.signIn(t, mona)
			}
			go func() {
				for i := 0; i < 5000; i++ {
					if s.frame(tc.op, big) != nil {
						return
					}
				}
			}()
			code, reason, pongs := s.untilClose(t)
			if code != socket.ClosePolicyViolation || !strings.HasPrefix(reason, "RATE_LIMITED") {
				t.Fatalf("close %d %q", code, reason)
			}
			if max := l.ControlBurst + 5; pongs > max {
				t.Fatalf("%d pongs written, more than the bucket's %d", pongs, max)
			}
		})
	}
	// A client that pings now and then is answered.
	c := bearerWS(t, e, mona)
	go func() { // coder answers pings only while reading
		for {
			if _, _, err := c.conn.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := c.conn.Ping(ctx)
		cancel()
		if err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
	}
	if r := e.Do(mona, `{me{email}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("after the floods: %+v", r.Errors)
	}
	testenv.Eventually(t, 10*time.Second, func() bool { return e.App.Sockets.Sockets() <= 1 },
		"flooded sockets left open: %d", e.App.Sockets.Sockets())
}

// The older graphql-ws protocol (subscriptions-transport-ws) gets the same
// ids: answers under the client's id, a start whose id runs closes with 4409.
func TestSocketLegacyProtocolIDs(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	write := func(m wsMsg) {
		if err := wsjson.Write(ctx, conn, m); err != nil {
			t.Fatal(err)
		}
	}
	read := func() wsMsg {
		for {
			var m wsMsg
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type != "ka" {
				return m
			}
		}
	}
	write(wsMsg{Type: "connection_init", Payload: json.RawMessage(`{"authorization":"Bearer ` + mona + `"}`)})
	if m := read(); m.Type != "connection_ack" {
		t.Fatalf("init: %+v", m)
	}
	start := func(id, q string) {
		p, _ := json.Marshal(map[string]any{"query": q})
		write(wsMsg{ID: id, Type: "start", Payload: p})
	}
	for round := 0; round < 3; round++ { // an id reused once its complete arrived
		start("1", `{me{email}}`)
		if m := read(); m.Type != "data" || m.ID != "1" || !strings.Contains(string(m.Payload), "mona@contoso.example") {
			t.Fatalf("round %d: %+v", round, m)
		}
		if m := read(); m.Type != "complete" || m.ID != "1" {
			t.Fatalf("round %d: %+v, want complete", round, m)
		}
	}
	start("s", `subscription{capabilityScoreChanged{name}}`)
	if m := read(); m.Type != "data" || m.ID != "s" {
		t.Fatalf("subscription: %+v", m)
	}
	write(wsMsg{ID: "s", Type: "stop"})
	start("s", `subscription{capabilityScoreChanged{name}}`)
	if m := read(); m.Type != "data" || m.ID != "s" {
		t.Fatalf("stopped and started again: %+v", m)
	}
	start("s", `{me{email}}`)
	if code, reason := closeOf(t, conn, 10*time.Second); code != socket.CloseDuplicateID || reason != "Subscriber for s already exists" {
		t.Fatalf("duplicate start: %d %q", code, reason)
	}
}

// At the cap of operations per socket, a client that got an operation's
// complete has its slot back at once: the slot is given back before the
// complete is written, not when the operation's goroutine ends after it.
func TestSocketSlotFreedBeforeComplete(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	e.App.Sockets.Limits.MessagesPerSecond = 0      // not what this tests
	e.App.Sockets.Limits.MaxViewerSubscriptions = 0 // subscriptions hold the slots
	l := socket.DefaultLimits
	mona := e.Demo("mona@contoso.example")
	c := bearerWS(t, e, mona)
	o := readOps(c)
	for i := 0; i < l.MaxOperations-1; i++ {
		id := fmt.Sprint("hold", i)
		send(t, c, subscribeMsg(id, `subscription{capabilityScoreChanged{name}}`))
		if m := o.next(t, id, 10*time.Second); m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
			t.Fatalf("%s: %s %s", id, m.Type, m.Payload)
		}
	}
	for round := 0; round < 40; round++ {
		send(t, c, subscribeMsg("q", `{me{email}}`))
		if m := o.next(t, "q", 10*time.Second); m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
			t.Fatalf("round %d at the cap: %s %s", round, m.Type, m.Payload)
		}
		if m := o.next(t, "q", 10*time.Second); m.Type != "complete" {
			t.Fatalf("round %d: %s %s, want complete", round, m.Type, m.Payload)
		}
	}
	// The cap itself holds: one more subscription next to a running query…
	send(t, c, subscribeMsg("last", `subscription{capabilityScoreChanged{name}}`))
	if m := o.next(t, "last", 10*time.Second); m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
		t.Fatalf("the tenth: %s %s", m.Type, m.Payload)
	}
	send(t, c, subscribeMsg("over", `{me{email}}`))
	if m := o.next(t, "over", 10*time.Second); !strings.Contains(string(m.Payload), `"code":"RATE_LIMITED"`) {
		t.Fatalf("the eleventh: %s %s", m.Type, m.Payload)
	}
}

// A client that stops reading while its answers keep coming: once a write
// has waited WriteTimeout for the client to take it, the socket is closed and
// everything it held is let go (outside review: a socket that never read kept
// 2 MB of answers queued and its goroutines for more than 600 s).
func TestSocketClientThatStopsReading(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	e.App.Sockets.Limits.MessagesPerSecond = 0 // not what this tests
	e.App.Sockets.Limits.WriteTimeout = time.Second
	mona := e.Demo("mona@contoso.example")
	s := dialRaw(t, e)
	if tc, ok := s.conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(1024)
	}
	s.signIn(t, mona)
	// The schema's introspection: some hundred KB an answer, never read.
	const big = `{__schema{types{name description fields{name description args{name description}}}}}`
	stop := time.Now().Add(20 * time.Second)
	for i := 0; e.App.Sockets.Sockets() > 0; i++ {
		if time.Now().After(stop) {
			t.Fatalf("a socket whose client stopped reading is still open after 20 s (%d operations sent)", i)
		}
		b, _ := json.Marshal(wsMsg{ID: fmt.Sprint("q", i), Type: "subscribe", Payload: json.RawMessage(`{"query":` + strconv.Quote(big) + `}`)})
		if s.frame(opText, b) != nil {
			break // the server closed it
		}
		time.Sleep(20 * time.Millisecond)
	}
	testenv.Eventually(t, 10*time.Second, func() bool { return e.App.Sockets.Sockets() == 0 },
		"the socket whose client stopped reading is still open")
	if r := e.Do(mona, `{me{email}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("after: %+v", r.Errors)
	}
}

// A binary frame is not a message of either protocol (JSON in text frames):
// the socket is closed with 1003, not the frame read as text (outside
// review: a binary ping got a pong).
func TestSocketBinaryFrameRefused(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	s := dialRaw(t, e)
	if err := s.frame(2, []byte(`{"type":"connection_init"}`)); err != nil {
		t.Fatal(err)
	}
	if code, reason, _ := s.untilClose(t); code != socket.CloseUnsupportedData || !strings.HasPrefix(reason, "INVALID_INPUT") {
		t.Fatalf("binary frame: close %d %q, want 1003", code, reason)
	}
}

// A message that gives a name twice, or a payload that spells query or
// variables otherwise, is refused (4400) as the same request over HTTP is:
// which of the two counts is left open.
func TestSocketAmbiguousMessagesRefused(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	for name, msg := range map[string]string{
		"query twice":      `{"id":"1","type":"subscribe","payload":{"query":"{me{email}}","query":"mutation{signOut{signedOut}}"}}`,
		"QUERY":            `{"id":"1","type":"subscribe","payload":{"query":"{me{email}}","QUERY":"mutation{signOut{signedOut}}"}}`,
		"a variable twice": `{"id":"1","type":"subscribe","payload":{"query":"{me{email}}","variables":{"a":1,"a":2}}}`,
		"id twice":         `{"id":"1","id":"2","type":"subscribe","payload":{"query":"{me{email}}"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := dialRaw(t, e)
			s.signIn(t, mona)
			if err := s.frame(opText, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			if code, reason, _ := s.untilClose(t); code != socket.CloseInvalidMessage || !strings.Contains(reason, "twice") {
				t.Fatalf("close %d %q, want 4400", code, reason)
			}
		})
	}
}

// A frame whose header declares more than a message may hold is closed 1009
// at once, before its payload: a review declared 2^63-1 bytes (and 70,000)
// and sent nothing more, and the socket stayed open, waiting for them. A
// message within the limit, split over frames, still goes through.
func TestSocketDeclaredOversizeFrameClosedAtOnce(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	for _, declared := range []uint64{1<<63 - 1, 70_000} {
		t.Run(fmt.Sprint(declared), func(t *testing.T) {
			s := dialRaw(t, e)
			s.signIn(t, mona)
			h := []byte{0x80 | opText, 0x80 | 127}
			h = binary.BigEndian.AppendUint64(h, declared)
			h = append(h, 1, 2, 3, 4) // the mask key; no payload follows
			if _, err := s.conn.Write(h); err != nil {
				t.Fatal(err)
			}
			_ = s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			op, p, err := s.read()
			if err != nil || op != opClose || len(p) < 2 || binary.BigEndian.Uint16(p) != 1009 {
				t.Fatalf("after a header declaring %d bytes: op %d %q %v, want close 1009 at once", declared, op, p, err)
			}
		})
	}
	// Within the limit, in two frames: answered.
	s := dialRaw(t, e)
	b, _ := json.Marshal(wsMsg{Type: "connection_init", Payload: json.RawMessage(`{"authorization":"Bearer ` + mona + `"}`)})
	half := len(b) / 2
	key := []byte{9, 8, 7, 6}
	mask := func(p []byte) []byte {
		out := make([]byte, len(p))
		for i := range p {
			out[i] = p[i] ^ key[i%4]
		}
		return out
	}
	first := append([]byte{opText, 0x80 | byte(half)}, key...)
	second := append([]byte{0x80, 0x80 | byte(len(b)-half)}, key...)
	if _, err := s.conn.Write(append(append(first, mask(b[:half])...), append(second, mask(b[half:])...)...)); err != nil {
		t.Fatal(err)
	}
	if op, p, err := s.read(); err != nil || op != opText || !strings.Contains(string(p), "connection_ack") {
		t.Fatalf("a fragmented init: %d %s %v", op, p, err)
	}
}

// At the --max-conns cap a websocket that has not signed in yet is taken
// like an idle connection, and a signed-in one never is (a review filled the
// cap with upgrades that never sent connection_init and every new
// connection was refused). Here the signed-in socket is the oldest: the
// pending one goes, and the signed-in one still answers.
func TestSocketCapTakesPendingNotSignedIn(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.MaxConns = 2 })
	mona := e.Demo("mona@contoso.example")
	http.DefaultClient.CloseIdleConnections() // the cap holds the two sockets only
	signed := bearerWS(t, e, mona)
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	dialRaw(t, e) // upgraded, no connection_init
	time.Sleep(1200 * time.Millisecond)
	if res, _ := e.Get("", "/healthz"); res.StatusCode != 200 {
		t.Fatalf("a new client at the cap: %d", res.StatusCode)
	}
	signed.subscribe("s", `subscription{competencyProgressChanged{status}}`)
	if m, err := signed.next(10 * time.Second); err != nil || m.Type != "next" {
		t.Fatalf("the signed-in socket after a new client took the cap's room: %+v %v", m, err)
	}
}

// A review invited 505 accounts, left them on their temporary passwords and
// opened 20 signed-in sockets for each from 53 addresses: 10,000 sockets the
// connection cap never takes, and nobody of any organization could connect.
// A socket of a session still holding a temporary password (which may
// subscribe to nothing) is now taken at the cap like an idle connection.
func TestSocketCapTakesTemporaryPasswordSockets(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.MaxConns = 2 })
	grace := e.Demo("grace@contoso.example")
	mona := e.Demo("mona@contoso.example")
	var inv struct {
		InviteUser struct{ TemporaryPassword string }
	}
	e.Do(grace, `mutation{inviteUser(input:{email:"casey@contoso.example",name:"Casey Jones",roles:[MPN_PARTNER_ADMIN]}){temporaryPassword}}`, nil).Decode(t, &inv)
	temp := e.SignIn("casey@contoso.example", inv.InviteUser.TemporaryPassword)
	// The cap holds the two sockets only: the server lets the test's closed
	// keep-alive connections go when it notices, a moment later.
	dial := func(tok string) *wsClient {
		for deadline := time.Now().Add(10 * time.Second); ; {
			http.DefaultClient.CloseIdleConnections()
			c, err := dialWS(t, e, nil, map[string]any{"authorization": "Bearer " + tok})
			if err == nil {
				return c
			}
			if time.Now().After(deadline) {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	signed := dial(mona)
	dial(temp)
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(1200 * time.Millisecond)
	if res, _ := e.Get("", "/healthz"); res.StatusCode != 200 {
		t.Fatalf("a new client at the cap held by a signed-in and a temporary-password socket: %d", res.StatusCode)
	}
	signed.subscribe("s", `subscription{competencyProgressChanged{status}}`)
	if m, err := signed.next(10 * time.Second); err != nil || m.Type != "next" {
		t.Fatalf("the signed-in socket after a new client took the cap's room: %+v %v", m, err)
	}
}

// A slow body on any path stalls its connection like one on /graphql: a
// review trickled bodies into POST /healthz (and /graphql as text/plain,
// /ingest without a token) from 10 addresses × 6 and every new connection
// was refused at --max-conns. Such a connection is taken for a new one.
func TestSlowBodyOnAnyPathIsTakenAtTheCap(t *testing.T) {
	for _, path := range []string{"/healthz", "/ingest", "/graphql"} {
		t.Run(path, func(t *testing.T) {
			e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.MaxConns = 2 })
			host := strings.TrimPrefix(e.URL, "http://")
			http.DefaultClient.CloseIdleConnections()
			time.Sleep(200 * time.Millisecond)
			for range 2 {
				conn, err := net.DialTimeout("tcp", host, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close() })
				fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n0123456789", path, host)
			}
			time.Sleep(1500 * time.Millisecond)
			served := false
			for deadline := time.Now().Add(5 * time.Second); !served && time.Now().Before(deadline); {
				res, err := http.Get(e.URL + "/healthz")
				if err == nil {
					served = res.StatusCode == http.StatusOK
					res.Body.Close()
				}
				if !served {
					time.Sleep(200 * time.Millisecond)
				}
			}
			if !served {
				t.Fatalf("a new client at a cap held by two slow bodies to %s was refused", path)
			}
		})
	}
}

// TestShutdownTellsSocketsToReconnect: a process that stops closes its
// websockets with 1001 (going away), so their clients reconnect; before,
// http.Server.Shutdown left hijacked sockets to drop with the process and
// clients saw 1006 with no reason (a review's subscription at SIGTERM).
func TestShutdownTellsSocketsToReconnect(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	_, o := progressSubscribed(t, e, mona)
	// Sockets still without connection_init: signed in by the upgrade's
	// bearer (a re-attack review's was dropped, 1006), and anonymous.
	pending := []*websocket.Conn{rawWS(t, e, http.Header{"Authorization": {"Bearer " + mona}}), rawWS(t, e, nil)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Server.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for i, p := range pending {
		// Well inside the 5 s init timeout, which would close them 4408.
		if code, _ := closeOf(t, p, 3*time.Second); code != socket.CloseGoingAway {
			t.Fatalf("pending socket %d closed %d, want %d (going away)", i, code, socket.CloseGoingAway)
		}
	}
	select {
	case <-o.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the socket was not closed at shutdown")
	}
	var ce websocket.CloseError
	if !errors.As(o.err, &ce) || ce.Code != socket.CloseGoingAway {
		t.Fatalf("closed with %v, want %d (going away)", o.err, socket.CloseGoingAway)
	}
	if n := e.App.Sockets.Sockets(); n != 0 {
		t.Fatalf("%d sockets still registered", n)
	}
}
