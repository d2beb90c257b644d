package app

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"certlink/internal/guard"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// graphqlRequest answers a malformed GraphQL HTTP request itself, with a coded
// error that neither names Go types nor echoes the request, before gqlgen's
// transports see it (theirs say "cannot unmarshal array into Go value of type
// graphql.RawParams body:[…]"). What passes is a GET with a query string, a
// POST whose body is one JSON object, an OPTIONS preflight or a websocket
// upgrade.
//
// A body's reading costs its caller API points (charge) by its size and the
// names its objects give: a large one takes CPU before any operation is
// measured, whether it is then run or refused.
func graphqlRequest(charge func(*http.Request, int) error, room *guard.Memory, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWebsocket(r) {
			// An answer is the signed-in caller's own: no cache keeps it.
			w.Header().Set("Cache-Control", "no-store")
		}
		switch {
		case isWebsocket(r) || r.Method == http.MethodOptions:
		case r.Method == http.MethodGet:
			q, err := url.ParseQuery(r.URL.RawQuery)
			if err != nil {
				writeJSONError(w, http.StatusBadRequest, "INVALID_INPUT", "The query string is not valid URL encoding.")
				return
			}
			for _, name := range []string{"variables", "extensions"} {
				if v := q.Get(name); v != "" && !jsonObject([]byte(v)) {
					writeJSONError(w, http.StatusBadRequest, "INVALID_INPUT", "The "+name+" parameter must be a JSON object.")
					return
				}
			}
			for _, vs := range q {
				for _, v := range vs {
					if !utf8.ValidString(v) {
						writeJSONError(w, http.StatusBadRequest, "INVALID_INPUT", "The query string is not valid UTF-8.")
						return
					}
				}
			}
			if q.Get("query") == "" && strings.Contains(q.Get("extensions"), `"persistedQuery"`) {
				writePersistedNotSupported(w)
				return
			}
			if msg := ambiguousQuery(q); msg != "" {
				writeJSONError(w, http.StatusBadRequest, "INVALID_INPUT", msg)
				return
			}
			if op := getOperation(q.Get("query"), q.Get("operationName")); op != "" && op != ast.Query {
				// GraphQL over HTTP: a mutation over GET is 405 with Allow: POST.
				w.Header().Set("Allow", "POST")
				msg := "A mutation runs over POST only (GET runs queries): send it as POST /graphql with Content-Type: application/json."
				if op == ast.Subscription {
					msg = "A subscription runs over a websocket at /graphql (graphql-transport-ws or graphql-ws), not GET; a POST gives only its first value."
				}
				writeJSONError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", msg)
				return
			}
		case r.Method == http.MethodPost:
			mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeJSONError(w, http.StatusUnsupportedMediaType, "INVALID_INPUT",
					`POST /graphql takes Content-Type: application/json, a body like {"query": "…", "variables": {…}}.`)
				return
			}
			if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" {
				// JSON is UTF-8 (RFC 8259): a body announced as another
				// charset would be read as something its sender did not mean.
				writeJSONError(w, http.StatusUnsupportedMediaType, "INVALID_INPUT",
					"POST /graphql reads UTF-8 JSON; send the body in UTF-8 (charset=utf-8 or none), not "+strconv.Quote(params["charset"])+".")
				return
			}
			for _, ce := range r.Header.Values("Content-Encoding") {
				// A coded body is not read as plain text (RFC 9110 15.5.16),
				// as /ingest refuses it too.
				if ce = strings.ToLower(strings.TrimSpace(ce)); ce != "" && ce != "identity" {
					writeJSONError(w, http.StatusUnsupportedMediaType, "INVALID_INPUT",
						"POST /graphql reads an uncompressed body: send it without Content-Encoding (not "+strconv.Quote(ce)+").")
					return
				}
			}
			// A large body takes room in the process's decode budget before
			// it is read (by its declared length) or once it was (by its
			// length), until its answer is written: decoded, its variables
			// take many times its bytes, and many callers' at once took
			// gigabytes (review: 300 addresses, 1 MB each, 4.4 GB).
			held := int64(0)
			defer func() {
				if held > 0 {
					room.Give("", held)
				}
			}()
			if r.ContentLength > decodeFree && r.ContentLength <= maxBodyBytes {
				if held = takeDecodeRoom(room, r.ContentLength); held == 0 {
					writeDecodeBusy(w)
					return
				}
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
			if err != nil && isTimeout(err) {
				writeBodyTimeout(w)
				return
			}
			if err != nil || len(body) > maxBodyBytes {
				writeJSONError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "The request body is larger than 1 MiB.")
				return
			}
			if held == 0 && len(body) > decodeFree {
				if held = takeDecodeRoom(room, int64(len(body))); held == 0 {
					writeDecodeBusy(w)
					return
				}
			}
			if err := charge(r, len(body)/bodyPointBytes); err != nil {
				writeCodedError(w, r, err)
				return
			}
			if !utf8.Valid(body) {
				// JSON is UTF-8 (RFC 8259), as /ingest and the report's
				// filters require: a stray byte is not read past silently.
				writeJSONError(w, http.StatusBadRequest, "INVALID_INPUT", "The body is not valid UTF-8: JSON is sent in UTF-8.")
				return
			}
			if !validParams(body) {
				writeJSONError(w, http.StatusBadRequest, "INVALID_INPUT",
					`The body must be one JSON object: {"query": "…", "operationName": "…", "variables": {…}, "extensions": {…}}.`)
				return
			}
			if bytes.Contains(body, []byte(`"persistedQuery"`)) && persistedOnly(body) {
				writePersistedNotSupported(w)
				return
			}
			name, names := web.ScanNames(body, true)
			if err := charge(r, names/bodyPointNames); err != nil {
				// Names cost more to decode than their bytes say (a map
				// entry each): 90,000 in 1 MB took 0.21 s.
				writeCodedError(w, r, err)
				return
			}
			if name != "" {
				// JSON leaves a repeated name's meaning open (Go takes the
				// last, many proxies and loggers the first): two readers of
				// one request would see two operations.
				writeJSONError(w, http.StatusBadRequest, "INVALID_INPUT", ambiguousName(name))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeJSONError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "/graphql answers POST (and GET for queries).")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bodyPointBytes is the size of body one API point pays for beyond the
