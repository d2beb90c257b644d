package socket

// The websocket implementation under gqlgen's transport: read limits, the
// message, heartbeat and control-frame budgets, the protocol's operation ids,
// closes with a code.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"

	"certlink/internal/web"
)

type holderKey struct{}

type holder struct {
	ws  *wsConn
	adm *Admission
	// settle marks the connection signed in at the listener's cap (nil:
	// nothing to mark).
	settle func()
}

// WithUpgrade prepares ctx (the upgrade request's) for Implementation; adm
// (nil: none) is the upgrade's admission, counted as signed in once Open
// accepts the socket's connection_init.
func WithUpgrade(ctx context.Context, adm *Admission) context.Context {
	return context.WithValue(ctx, holderKey{}, &holder{adm: adm})
}

// Implementation accepts websockets through Inner, wrapping each connection
// with the frame limit, the message, heartbeat and control-frame buckets and
// the operation ids. Control frames (RFC 6455 pings and pongs) are only
// seen when Inner is gqlgen's CoderWebsocketImplementation: its
// OnPingReceived and OnPongReceived hooks charge the socket's control bucket.
type Implementation struct {
	Inner    transport.WebsocketImplementation
	Registry *Registry
}

// Accept implements transport.WebsocketImplementation.
func (i Implementation) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	l := i.Registry.Limits
	now := time.Now()
	ctl := &control{bucket: newBucket(l.ControlPerSecond, l.ControlBurst, now)}
	inner := i.Inner
	switch in := inner.(type) {
	case transport.CoderWebsocketImplementation:
		in.AcceptOptions = ctl.hook(in.AcceptOptions)
		inner = in
	case *transport.CoderWebsocketImplementation:
		cp := *in
		cp.AcceptOptions = ctl.hook(cp.AcceptOptions)
		inner = cp
	}
	ht := &hijackThrottle{ResponseWriter: w, rate: float64(l.ReadBytesPerSecond), burst: float64(max(l.ReadBurstBytes, int(l.MaxFrameBytes))),
		pendingRate: float64(l.PendingReadBytesPerSecond), pendingBurst: float64(l.PendingReadBurstBytes),
		writeTimeout: l.WriteTimeout, maxFrame: int64(l.MaxFrameBytes)}
	w = ht
	conn, err := inner.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	ws := newWSConn(conn, l, now)
	ctl.mu.Lock()
	ctl.ws = ws
	ctl.mu.Unlock()
	if lim, ok := conn.(transport.WebsocketReadLimiter); ok && l.MaxFrameBytes > 0 {
		lim.SetReadLimit(l.MaxFrameBytes)
	}
	if h, _ := r.Context().Value(holderKey{}).(*holder); h != nil {
		h.ws = ws
		h.settle = ht.settle
		if h.adm != nil {
			h.adm.attach(ws)
		}
	}
	return ws, nil
}

func newWSConn(conn transport.WebsocketConn, l Limits, now time.Time) *wsConn {
	return &wsConn{WebsocketConn: conn, limit: l.MaxFrameBytes, limits: l,
		messages:   newBucket(l.MessagesPerSecond, l.MessageBurst, now),
		heartbeats: newBucket(l.HeartbeatsPerSecond, l.HeartbeatBurst, now),
		ids:        map[string]string{}, ops: map[string]*operation{}}
}

// bucket is a token bucket: rate tokens a second up to burst; rate 0 means
// no limit.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64, burst int, now time.Time) bucket {
	return bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// take spends a token, false when none is left.
