package socket

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
)

// gqlMsg has the shape of gqlgen's graphqltransportwsMessage (exported ID
// and a string-kinded Type), which wsConn.WriteJSON reads by reflection.
type gqlMsg struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
}

// fakeConn is the inner websocket: the client's messages come from in, the
// server's go to onWrite.
type fakeConn struct {
	in      chan []byte
	proto   string
	onWrite func(gqlMsg)

	mu          sync.Mutex
	closeCode   int
	closeReason string
}

func newFake() *fakeConn {
	return &fakeConn{in: make(chan []byte, 1024), proto: "graphql-transport-ws", onWrite: func(gqlMsg) {}}
}

func (f *fakeConn) NextReader() (int, io.Reader, error) {
	b, ok := <-f.in
	if !ok {
		return 0, nil, io.EOF
	}
	return textMessage, bytes.NewReader(b), nil
}

func (f *fakeConn) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var m gqlMsg
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	f.onWrite(m)
	return nil
}

func (f *fakeConn) WriteClose(code int, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closeCode == 0 {
		f.closeCode, f.closeReason = code, reason
	}
	return nil
}

func (f *fakeConn) closeOf() (int, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closeCode, f.closeReason
}

func (f *fakeConn) Close() error        { return nil }
func (f *fakeConn) Subprotocol() string { return f.proto }

func (f *fakeConn) send(t testing.TB, m any) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	f.in <- b
}

// read returns what gqlgen would read (its id renamed), or the error.
func read(t testing.TB, w *wsConn) (gqlMsg, error) {
	t.Helper()
	_, r, err := w.NextReader()
	if err != nil {
		return gqlMsg{}, err
	}
	var m gqlMsg
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m, nil
}