// first such share, which is free: an 800 KB body costs 48 points (reading
// and decoding it takes ~0.1 s of CPU), an ordinary request nothing.
const bodyPointBytes = 16 << 10

// bodyPointNames is how many names of a body's objects one more API point
// pays for (past the first so many, as bytes): ~2 ms of decoding.
const bodyPointNames = 1000

// chargeCaller takes points API points from r's caller — its account's
// bucket, or its address's when anonymous — for reading its body
// (bodyPointBytes, bodyPointNames) or for a single sign-on callback that
// reaches the issuer (ssoCallbackPoints): RATE_LIMITED when they are not there.
func (a *App) chargeCaller(r *http.Request, points int) error {
	if points <= 0 || a.RateLimits == nil {
		return nil
	}
	ctx := r.Context()
	key := guard.CallerKey(ctx)
	if viewer.From(ctx) == nil {
		key = "ip:" + web.AddressKey(web.ClientIPOf(r))
	}
	return a.RateLimits.ChargeKey(ctx, key, float64(points))
}

// persistedOnly reports whether body asks for a persisted query by its hash
// (extensions.persistedQuery) without the query's text.
func persistedOnly(body []byte) bool {
	var p struct {
		Query      string
		Extensions struct {
			PersistedQuery json.RawMessage `json:"persistedQuery"`
		}
	}
	return json.Unmarshal(body, &p) == nil && p.Query == "" && len(p.Extensions.PersistedQuery) > 0 && string(p.Extensions.PersistedQuery) != "null"
}

// writePersistedNotSupported answers a persisted query asked by its hash
// alone: certlink keeps none. The message and code are those of automatic
// persisted queries (Apollo's), whose clients then send the query's text
// (a review's client failed on "no operation provided").
func writePersistedNotSupported(w http.ResponseWriter) {
	writeGraphQLError(w, http.StatusBadRequest, "PersistedQueryNotSupported", map[string]any{"code": "PERSISTED_QUERY_NOT_SUPPORTED",
		"detail": "certlink keeps no persisted queries: send the query's text."})
}

// validParams reports whether body is a GraphQL-over-HTTP request object:
// query and operationName strings (or absent), variables and extensions
// objects (or null/absent).
func validParams(body []byte) bool {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(body, &p); err != nil || p == nil {
		return false
	}
	for name, v := range p {
		switch name {
		case "query", "operationName":
			var s *string
			if json.Unmarshal(v, &s) != nil {
				return false
			}
		case "variables", "extensions":
			if string(v) != "null" && !jsonObject(v) {
				return false
			}
		}
	}
	return true
}

// ambiguousName is the refusal of a body that repeats name, or spells one of
// web.RequestKeys otherwise.
func ambiguousName(name string) string {
	return "The request gives " + strconv.Quote(name) + " twice in one object, or as another spelling of query, operationName, variables or extensions: " +
		"JSON leaves which one counts open. Give each name once, spelt exactly."
}

// ambiguousQuery is the refusal of a GET whose query string gives query,
// operationName, variables or extensions twice or in another case, or whose
// variables or extensions repeat a name; "" when it is clear.
func ambiguousQuery(q url.Values) string {
	for name, vs := range q {
		for _, k := range web.RequestKeys {
			if name == k && len(vs) > 1 || name != k && web.FoldKey(name) == strings.ToLower(k) {
				return ambiguousName(name)
			}
		}
	}
	for _, name := range []string{"variables", "extensions"} {
		if v := q.Get(name); v != "" {
			if dup := web.RepeatedKey([]byte(v), false); dup != "" {
				return ambiguousName(dup)
			}
		}
	}
	return ""
}

// getOperation is the type of the operation a GET would run, "" when the
// document does not parse or names no such operation (gqlgen answers those).
func getOperation(query, name string) ast.Operation {
	if query == "" || len(query) > maxBodyBytes {
		return ""
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return ""
	}
	if op := doc.Operations.ForName(name); op != nil {
		return op.Operation
	}
	return ""
}

func jsonObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

// The room large request bodies take decoding, all callers together
// (App.decodeRoom, a guard.Memory): each body over decodeFree takes
// decodeFactor times its bytes (a decoded variables object takes about 14
// times its JSON) until its request ends. Per-caller points bound one
// caller; this bounds all of them together.
const (
	decodeFree   = 64 << 10
	decodeFactor = 16
	// decodeLimit: 16 bodies of 1 MiB decoding at once.
	decodeLimit = 256 << 20
)

// takeDecodeRoom takes room for a body of n bytes and returns what it took,
// 0 when there is none.
func takeDecodeRoom(room *guard.Memory, n int64) int64 {
	if !room.Take("", n*decodeFactor) {
		return 0
	}
	return n * decodeFactor
}

// writeDecodeBusy refuses a large body while the process decodes as many as
// it may at once: the server's capacity, not the caller's fault.
func writeDecodeBusy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeJSONError(w, http.StatusServiceUnavailable, "UNAVAILABLE",
		"The server is reading many large requests at once right now; send this one again in a second, or send a smaller one (bodies over 64 KiB share a budget).")
}