func (b *bucket) take(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// control charges the websocket's ping and pong frames. The hooks run on
// the goroutine reading the socket, and on the one closing it.
type control struct {
	mu     sync.Mutex
	bucket bucket
	ws     *wsConn
	over   bool
}

func (c *control) hook(o coderws.AcceptOptions) coderws.AcceptOptions {
	ping, pong := o.OnPingReceived, o.OnPongReceived
	o.OnPingReceived = func(ctx context.Context, payload []byte) bool {
		if !c.allow() {
			return false // no pong: a flood costs no writes
		}
		return ping == nil || ping(ctx, payload)
	}
	o.OnPongReceived = func(ctx context.Context, payload []byte) {
		if c.allow() && pong != nil {
			pong(ctx, payload)
		}
	}
	return o
}

// allow spends a token for a control frame; past the budget it closes the
// socket with 1008 (once) and refuses every further frame.
func (c *control) allow() bool {
	c.mu.Lock()
	if c.over {
		c.mu.Unlock()
		return false
	}
	if c.bucket.take(time.Now()) {
		c.mu.Unlock()
		return true
	}
	c.over = true
	ws, rate := c.ws, c.bucket.rate
	c.mu.Unlock()
	if ws != nil {
		_ = ws.WriteClose(ClosePolicyViolation, fmt.Sprintf("RATE_LIMITED: more than %g ping or pong frames a second", rate))
	}
	return false
}

// operation is an operation id the client named in a subscribe (or start).
// gqlgen sees a fresh id per operation (its own map would otherwise let a
// reused id overwrite, and the end of the first operation forget, the
// second's cancel); the client's id is freed when the server writes the
// operation's complete or error, or the client completes it — before that
// complete reaches the client, so a subscribe that follows it is never
// refused as a duplicate.
type operation struct {
	client string
	live   bool   // false once the client completed it: nothing more is sent
	end    func() // gives the operation's slot back (Extension), before its last message
}

// OperationExtension is the key, in a socket operation's extensions, of the
// id gqlgen sees (set by the socket, whatever the client sent under it):
// Extension gives the operation's slot back when its last message is
// written, so a client that got that message has the room again.
const OperationExtension = "certlinkSocketOperation"

// wsConn is a websocket with its own buckets and operation ids. gqlgen reads
// messages from one goroutine at a time; the buckets it charges are touched
// only there. Writes come from every operation's goroutine.
type wsConn struct {
	transport.WebsocketConn
	limit      int64
	limits     Limits
	messages   bucket
	heartbeats bucket
	initSeen   bool

	idMu sync.Mutex
	seq  uint64
	ids  map[string]string     // the client's id → gqlgen's, while the client holds it
	ops  map[string]*operation // gqlgen's id → the operation, until its last message

	// writeMu orders writes: gqlgen's (under its own lock) and the socket's
	// own answers, from the reading goroutine.
	writeMu sync.Mutex

	closeMu      sync.Mutex
	closeHandler []func()
	closing      bool
}

var (
	_ transport.WebsocketReadLimiter   = (*wsConn)(nil)
	_ transport.WebsocketReadDeadliner = (*wsConn)(nil)
)

// SetReadLimit keeps the smaller of gqlgen's limit and ours.
func (w *wsConn) SetReadLimit(n int64) {
	if w.limit > 0 && (n <= 0 || n > w.limit) {
		n = w.limit
	}
	if lim, ok := w.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		lim.SetReadLimit(n)
	}
}