func mustRead(t testing.TB, w *wsConn) gqlMsg {
	t.Helper()
	m, err := read(t, w)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sub(id string) gqlMsg {
	return gqlMsg{ID: id, Type: "subscribe", Payload: json.RawMessage(`{"query":"{me{email}}"}`)}
}

// unlimited has no rate: the tests of ids are not about budgets.
var unlimited = Limits{MaxFrameBytes: 64 << 10, MaxHeartbeatBytes: 1024}

func initialised(t *testing.T, l Limits) (*fakeConn, *wsConn, *[]gqlMsg, *sync.Mutex) {
	f := newFake()
	var mu sync.Mutex
	var got []gqlMsg
	f.onWrite = func(m gqlMsg) {
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}
	w := newWSConn(f, l, time.Now())
	f.send(t, gqlMsg{Type: "connection_init"})
	if m := mustRead(t, w); m.Type != "connection_init" {
		t.Fatalf("init: %+v", m)
	}
	return f, w, &got, &mu
}

// graphql-transport-ws: a subscribe with an id in use closes the socket with
// 4409 "Subscriber for <id> already exists" — queries included, until the
// server's complete (or error) for it is written, or the client completes it.
func TestDuplicateOperationID(t *testing.T) {
	f, w, got, mu := initialised(t, unlimited)

	f.send(t, sub("a"))
	a := mustRead(t, w)
	if a.ID == "a" || a.ID == "" {
		t.Fatalf("gqlgen should see its own id, got %q", a.ID)
	}
	// A subscribe with id "b" while "a" runs is fine.
	f.send(t, sub("b"))
	b := mustRead(t, w)
	if b.ID == a.ID {
		t.Fatalf("two operations got one id %q", a.ID)
	}
	// The server answers "a" under the client's id; a next does not free it.
	if err := w.WriteJSON(&gqlMsg{ID: a.ID, Type: "next", Payload: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(*got) != 1 || (*got)[0].ID != "a" || (*got)[0].Type != "next" {
		t.Fatalf("the client got %+v, want next for a", *got)
	}
	mu.Unlock()
	if held, _ := w.Operations(); held != 2 {
		t.Fatalf("held ids: %d, want 2", held)
	}
	// The server's complete frees "a": a subscribe "a" after it is a new operation.
	if err := w.WriteJSON(&gqlMsg{ID: a.ID, Type: "complete"}); err != nil {
		t.Fatal(err)
	}
	f.send(t, sub("a"))
	a2 := mustRead(t, w)
	if a2.ID == a.ID || a2.ID == b.ID {
		t.Fatalf("a reused id was given gqlgen's id %q again", a2.ID)
	}
	// The server's error frees it too.
	if err := w.WriteJSON(&gqlMsg{ID: a2.ID, Type: "error", Payload: json.RawMessage(`[]`)}); err != nil {
		t.Fatal(err)
	}
	// A late complete after that error is not sent (the operation ended).
	if err := w.WriteJSON(&gqlMsg{ID: a2.ID, Type: "complete"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if n := len(*got); n != 3 || (*got)[2].Type != "error" || (*got)[2].ID != "a" {
		t.Fatalf("the client got %+v, want next, complete, error for a", *got)
	}
	mu.Unlock()

	// The client's complete frees "b" at once and is passed on under gqlgen's
	// id; nothing more of the old "b" reaches the client, not even its complete.
	f.send(t, gqlMsg{ID: "b", Type: "complete"})
	if m := mustRead(t, w); m.Type != "complete" || m.ID != b.ID {
		t.Fatalf("the client's complete reached gqlgen as %+v, want id %q", m, b.ID)
	}
	f.send(t, sub("b"))
	b2 := mustRead(t, w)
	for _, typ := range []string{"next", "complete"} {
		if err := w.WriteJSON(&gqlMsg{ID: b.ID, Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	if n := len(*got); n != 3 {
		t.Fatalf("the completed b sent %+v", (*got)[3:])
	}
	mu.Unlock()
	if held, running := w.Operations(); held != 1 || running != 1 {
		t.Fatalf("held %d running %d, want only the new b", held, running)
	}

	// A complete for an id the client does not hold is not passed on: the
	// next message is what follows it. Nor can it name gqlgen's own ids.
	f.send(t, gqlMsg{ID: "never", Type: "complete"})
	f.send(t, gqlMsg{ID: b2.ID, Type: "complete"})
	f.send(t, sub("c"))
	if m := mustRead(t, w); m.Type != "subscribe" {
		t.Fatalf("after completes of unknown ids: %+v", m)
	}

	// The duplicate: "b" still runs.
	f.send(t, sub("b"))
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatalf("duplicate subscribe: %v", err)
	}
	if code, reason := f.closeOf(); code != CloseDuplicateID || reason != "Subscriber for b already exists" {
		t.Fatalf("duplicate subscribe closed %d %q", code, reason)
	}
}

// A subscribe's payload carries gqlgen's id under OperationExtension in its
// extensions (what the client put there is overwritten); the operation's end
// hook runs when its complete or error is written, before the client has it.
func TestOperationExtension(t *testing.T) {
	f, w, got, mu := initialised(t, unlimited)
	for _, payload := range []string{
		`{"query":"{me{email}}"}`,
		`{"query":"{me{email}}","extensions":null}`,
		`{"query":"{me{email}}","extensions":{"persistedQuery":{"version":1},"certlinkSocketOperation":"7"}}`,
	} {
		f.send(t, gqlMsg{ID: "a", Type: "subscribe", Payload: json.RawMessage(payload)})
		m := mustRead(t, w)
		var p struct {
			Extensions map[string]any `json:"extensions"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil || p.Extensions[OperationExtension] != m.ID {
			t.Fatalf("%s reached gqlgen as %s (id %s)", payload, m.Payload, m.ID)
		}
		if strings.Contains(payload, "persistedQuery") && p.Extensions["persistedQuery"] == nil {
			t.Fatalf("the client's extensions were lost: %s", m.Payload)
		}
		ended := false
		if !w.onEnd(m.ID, func() {
			mu.Lock()
			defer mu.Unlock()
			ended = len(*got) == 0 || (*got)[len(*got)-1].Type != "complete"
		}) {
			t.Fatal("onEnd: no such operation")
		}
		if err := w.WriteJSON(&gqlMsg{ID: m.ID, Type: "complete"}); err != nil {
			t.Fatal(err)
		}
		if !ended {
			t.Fatal("the end hook did not run before the complete was written")
		}
		mu.Lock()
		*got = nil
		mu.Unlock()
	}
	// A payload (or extensions) named twice in different letter cases is refused.
	f.in <- []byte(`{"type":"subscribe","id":"b","payload":{"query":"{me{email}}"},"Payload":{"query":"{me{name}}"}}`)
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatalf("two payloads: %v", err)
	}
	if code, reason := f.closeOf(); code != CloseInvalidMessage || !strings.Contains(reason, "twice") {
		t.Fatalf("two payloads closed %d %q", code, reason)
	}
}

// A subscribe whose payload gqlgen could not decode is answered by the
// socket with an error coded INVALID_INPUT (gqlgen's own has no code); its id
// is not held.
func TestUndecodablePayload(t *testing.T) {
	f, w, got, mu := initialised(t, unlimited)
	for _, p := range []string{`"x"`, `[]`, `{"query":1}`, `{"query":"{me{email}}","extensions":"x"}`, `{"variables":[1]}`} {
		f.send(t, gqlMsg{ID: "p", Type: "subscribe", Payload: json.RawMessage(p)})
	}
	f.in <- []byte(`{"type":"subscribe","id":"p"}`) // no payload
	f.send(t, sub("p"))
	if m := mustRead(t, w); m.Type != "subscribe" || m.ID == "p" {
		t.Fatalf("after the bad payloads: %+v", m)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(*got) != 6 {
		t.Fatalf("%d answers to 6 bad payloads: %+v", len(*got), *got)
	}
	for _, m := range *got {
		if m.Type != "error" || m.ID != "p" || !strings.Contains(string(m.Payload), `"code":"INVALID_INPUT"`) {
			t.Fatalf("answer: %+v", m)
		}
	}
}

// The id is renamed whatever the letter case of its key (encoding/json
// matches keys without regard to case, and the last one wins).
func TestOperationIDKeyCase(t *testing.T) {
	f, w, _, _ := initialised(t, unlimited)
	f.in <- []byte(`{"type":"subscribe","ID":"x","Id":"y","payload":{"query":"{me{email}}"},"id":"z"}`)
	m := mustRead(t, w)
	if m.ID != "1" {
		t.Fatalf("gqlgen's id: %q", m.ID)
	}
	// The client holds "z" (what gqlgen and the check both read).
	f.send(t, sub("z"))
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatalf("z again: %v", err)
	}
}

// A long id is shortened in the close reason to fit RFC 6455's 123 bytes.
func TestDuplicateReasonFits(t *testing.T) {
	f, w, _, _ := initialised(t, unlimited)
	id := strings.Repeat("é", maxIDBytes/2)
	f.send(t, sub(id))
	mustRead(t, w)
	f.send(t, sub(id))
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatal(err)
	}
	code, reason := f.closeOf()
	if code != CloseDuplicateID || len(reason) > maxCloseReason || !strings.HasPrefix(reason, "Subscriber for éé") ||
		!strings.HasSuffix(reason, "… already exists") {
		t.Fatalf("close %d %q (%d bytes)", code, reason, len(reason))
	}
}

// graphql-transport-ws: a subscribe before connection_init closes with 4401,
// a second connection_init with 4429.
func TestInitOrder(t *testing.T) {
	f := newFake()
	w := newWSConn(f, unlimited, time.Now())
	f.send(t, sub("early"))
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatal(err)
	}
	if code, reason := f.closeOf(); code != CloseUnauthenticated || reason != "Unauthorized" {
		t.Fatalf("subscribe before init: %d %q", code, reason)
	}
	f, w, _, _ = initialised(t, unlimited)
	f.send(t, gqlMsg{Type: "connection_init"})
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatal(err)
	}
	if code, reason := f.closeOf(); code != CloseRateLimited || reason != "Too many initialisation requests" {
		t.Fatalf("second init: %d %q", code, reason)
	}
}

// Before connection_init a message is at most maxInitBytes: a 64 KB
// connection_init of 6,500 names cost 61 ms to read, uncharged (review);
// a token's is read as before.
func TestMessagesBeforeInitAreSmall(t *testing.T) {
	f := newFake()
	w := newWSConn(f, unlimited, time.Now())
	var payload strings.Builder
	payload.WriteString(`{"k0":1`)
	for i := 1; payload.Len() < 60<<10; i++ {
		fmt.Fprintf(&payload, `,"k%d":1`, i)
	}
	payload.WriteString("}")
	f.send(t, gqlMsg{Type: "connection_init", Payload: json.RawMessage(payload.String())})
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatal(err)
	}
	if code, reason := f.closeOf(); code != CloseInvalidMessage || !strings.Contains(reason, "before connection_init") {
		t.Fatalf("a 60 KB connection_init: %d %q", code, reason)
	}
	f = newFake()
	w = newWSConn(f, unlimited, time.Now())
	f.send(t, gqlMsg{Type: "connection_init", Payload: json.RawMessage(`{"authorization":"Bearer ` + strings.Repeat("t", 2000) + `"}`)})
	if _, err := read(t, w); err != nil {
		t.Fatalf("a token's connection_init: %v", err)
	}
}

// Protocol pings and pongs have their own bucket and a payload bound: each
// ping costs a pong written back.
func TestHeartbeatBudget(t *testing.T) {
	l := unlimited
	l.HeartbeatsPerSecond, l.HeartbeatBurst = 1, 5
	for _, typ := range []string{"ping", "pong"} {
		f, w, _, _ := initialised(t, l)
		var err error
		n := 0
		for ; n < 100 && err == nil; n++ {
			f.send(t, gqlMsg{Type: typ})
			_, err = read(t, w)
		}
		// The burst, and at most a token or two refilled while the test ran.
		if !errors.Is(err, errFlood) || n > l.HeartbeatBurst+3 {
			t.Fatalf("%s flood: %v after %d", typ, err, n)
		}
		if code, reason := f.closeOf(); code != CloseRateLimited || !strings.HasPrefix(reason, "RATE_LIMITED") {
			t.Fatalf("%s flood closed %d %q", typ, code, reason)
		}
	}
	f, w, _, _ := initialised(t, l)
	f.send(t, gqlMsg{Type: "ping", Payload: json.RawMessage(`{"x":"` + strings.Repeat("y", 2000) + `"}`)})
	if _, err := read(t, w); !errors.Is(err, errInvalid) {
		t.Fatal(err)
	}
	if code, reason := f.closeOf(); code != CloseInvalidMessage || !strings.Contains(reason, "at most 1024 bytes") {
		t.Fatalf("big ping: %d %q", code, reason)
	}
}

// Control frames: past the bucket no pong is written and the socket is
// closed with 1008, once; every later frame is refused without a write.
func TestControlBudget(t *testing.T) {
	f := newFake()
	ws := newWSConn(f, unlimited, time.Now())
	c := &control{bucket: newBucket(2, 20, time.Now()), ws: ws}
	o := c.hook(coderws.AcceptOptions{})
	pongs := 0
	for i := 0; i < 5000; i++ {
		if o.OnPingReceived(t.Context(), bytes.Repeat([]byte{'p'}, 125)) {
			pongs++
		}
		o.OnPongReceived(t.Context(), nil)
	}
	if pongs > 11 { // 20 tokens shared by pings and pongs, plus a refill or two
		t.Fatalf("%d pongs for 5000 pings", pongs)
	}
	if code, reason := f.closeOf(); code != ClosePolicyViolation || !strings.HasPrefix(reason, "RATE_LIMITED") {
		t.Fatalf("control flood closed %d %q", code, reason)
	}
}

// The race of item 1: many operations on one socket reuse their ids the
// moment the server's complete arrives (or right after completing them),
// while the operations' goroutines write concurrently. No subscribe is ever
// refused as a duplicate; no message of an ended operation reaches the
// client; every id is freed. Run with -race.
func TestIDReuseRace(t *testing.T) {
	f := newFake()
	w := newWSConn(f, unlimited, time.Now())
	const workers, rounds = 16, 200
	inbox := make([]chan gqlMsg, workers)
	for i := range inbox {
		inbox[i] = make(chan gqlMsg, 16)
	}
	f.onWrite = func(m gqlMsg) {
		var i int
		if _, err := fmt.Sscanf(m.ID, "w%d", &i); err != nil {
			t.Errorf("the client got gqlgen's id: %+v", m)
			return
		}
		inbox[i] <- m
		if m.Type == "complete" {
			// The client holds the complete while the write returns: a
			// network's latency, which makes the window of the race wide.
			time.Sleep(200 * time.Microsecond)
		}
	}
	// The server: one reader, a goroutine per operation (as gqlgen).
	// A query answers next then complete; a subscription answers next and
	// runs until the client completes it, then writes its complete.
	served := make(chan struct{})
	cancels := map[string]chan struct{}{}
	var opWG sync.WaitGroup
	go func() {
		defer close(served)
		for {
			m, err := read(t, w)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					code, reason := f.closeOf()
					t.Errorf("read: %v (close %d %q)", err, code, reason)
				}
				return
			}
			switch m.Type {
			case "subscribe":
				id := m.ID
				stop := make(chan struct{})
				cancels[id] = stop
				long := strings.Contains(string(m.Payload), "subscription")
				opWG.Add(1)
				go func() {
					defer opWG.Done()
					_ = w.WriteJSON(&gqlMsg{ID: id, Type: "next", Payload: json.RawMessage(`{}`)})
					if long {
						<-stop
						_ = w.WriteJSON(&gqlMsg{ID: id, Type: "next", Payload: json.RawMessage(`{"late":1}`)})
					}
					_ = w.WriteJSON(&gqlMsg{ID: id, Type: "complete"})
				}()
			case "complete":
				if stop := cancels[m.ID]; stop != nil {
					close(stop)
					delete(cancels, m.ID)
				}
			}
		}
	}()
	f.send(t, gqlMsg{Type: "connection_init"})
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("w%d", i)
			expect := func(typ string) {
				select {
				case m := <-inbox[i]:
					if m.Type != typ {
						t.Errorf("%s: got %s %s, want %s", id, m.Type, m.Payload, typ)
					}
				case <-time.After(5 * time.Second):
					t.Errorf("%s: no %s", id, typ)
				}
			}
			for r := 0; r < rounds && !t.Failed(); r++ {
				if r%2 == 0 { // a query: reuse the id once its complete arrived
					f.send(t, sub(id))
					expect("next")
					expect("complete")
					continue
				}
				// A subscription: complete it and reuse the id at once.
				f.send(t, gqlMsg{ID: id, Type: "subscribe", Payload: json.RawMessage(`{"query":"subscription{x}"}`)})
				expect("next")
				f.send(t, gqlMsg{ID: id, Type: "complete"})
			}
		}()
	}
	wg.Wait()
	close(f.in)
	<-served
	for _, stop := range cancels { // only when the reader stopped early
		close(stop)
	}
	opWG.Wait()
	for i := range inbox {
		select {
		case m := <-inbox[i]:
			t.Errorf("w%d: a message after the last round: %+v", i, m)
		default:
		}
	}
	if held, running := w.Operations(); held != 0 || running != 0 {
		t.Fatalf("after every operation ended: %d ids held, %d operations", held, running)
	}
	if code, reason := f.closeOf(); code != 0 {
		t.Fatalf("closed %d %q", code, reason)
	}
}
