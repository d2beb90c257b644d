package guard

import (
	"container/list"
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Gate is the first thing every GraphQL operation meets, on every transport
// (GET, POST and the websocket: gqlgen calls MutateOperationParameters before
// it parses anything). In order: the document's size, the caller's rate limit
// (a caller whose bucket is empty costs one map lookup), then one lexer pass
// (ScanLimits). Only a document that passes all three is parsed and validated.
type Gate struct {
	Scan, Anonymous ScanLimits
	Buckets         *Buckets
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.ResponseInterceptor
} = Gate{}

// InterceptResponse implements graphql.ResponseInterceptor: a document Admit
// let in and that was then refused — it did not parse, failed validation or
// its variables — is charged the time it took (chargeRefusal). gqlgen calls
// response interceptors for those refusals and for answers of operations
// that ran; the Extension marks the latter (they pay their cost instead).
func (g Gate) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil && resp.Data == nil && len(resp.Errors) > 0 {
		chargeRefusal(ctx, g.Buckets)
	}
	return resp
}

func (Gate) ExtensionName() string                          { return "Gate" }
func (Gate) Validate(schema graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (g Gate) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if err := g.Admit(ctx, params.Query); err != nil {
		return err
	}
	limits := g.Scan
	if viewer.From(ctx) == nil {
		limits = g.Anonymous
	}
	if msg := checkVariables(params.Variables, limits.MaxValueDepth); msg != "" {
		return refusal(apperr.InvalidInput, msg, map[string]any{"limit": "valueDepth"})
	}
	return nil
}

// maxVariableValues bounds the values in an operation's variables (every
// object, list, string, number…): the body's 1 MiB allows about 500,000.
const maxVariableValues = 20000