func (w *wsConn) SetReadDeadline(t time.Time) error {
	if d, ok := w.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// errFlood ends gqlgen's read loop after a flood closed the socket.
var errFlood = fmt.Errorf("socket: message rate exceeded")

// errInvalid ends gqlgen's read loop after a message that is not of the
// protocol closed the socket.
var errInvalid = fmt.Errorf("socket: not a message of the protocol")

// messageTypes are what a client may send, per subprotocol.
var messageTypes = map[string]map[string]bool{
	"graphql-transport-ws": {"connection_init": true, "subscribe": true, "complete": true, "ping": true, "pong": true},
	"graphql-ws":           {"connection_init": true, "start": true, "stop": true, "connection_terminate": true},
}

// textMessage is RFC 6455's opcode of a text frame (gorilla's TextMessage).
const textMessage = 1

// CloseUnsupportedData is RFC 6455's close code for a message of a type
// the endpoint does not take (a binary frame).
const CloseUnsupportedData = 1003

// CloseInvalidPayload is RFC 6455's close code for data that is not of the
// message's type (a text frame that is not UTF-8).
const CloseInvalidPayload = 1007

// maxIDBytes bounds an operation id.
const maxIDBytes = 128

// maxCloseReason is RFC 6455's bound on a close frame's reason (125 bytes
// of control payload less the code).
const maxCloseReason = 123

// NextReader reads the next message, charging the message bucket (past it
// the socket is closed with 4429), and checks it is a message of the
// protocol: JSON, a known type, an operation id of at most 128 bytes where
// one is needed (else 4400, as graphql-transport-ws says), pings and pongs
// within their own bucket and size. A subscribe whose id is in use closes
// the socket with 4409; one before connection_init with 4401; a second
// connection_init with 4429 (graphql-transport-ws). A complete for an id
// the client does not hold is dropped.
func (w *wsConn) NextReader() (int, io.Reader, error) {
	for {
		t, r, err := w.WebsocketConn.NextReader()
		if err != nil {
			return t, r, err
		}
		if !w.messages.take(time.Now()) {
			_ = w.WriteClose(CloseRateLimited, fmt.Sprintf("RATE_LIMITED: more than %g messages a second", w.messages.rate))
			return t, nil, errFlood
		}
		data, err := io.ReadAll(r) // at most MaxFrameBytes: the read limit holds
		if err != nil {
			return t, nil, err
		}
		if t != textMessage {
			// graphql-transport-ws and graphql-ws are JSON in text frames:
			// a binary one is data of a type this endpoint does not take
			// (RFC 6455 §7.4.1, 1003), not a message read as text.
			_ = w.WriteClose(CloseUnsupportedData, "INVALID_INPUT: messages are JSON in text frames, not binary ones")
			return t, nil, errInvalid
		}
		if !utf8.Valid(data) {
			// RFC 6455 §8.1: a text frame that is not UTF-8 fails the connection with 1007.
			_ = w.WriteClose(CloseInvalidPayload, "INVALID_INPUT: a text message must be UTF-8")
			return t, nil, errInvalid
		}
		data, skip, err := w.check(data)
		if err != nil {
			return t, nil, err
		}
		if skip {
			continue
		}
		return t, bytes.NewReader(data), nil
	}
}

// check validates a message and renames its operation id; skip: nothing
// for gqlgen. An error means the socket was closed.
func (w *wsConn) check(data []byte) (_ []byte, skip bool, _ error) {
	var head struct {
		Type    string          `json:"type"`
		ID      json.RawMessage `json:"id"`
		Payload json.RawMessage `json:"payload"`
	}
	invalid := func(reason string) ([]byte, bool, error) {
		_ = w.WriteClose(CloseInvalidMessage, "INVALID_INPUT: "+reason)
		return nil, false, errInvalid
	}
	if !w.initSeen && len(data) > maxInitBytes {
		// Before connection_init nobody is known and nothing is charged: a
		// 64 KB message of 6,500 names cost 61 ms to read (a review repeated
		// it from many sockets). An initialisation needs a token at most.
		return invalid(fmt.Sprintf("a message before connection_init is at most %d bytes", maxInitBytes))
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return invalid("a message must be a JSON object")
	}
	// As over HTTP: a name given twice, or a request name in another
	// spelling, leaves which one counts open (Go takes the last).
	if dup := web.RepeatedKey(data, false); dup != "" {
		return invalid(fmt.Sprintf("the message gives %.40q twice in one object", dup))
	}
	if len(head.Payload) > 0 && head.Payload[0] == '{' {
		if dup := web.RepeatedKey(head.Payload, true); dup != "" {
			return invalid(fmt.Sprintf("the payload gives %.40q twice, or spells a request name otherwise", dup))
		}
	}
	proto := w.Subprotocol()
	if proto == "" {
		proto = "graphql-ws"
	}
	if known := messageTypes[proto]; known != nil && !known[head.Type] {
		if len(head.Type) > 40 {
			head.Type = strings.ToValidUTF8(head.Type[:40], "")
		}
		return invalid(fmt.Sprintf("unknown message type %q", head.Type))
	}
	transportWS := proto == "graphql-transport-ws"
	switch head.Type {
	case "connection_init":
		if w.initSeen && transportWS {
			_ = w.WriteClose(CloseRateLimited, "Too many initialisation requests")
			return nil, false, errInvalid
		}
		if p := bytes.TrimSpace(head.Payload); len(p) > 0 && p[0] != '{' && !bytes.Equal(p, []byte("null")) {
			// gqlgen would neither accept nor refuse it: the socket waited for
			// the init timeout.
			return invalid("connection_init's payload must be a JSON object")
		}
		w.initSeen = true
		return data, false, nil
	case "ping", "pong":
		if !w.heartbeats.take(time.Now()) {
			_ = w.WriteClose(CloseRateLimited, fmt.Sprintf("RATE_LIMITED: more than %g pings and pongs a second", w.heartbeats.rate))
			return nil, false, errFlood
		}
		if max := w.limits.MaxHeartbeatBytes; max > 0 && len(head.Payload) > max {
			return invalid(fmt.Sprintf("a %s payload is at most %d bytes", head.Type, max))
		}
		return data, false, nil
	case "subscribe", "complete", "start", "stop":
	default:
		return data, false, nil
	}
	var id string
	if json.Unmarshal(head.ID, &id) != nil || id == "" || len(id) > maxIDBytes {
		return invalid(fmt.Sprintf("%s needs an id: a string of 1 to %d bytes", head.Type, maxIDBytes))
	}
	var internal string
	switch head.Type {
	case "subscribe", "start":
		if !w.initSeen && transportWS {
			_ = w.WriteClose(CloseUnauthenticated, "Unauthorized")
			return nil, false, errInvalid
		}
		if w.holds(id) {
			_ = w.WriteClose(CloseDuplicateID, duplicateReason(id))
			return nil, false, errInvalid
		}
		if !validParams(head.Payload) {
			// gqlgen would answer "invalid json", without a code.
			return nil, true, w.refuse(id, "The payload must be an object: {query, operationName, variables, extensions}.")
		}
		internal, _ = w.open(id)
	default:
		var ok bool
		if internal, ok = w.stop(id); !ok {
			return nil, true, nil // nothing of the client's runs under this id
		}
	}
	renamed, err := withID(data, internal, head.Type == "subscribe" || head.Type == "start")
	if err != nil {
		return invalid(err.Error())
	}
	return renamed, false, nil
}

// maxInitBytes bounds the messages a socket reads before its
// connection_init (that one included): its payload is a bearer token.
const maxInitBytes = 4 << 10

// duplicateReason is graphql-transport-ws's "Subscriber for <id> already
// exists", the id shortened to fit a close frame.
func duplicateReason(id string) string {
	const before, after = "Subscriber for ", " already exists"
	if room := maxCloseReason - len(before) - len(after); len(id) > room {
		id = strings.ToValidUTF8(id[:room-len("…")], "") + "…"
	}
	return before + id + after
}

// withID returns the message with its id (in any letter case: encoding/json
// matches names without regard to case) replaced by id, and, for a
// subscribe, id under OperationExtension in its payload's extensions. A
// payload or extensions named twice in different letter cases is refused:
// which one gqlgen would read is not worth guessing.
func withID(data []byte, id string, operation bool) ([]byte, error) {
	errShape := errors.New("a message must be a JSON object")
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, errShape
	}
	for k := range m {
		if strings.EqualFold(k, "id") {
			delete(m, k)
		}
	}
	m["id"], _ = json.Marshal(id)
	if operation {
		key, err := only(m, "payload")
		if err != nil {
			return nil, err
		}
		var payload map[string]json.RawMessage
		if key != "" && json.Unmarshal(m[key], &payload) == nil && payload != nil {
			// Not an object: gqlgen answers the operation with an error.
			ext, err := only(payload, "extensions")
			if err != nil {
				return nil, err
			}
			extensions := map[string]json.RawMessage{}
			if ext == "" || json.Unmarshal(payload[ext], &extensions) == nil {
				if extensions == nil { // "extensions": null
					extensions = map[string]json.RawMessage{}
				}
				extensions[OperationExtension], _ = json.Marshal(id)
				delete(payload, ext)
				payload["extensions"], _ = json.Marshal(extensions)
				delete(m, key)
				m["payload"], _ = json.Marshal(payload)
			}
		}
	}
	return json.Marshal(m)
}

// only returns the key of m that is name in any letter case ("" if none); an
// error when there are several.
func only(m map[string]json.RawMessage, name string) (string, error) {
	found := ""
	for k := range m {
		if strings.EqualFold(k, name) {
			if found != "" {
				return "", fmt.Errorf("%q is given twice (%q and %q)", name, found, k)
			}
			found = k
		}
	}
	return found, nil
}

// validParams reports whether a subscribe's payload decodes as gqlgen's
// RawParams do.
func validParams(payload json.RawMessage) bool {
	var p struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
		Extensions    map[string]any `json:"extensions"`
	}
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	return len(payload) > 0 && d.Decode(&p) == nil
}

// refuse answers an operation the socket refused itself with an error
// message, coded INVALID_INPUT; the id is not held.
func (w *wsConn) refuse(id, message string) error {
	b, _ := json.Marshal(map[string]any{"type": "error", "id": id, "payload": []any{
		map[string]any{"message": message, "extensions": map[string]any{"code": "INVALID_INPUT"}}}})
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	_ = w.WebsocketConn.WriteJSON(json.RawMessage(b))
	return nil
}

// holds reports whether the client holds id.
func (w *wsConn) holds(client string) bool {
	w.idMu.Lock()
	defer w.idMu.Unlock()
	_, ok := w.ids[client]
	return ok
}