// checkVariables refuses variables that nest deeper than maxDepth (a
// variable's own value is level 1, as an argument's in Scan) or hold more
// than maxVariableValues values, before gqlgen coerces them. It walks with
// an explicit stack: no recursion a caller controls.
func checkVariables(vars map[string]any, maxDepth int) string {
	type item struct {
		v     any
		depth int
	}
	stack := make([]item, 0, len(vars))
	for _, v := range vars {
		stack = append(stack, item{v, 0})
	}
	for n := 0; len(stack) > 0; n++ {
		if n > maxVariableValues {
			return fmt.Sprintf("The variables hold more than %d values; the limit is %d.", maxVariableValues, maxVariableValues)
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var inner []any
		switch x := it.v.(type) {
		case map[string]any:
			for _, e := range x {
				inner = append(inner, e)
			}
		case []any:
			inner = x
		default:
			continue
		}
		if it.depth+1 > maxDepth {
			return fmt.Sprintf("A variable's value nests objects and lists more than %d levels deep; the limit is %d.", maxDepth, maxDepth)
		}
		for _, e := range inner {
			stack = append(stack, item{e, it.depth + 1})
		}
	}
	return ""
}

// onlySignOut reports a document that is one mutation selecting signOut
// alone (its payload's fields only, no fragment).
func onlySignOut(query string) bool {
	if len(query) > 512 {
		return false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil || len(doc.Operations) != 1 || len(doc.Fragments) != 0 {
		return false
	}
	op := doc.Operations[0]
	if op.Operation != ast.Mutation || len(op.SelectionSet) != 1 {
		return false
	}
	f, ok := op.SelectionSet[0].(*ast.Field)
	if !ok || f.Name != "signOut" || len(f.Arguments) != 0 {
		return false
	}
	for _, s := range f.SelectionSet {
		if sf, ok := s.(*ast.Field); !ok || len(sf.SelectionSet) != 0 {
			return false
		}
	}
	return true
}

// canonicalKey is where Admit leaves the document's canonical text for the
// query cache, in the operation's stats.
const canonicalKey = "guard.canonical"

// tokensKey is where Admit leaves the document's token count: what its
// parsed tree costs in memory (the query cache's measure).
const tokensKey = "guard.tokens"

// Admit checks query for the caller in ctx before it is parsed: size, rate
// limit (one point, the least any operation costs; the rest of its cost is
// charged once variables are known), lexer limits. It returns the refusal to
// answer, or nil. Transports that do not go through gqlgen's executor call it
// themselves.
func (g Gate) Admit(ctx context.Context, query string) *gqlerror.Error {
	limits := g.Scan
	if viewer.From(ctx) == nil {
		limits = g.Anonymous
	}
	if len(query) > limits.MaxBytes {
		return refusal(apperr.RequestTooLarge, fmt.Sprintf("The query is %d bytes long; the limit is %d.", len(query), limits.MaxBytes), map[string]any{"limit": "bytes"})
	}
	if g.Buckets != nil {
		q := g.Buckets.Take(CallerKey(ctx), 1)
		if q.Err != nil {
			return meterUnavailable(ctx, q.Err)
		}
		setRateHeaders(ctx, q)
		if !q.Allowed && (viewer.From(ctx) == nil || !onlySignOut(query)) {
			// Ending one's own session (a stolen one, say) is never refused
			// for want of points: it costs the point it cannot take. (Only a
			// signed-in caller's: it ends the session, so it cannot repeat.)
			return g.rateLimited(ctx, q, 1)
		}
	}
	sc, r := Scan(query, limits)
	if r == nil && sc.Spreads > 0 {
		r = checkExpansion(query, limits)
	}
	if r != nil {
		return refusal(apperr.Code(r.Code), r.Message, map[string]any{"limit": r.Limit})
	}
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		oc.Stats.SetExtension(canonicalKey, sc.Canonical)
		oc.Stats.SetExtension(tokensKey, sc.Tokens)
		if g.Buckets != nil {
			oc.Stats.SetExtension(admittedKey, g.Buckets.now())
		}
	}
	return nil
}

func (g Gate) rateLimited(ctx context.Context, q Quota, points float64) *gqlerror.Error {
	msg, ext := rateRefusal(ctx, g.Buckets, CallerKey(ctx), q, points, points)
	return refusal(apperr.RateLimited, msg, ext)
}

// rateRefusal words a refusal of a request of points that key's bucket
// cannot hold now. The bucket leaks steadily, so the points are there again
// well before it is empty (resetAt): the refusal says when — in its words,
// Retry-After, retryAfterSeconds and retryAt — and that moment is when the
// same request is served. need is what is still to be taken of its points.
func rateRefusal(ctx context.Context, b *Buckets, key string, q Quota, points, need float64) (string, map[string]any) {
	wait := q.Reset.Sub(b.now())
	if need <= float64(q.Limit) {
		wait = b.Wait(key, need)
	}
	// retryAt is written to the second: the next whole second at or after
	// the points are back, so a request sent at retryAt is served.
	now := b.now()
	at := now.Add(wait).UTC()
	if t := at.Truncate(time.Second); t.Before(at) {
		at = t.Add(time.Second)
	}
	secs := max(1, int(math.Ceil(at.Sub(now).Seconds())))
	if h := web.Header(ctx); h != nil {
		h.Set("Retry-After", strconv.Itoa(secs))
	}
	when := at.Format("15:04:05 UTC")
	if y, m, d := now.UTC().Date(); at.Year() != y || at.Month() != m || at.Day() != d {
		when = at.Format("January 2, 2006 15:04:05 UTC")
	}
	return fmt.Sprintf("Rate limit exceeded: this request costs %.0f points and %d are left. Try again after %s.",
			points, q.Remaining, when), map[string]any{
			"retryAfterSeconds": secs,
			"retryAt":           at.Format(time.RFC3339),
			"cost": map[string]any{"points": points, "limit": q.Limit, "remaining": q.Remaining,
				"resetAt": q.Reset.UTC().Format("2006-01-02T15:04:05Z")},
		}
}

// Charge takes points from the caller's bucket for work done outside a
// GraphQL operation (a download): nil when the bucket holds them, else
// RATE_LIMITED with the wait (Retry-After, retryAfterSeconds, retryAt, cost
// in its extensions, as GraphQL's refusal), or UNAVAILABLE when the shared
// bucket cannot be reached — never served uncounted.
func (b *Buckets) Charge(ctx context.Context, points float64) error {
	return b.ChargeKey(ctx, CallerKey(ctx), points)
}

// ChargeKey is Charge to the bucket key (CallerKey's form), for a caller
// met before CallerKey can name it.
func (b *Buckets) ChargeKey(ctx context.Context, key string, points float64) error {
	q := b.Take(key, points)
	if q.Err != nil {
		slog.WarnContext(ctx, "rate limit: the shared bucket failed; the request is refused", "err", q.Err)
		return apperr.New(apperr.Unavailable, "Your API points cannot be counted right now, so nothing was sent. Try again in a few seconds.")
	}
	setRateHeaders(ctx, q)
	if q.Allowed {
		return nil
	}
	msg, ext := rateRefusal(ctx, b, key, q, points, points)
	e := apperr.New(apperr.RateLimited, "%s", msg)
	for k, v := range ext {
		e = e.With(k, v)
	}
	return e
}

// CallerKey is the rate-limit bucket of the caller in ctx: its work account
// (every session of the account and every API token it made share one bucket,
// so signing in again does not refill it), a provider token (which belongs to
// no account), else its address.
func CallerKey(ctx context.Context) string {
	v := viewer.From(ctx)
	switch {
	case v == nil:
	case v.UserID != 0:
		return "user:" + strconv.Itoa(v.UserID)
	case v.TokenID != 0:
		return "token:" + strconv.Itoa(v.TokenID)
	}
	return "ip:" + web.ClientKey(ctx)
}

func setRateHeaders(ctx context.Context, q Quota) {
	h := web.Header(ctx)
	if h == nil {
		return
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(q.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(q.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(q.Reset.Unix(), 10))
}

// meterUnavailable answers a request whose points could not be counted (the
// shared bucket's database failed): refused, never served uncounted.
func meterUnavailable(ctx context.Context, err error) *gqlerror.Error {
	slog.WarnContext(ctx, "rate limit: the shared bucket failed; the request is refused", "err", err)
	return refusal(apperr.Unavailable, "The rate limit cannot be counted right now, so this request was not run. Try again in a few seconds.", nil)
}

func refusal(code apperr.Code, msg string, ext map[string]any) *gqlerror.Error {
	e := &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(code)}}
	for k, v := range ext {
		e.Extensions[k] = v
	}
	return e
}

// Cache is gqlgen's query cache keyed by the document's canonical text (Scan):
// a changed comment or spacing finds the document already parsed and
// validated. Entries hold only documents that passed validation.
//
// It is bounded by the memory its documents hold, not by a count: a
// thousand distinct 216 KB documents (each valid, each refused later for its
// arguments) once held gigabytes. A document's cost is twice its text as sent
// (the parsed tree keeps it, comments and all: 600 documents padded with a
// 250 KB comment held 1.5 times their text, counted once), its canonical text
// (the key), and PerToken bytes for each token (its tree's nodes: measured at
// 150 to 330 bytes). A document costing more than MaxEntry is parsed for each request
// and never kept; the others are kept while their costs add up to at most
// MaxBytes, the least recently used going first.
type Cache struct {
	MaxBytes, MaxEntry, PerToken int

	mu    sync.Mutex
	size  int
	order list.List // of *cached, most recently used first
	byKey map[string]*list.Element
}

type cached struct {
	key  string
	cost int
	doc  *ast.QueryDocument
}

// NewCache makes a cache holding documents that cost at most maxBytes in all,
// at most maxEntry each, counting perToken bytes a token.
func NewCache(maxBytes, maxEntry, perToken int) *Cache {
	return &Cache{MaxBytes: maxBytes, MaxEntry: maxEntry, PerToken: perToken, byKey: map[string]*list.Element{}}
}

func key(ctx context.Context, raw string) string {
	if graphql.HasOperationContext(ctx) {
		if k, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(canonicalKey).(string); ok && k != "" {
			return k
		}
	}
	return "\x00" + raw
}

func (c *Cache) Get(ctx context.Context, raw string) (*ast.QueryDocument, bool) {
	k := key(ctx, raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cached).doc, true
}

// cost is what keeping doc, parsed from raw, holds in memory.
func (c *Cache) cost(ctx context.Context, raw, key string) int {
	tokens := len(raw) // unknown: at most one a byte
	if graphql.HasOperationContext(ctx) {
		if n, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(tokensKey).(int); ok {
			tokens = n
		}
	}
	// Comments are not tokens, but the parsed tree keeps each as a node: a
	// review's 30 KB documents of 14,900 one-character comments held 1.7 MB
	// each. Every # is counted as one (one in a string too: more, not less).
	return 2*len(raw) + len(key) + (tokens+strings.Count(raw, "#"))*c.PerToken
}

func (c *Cache) Add(ctx context.Context, raw string, doc *ast.QueryDocument) {
	k := key(ctx, raw)
	cost := c.cost(ctx, raw, k)
	if cost > c.MaxEntry || cost > c.MaxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		c.order.MoveToFront(e) // the document parsed first stays
		return
	}
	c.byKey[k] = c.order.PushFront(&cached{key: k, cost: cost, doc: doc})
	c.size += cost
	for c.size > c.MaxBytes {
		last := c.order.Back()
		old := c.order.Remove(last).(*cached)
		delete(c.byKey, old.key)
		c.size -= old.cost
	}
}

// Held is what the cache's documents cost in all, in bytes, and how many
// there are.
func (c *Cache) Held() (bytes, documents int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size, len(c.byKey)
}