// open gives the client's id a fresh operation; dup when the client holds it.
func (w *wsConn) open(client string) (internal string, dup bool) {
	w.idMu.Lock()
	defer w.idMu.Unlock()
	if _, ok := w.ids[client]; ok {
		return "", true
	}
	w.seq++
	internal = strconv.FormatUint(w.seq, 10)
	w.ids[client] = internal
	w.ops[internal] = &operation{client: client, live: true}
	return internal, false
}

// stop frees the client's id; ok is false when the client holds no such id.
func (w *wsConn) stop(client string) (internal string, ok bool) {
	w.idMu.Lock()
	defer w.idMu.Unlock()
	internal, ok = w.ids[client]
	if ok {
		delete(w.ids, client)
		w.ops[internal].live = false
	}
	return internal, ok
}

// outgoing maps a message of gqlgen's operation to the client's id. ok is
// false when it must not be sent: the client completed the operation, or
// its complete or error was sent already. A complete or error frees the id.
func (w *wsConn) outgoing(internal, typ string) (client string, ok bool) {
	w.idMu.Lock()
	op := w.ops[internal]
	if op == nil {
		w.idMu.Unlock()
		return "", false
	}
	var end func()
	if typ == "complete" || typ == "error" {
		delete(w.ops, internal)
		if op.live {
			delete(w.ids, op.client)
		}
		end = op.end
	}
	w.idMu.Unlock()
	if end != nil {
		end()
	}
	return op.client, op.live
}

// onEnd registers what gives the operation's slot back when its last
// message is written; false when no such operation runs.
func (w *wsConn) onEnd(internal string, f func()) bool {
	w.idMu.Lock()
	defer w.idMu.Unlock()
	op := w.ops[internal]
	if op == nil {
		return false
	}
	op.end = f
	return true
}

// Operations counts the ids the client holds and the operations not yet
// ended (the client may have completed them).
func (w *wsConn) Operations() (held, running int) {
	w.idMu.Lock()
	defer w.idMu.Unlock()
	return len(w.ids), len(w.ops)
}

// WriteJSON writes a message of gqlgen's, under the client's operation id.
func (w *wsConn) WriteJSON(v any) error {
	id, typ, set, ok := messageFields(v)
	if !ok {
		// Not one of gqlgen's message structs: read it from its JSON.
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		var head struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return err
		}
		id, typ = head.ID, head.Type
		set = func(client string) {
			if b, err = withID(b, client, false); err == nil {
				v = json.RawMessage(b)
			}
		}
	}
	if id != "" {
		client, send := w.outgoing(id, typ)
		if !send {
			return nil
		}
		set(client)
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	return w.WebsocketConn.WriteJSON(v)
}

// messageFields reads (by reflection) the ID and Type of gqlgen's message
// structs (*graphqltransportwsMessage, *graphqlwsMessage), and returns a
// setter of the ID.
func messageFields(v any) (id, typ string, set func(string), ok bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return "", "", nil, false
	}
	e := rv.Elem()
	f, t := e.FieldByName("ID"), e.FieldByName("Type")
	if !f.IsValid() || f.Kind() != reflect.String || !f.CanSet() || !t.IsValid() || t.Kind() != reflect.String {
		return "", "", nil, false
	}
	return f.String(), t.String(), f.SetString, true
}

func (w *wsConn) onClose(f func()) {
	w.closeMu.Lock()
	closing := w.closing
	if !closing {
		w.closeHandler = append(w.closeHandler, f)
	}
	w.closeMu.Unlock()
	if closing {
		f()
	}
}

func (w *wsConn) closed() {
	w.closeMu.Lock()
	if w.closing {
		w.closeMu.Unlock()
		return
	}
	w.closing = true
	hs := w.closeHandler
	w.closeMu.Unlock()
	for _, f := range hs {
		f()
	}
}

// WriteClose starts the close handshake (the first code wins). The reason
// is cut to RFC 6455's 123 bytes, at a character boundary.
func (w *wsConn) WriteClose(code int, reason string) error {
	if len(reason) > maxCloseReason {
		reason = strings.ToValidUTF8(reason[:maxCloseReason], "")
	}
	err := w.WebsocketConn.WriteClose(code, reason)
	w.closed()
	return err
}

// Close closes the connection.
func (w *wsConn) Close() error {
	err := w.WebsocketConn.Close()
	w.closed()
	return err
}
