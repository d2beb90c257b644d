package guard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// Limits are the per-operation ceilings.
type Limits struct {
	MaxDepth, MaxAliases, MaxDirectives, MaxCost int
	// MaxIntrospectionDepth lets a signed-in admin's introspection-only
	// operation (GraphiQL's schema query is 15 levels deep) past MaxDepth.
	MaxIntrospectionDepth int
	// MaxServed bounds the fields one answer may serve, whatever the estimate
	// said: the meter stops the operation there.
	MaxServed int
	// MaxServedBytes bounds the text (the strings' UTF-8 bytes) one answer
	// may serve: fields are counted, not their size, and a field may hold
	// 64 KiB. The meter stops the operation there (0: no limit).
	MaxServedBytes int
	// PushEvery: a subscription's answers after its first leave at most
	// this often (DefaultPushEvery when 0), each with the latest value.
	PushEvery time.Duration
}

// DefaultPushEvery is the least time between two answers of one subscription.
const DefaultPushEvery = 250 * time.Millisecond

// DefaultLimits are generous for real clients and stop abuse.
var DefaultLimits = Limits{MaxDepth: 12, MaxAliases: 30, MaxDirectives: 30, MaxCost: 25000,
	MaxIntrospectionDepth: 20, MaxServed: 100000, MaxServedBytes: 8 << 20, PushEvery: DefaultPushEvery}

// Extension measures every operation once its variables are known, refuses
// the ones over the limits, charges the caller's bucket (per token when signed
// in, else per IP; Gate already took one point), meters what the operation
// serves and stops it at MaxServed or its deadline, then settles the charge to
// what was served. It reports the cost in extensions.cost and X-RateLimit-*
// headers (A4).
type Extension struct {
	Limits  Limits
	Buckets *Buckets
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = Extension{}

func (Extension) ExtensionName() string                          { return "CostAndRateLimit" }
func (Extension) Validate(schema graphql.ExecutableSchema) error { return nil }

// BytePoints are the rate-limit points of the text an answer served: one
// per 100 KB, so that the bucket bounds the memory a caller's answers take
// at once (an 8 MB answer costs 80 points), not only their fields.
func BytePoints(n int64) float64 { return math.Ceil(float64(n) / (100 << 10)) }

// Points turns an operation's cost into rate-limit points, as GitHub does: one
// point per 100 cost, at least one.
func Points(cost int) float64 { return math.Max(1, math.Ceil(float64(cost)/100)) }

// InterceptOperation implements graphql.OperationInterceptor.
func (x Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	shape := Measure(oc.Doc, oc.Operation, oc.Variables)
	if d := shape.Incremental; d != "" {
		chargeRefusal(ctx, x.Buckets)
		return refuse(apperr.InvalidInput, "@"+d+" is not supported: certlink sends each answer whole. Remove @"+d+" and ask for the fields directly.", map[string]any{"directive": d})
	}
	introspection := introspectionOnly(oc.Operation) && adminSession(viewer.From(ctx))
	if msg := x.Limits.check(shape, introspection); msg != "" {
		chargeRefusal(ctx, x.Buckets)
		return refuse(apperr.InvalidInput, msg, map[string]any{"cost": shape.Cost, "depth": shape.Depth})
	}
	// From here the operation pays its cost, not the time of a refusal.
	oc.Stats.SetExtension(admittedKey, nil)
	key := CallerKey(ctx)
	points := Points(shape.Cost)
	q := x.Buckets.Take(key, points-1) // Gate took the first point
	if q.Err != nil {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{meterUnavailable(ctx, q.Err)}})
	}
	setRateHeaders(ctx, q)
	cost := map[string]any{
		"requestedQueryCost": shape.Cost, "points": points,
		"limit": q.Limit, "remaining": q.Remaining, "resetAt": q.Reset.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if !q.Allowed {
		// Gate took the first point: the rest must fit.
		msg, ext := rateRefusal(ctx, x.Buckets, key, q, points, points-1)
		ext["cost"] = cost
		return refuse(apperr.RateLimited, msg, ext)
	}
	push := PushKey(pushOwner(ctx))
	subscription := oc.Operation.Operation == ast.Subscription
	mutation := oc.Operation.Operation == ast.Mutation
	rh := next(ctx)
	calls := 0
	var pushed time.Time // when the subscription's last answer left
	limited := false     // its RATE_LIMITED error was sent and no answer since
	return func(parent context.Context) *graphql.Response {
		calls++
		if subscription && calls > 1 {
			// Every answer after the first is a push: computed for this
			// subscriber alone (its selection resolved on the shared value),
			// so it waits its turn and its points before anything is done.
			if r, ok := x.nextPush(parent, push, points, pushed, &limited); !ok || r != nil {
				return r
			}
		}
		m := &meter{limit: int64(x.Limits.MaxServed), byteLimit: int64(x.Limits.MaxServedBytes), mutation: mutation}
		if h := holdOf(parent); h != nil && !subscription {
			// A subscription's pushes are paced and paid before they are
			// computed (nextPush); queries and mutations hold their answer.
			m.hold, m.key = h, key
		}
		ctx, cancel := context.WithCancelCause(parent)
		m.cancel = cancel
		resp := rh(withMeter(ctx, m))
		cancel(nil)
		if resp == nil {
			// The end of a stream (a subscription's, or a query's second call
			// on a websocket) — unless the deadline had passed before gqlgen
			// began, when its first call answers nothing at all. Only the
			// first: the transport calls until it gets nil, and a query whose
			// socket operation was completed by the client has a context
			// ended for good — answering "took too long" on every call kept
			// a goroutine writing to a closed socket forever.
			if subscription || mutation || calls > 1 || parent.Err() == nil {
				return nil
			}
			// gqlgen answers nothing when the deadline passed before it began.
			m.timedOut.Store(true)
			resp = &graphql.Response{}
		}
		served := int(m.served.Load())
		switch {
		case mutation:
			// A mutation's answer is never replaced: its change may be made,
			// and the caller must see that. Fields the meter stopped carry
			// errStopped (mutations are not stopped at the deadline: their
			// database work stops with the context).
		case m.overMemory.Load():
			msg := "The server is holding as many large answers as it can until their clients take them: try again in a few seconds, or ask for smaller pages (first/last)."
			if m.callerFull.Load() {
				msg = "Your earlier large answers are still being sent (or not read): read them first, or ask for smaller pages (first/last)."
			}
			resp = &graphql.Response{Errors: gqlerror.List{refusal(apperr.RateLimited, msg, map[string]any{"retryAfterSeconds": 5, "limit": "answerMemory"})}}
		case m.overBytes.Load():
			resp = &graphql.Response{Errors: gqlerror.List{refusal(apperr.InvalidInput, fmt.Sprintf(
				"The answer would carry more than %d MB of text; the limit is %d MB. Ask for smaller pages (first/last) or fewer fields.",
				x.Limits.MaxServedBytes>>20, x.Limits.MaxServedBytes>>20), map[string]any{"limit": "servedBytes"})}}
		case m.over.Load():
			resp = &graphql.Response{Errors: gqlerror.List{refusal(apperr.InvalidInput, fmt.Sprintf(
				"The answer would serve more than %d fields; the limit is %d. Ask for smaller pages (first/last) or fewer fields.",
				x.Limits.MaxServed, x.Limits.MaxServed), map[string]any{"limit": "servedFields"})}}
		case m.timedOut.Load():
			resp = &graphql.Response{Errors: gqlerror.List{refusal(apperr.Timeout, apperr.TimedOut().Message, nil)}}
		}
		cost := maps.Clone(cost) // a subscription's answers each get their own
		cost["servedFields"] = served
		cost["servedBytes"] = m.bytes.Load()
		switch actual := max(Points(served), BytePoints(m.bytes.Load())); {
		case subscription && calls > 1:
			// A push costs what a query of the subscription's shape costs:
			// its points (taken before it was computed), or what it served
			// when that was more.
			q := x.Buckets.Settle(push, max(0, actual-points))
			cost["points"], cost["remaining"] = max(actual, points), q.Remaining
			pushed, limited = x.Buckets.now(), false
		case actual > points:
			q := x.Buckets.Settle(key, actual-points)
			setRateHeaders(ctx, q)
			cost["points"], cost["remaining"] = actual, q.Remaining
		}
		if subscription && calls == 1 {
			pushed = x.Buckets.now()
		}
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = cost
		return resp
	}
}

// PushKey is the bucket a caller's subscription pushes are paid from: its own,
// beside the one its queries and mutations use. A push is caused by whoever
// changed the data, often someone else: drawn from the query bucket, another
// admin toggling an attestation every quarter second emptied an admin's
// points, and with them every API token of the account (review). From their
// own bucket pushes still cost what they compute, and an account's live
// updates slow to what its budget pays for, but its requests keep theirs.
func PushKey(key string) string { return "push/" + key }

// pushOwner names whose push bucket a subscription pays from: an account's
// sessions share one, and all the API tokens it made share another, so a
// partner tool's live feed cannot use up its admin's live page, and making
// more tokens buys no more pushes (a review's every new token came with a
// fresh bucket; an account may hold 100). The account's hourly query points
// stay shared by all of them (CallerKey).
func pushOwner(ctx context.Context) string {
	v := viewer.From(ctx)
	switch {
	case v == nil:
		return CallerKey(ctx)
	case v.Kind == viewer.KindAPIToken && v.UserID != 0:
		return APITokensPushOwner(v.UserID)
	}
	return v.RunsKey()
}

// APITokensPushOwner is the push bucket's owner for the API tokens account
// userID made, all together.
func APITokensPushOwner(userID int) string { return "tokens-of-user:" + strconv.Itoa(userID) }

// nextPush waits until a subscription's next push may be computed: at
// least PushEvery after the last (the live feed keeps only the latest value
// meanwhile, so the push carries the latest state), and until the caller's
// bucket holds the push's points, which it takes. The first time the bucket
// is short it returns one RATE_LIMITED answer (the subscription stays open
// and resumes once the bucket refilled). ok is false when the subscription
// ended while waiting.
func (x Extension) nextPush(ctx context.Context, key string, points float64, pushed time.Time, limited *bool) (r *graphql.Response, ok bool) {
	every := x.Limits.PushEvery
	if every <= 0 {
		every = DefaultPushEvery
	}
	if !sleep(ctx, pushed.Add(every).Sub(x.Buckets.now())) {
		return nil, false
	}
	for {
		q := x.Buckets.Take(key, points)
		if q.Allowed {
			return nil, true
		}
		wait := max(x.Buckets.Wait(key, points), 100*time.Millisecond)
		if q.Err != nil {
			// The shared bucket cannot be reached: no push is computed
			// uncounted; the next one is tried in a second.
			wait = time.Second
		} else if !*limited {
			*limited = true
			q := x.Buckets.Peek(key)
			secs := max(1, int(math.Ceil(wait.Seconds())))
			return &graphql.Response{Errors: gqlerror.List{refusal(apperr.RateLimited, fmt.Sprintf(
				"Rate limit exceeded for live updates: each update of this subscription costs %.0f points, and %d are left of the points your account's live updates have (queries have their own). Updates resume at %s with the latest state.",
				points, q.Remaining, x.Buckets.now().Add(wait).UTC().Format("15:04:05 UTC")), map[string]any{
				"retryAfterSeconds": secs,
				"retryAt":           x.Buckets.now().Add(time.Duration(secs) * time.Second).UTC().Format(time.RFC3339),
				"cost":              map[string]any{"points": points, "limit": q.Limit, "remaining": q.Remaining, "resetAt": q.Reset.UTC().Format("2006-01-02T15:04:05Z")},
			})}}, true
		}
		if !sleep(ctx, wait) {
			return nil, false
		}
	}
}

// sleep waits d, or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// introspectionOnly reports whether every root selection of op is an
// introspection field (__schema, __type, __typename).
func introspectionOnly(op *ast.OperationDefinition) bool {
	if op.Operation != ast.Query || len(op.SelectionSet) == 0 {
		return false
	}
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || !strings.HasPrefix(f.Name, "__") {
			return false
		}
	}
	return true
}

// adminSession: GraphiQL (A3) is for admins signed in to the web app, not for
// API tokens or people who must first change their password.
func adminSession(v *viewer.Viewer) bool {
	return v != nil && v.Kind == viewer.KindUser && !v.MustChangePassword && len(v.Roles) > 0
}

type meterKey struct{}

// meter counts the fields an operation serves, and their text.
type meter struct {
	limit, byteLimit          int64
	served, bytes             atomic.Int64
	over, overBytes, timedOut atomic.Bool
	cancel                    context.CancelCauseFunc
	mutation                  bool
	// hold, when set, is the room the answer takes in the process's
	// Memory, charged to key; overMemory: there was none (callerFull: the
	// caller's share was full).
	hold                   *Hold
	key                    string
	overMemory, callerFull atomic.Bool
}

// ChargeError counts an error of the answer as its text: its message and
// path (which repeats the aliases above it) are written into the answer like
// a field's value (outside recheck: 510 errors under 10 KB aliases made a 41
// MB answer the meter read as 440 KB). Past the limit the operation stops as
// it does for fields. Errors outside an operation are not counted.
func ChargeError(ctx context.Context, msg string, path ast.Path) {
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m == nil || m.byteLimit <= 0 {
		return
	}
	n := len(msg) + 64 // the error's own keys
	for _, p := range path {
		if name, ok := p.(ast.PathName); ok {
			n += len(name) + 3
		} else {
			n += 8
		}
	}
	if !m.overBytes.Load() {
		m.addText(n)
	}
}

// addText counts n bytes of the answer's text; past the limit it stops the
// operation as the field limit does (a mutation's later fields still run)
// and reports false.
func (m *meter) addText(n int) bool {
	total := m.bytes.Add(int64(n))
	if total > m.byteLimit {
		m.overBytes.Store(true)
		m.stop()
		return false
	}
	if m.hold != nil && total > FreeBytes {
		if ok, full := m.hold.cover(m.key, total-FreeBytes); !ok {
			m.callerFull.Store(full)
			m.overMemory.Store(true)
			m.stop()
			return false
		}
	}
	return true
}

// stop ends the operation as the field limit does (a mutation's later
// fields still run, each answering errStopped).
func (m *meter) stop() {
	m.over.Store(true)
	if !m.mutation {
		m.cancel(errStopped)
	}
}

// textBytes is the text a field's value carries: its strings' bytes.
func textBytes(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case *string:
		if v != nil {
			return len(*v)
		}
	case []string:
		n := 0
		for _, s := range v {
			n += len(s)
		}
		return n
	case []byte:
		return len(v)
	}
	return 0
}

func withMeter(ctx context.Context, m *meter) context.Context {
	return context.WithValue(ctx, meterKey{}, m)
}

// errStopped is what every field answers once the operation is stopped; a
// query's whole answer is then replaced by one error, a mutation's keeps it.
var errStopped = apperr.New(apperr.InvalidInput, "Not served: the answer reached its size limit (first/last asks for smaller pages).").With("limit", "servedFields")

// InterceptField implements graphql.FieldInterceptor: every field served is
// counted; past the limit, or once the request's deadline has passed, no
// resolver runs any more and the operation's context is cancelled, so its
// database work stops too.
func (x Extension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m == nil {
		return next(ctx)
	}
	if m.over.Load() || m.timedOut.Load() {
		return nil, errStopped
	}
	if err := ctx.Err(); err != nil && !m.mutation {
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
			m.timedOut.Store(true)
		}
		return nil, errStopped
	}
	// The answer's key is text too: an alias of 8,000 characters repeated
	// in every element of a list made 104 MB of keys the meter did not see
	// (outside review). The quotes and colon are counted with it.
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil && m.byteLimit > 0 {
		if !m.addText(len(fc.Field.Alias) + 3) {
			return nil, errStopped
		}
	}
	if m.served.Add(1) > m.limit {
		m.stop() // a mutation's later root fields still run, in order
		return nil, errStopped
	}
	res, err := next(ctx)
	if err != nil && !m.mutation && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		m.timedOut.Store(true)
	}
	if n := textBytes(res); n > 0 && m.byteLimit > 0 && !m.addText(n) {
		return nil, errStopped
	}
	return res, err
}

func (l Limits) check(s Shape, introspection bool) string {
	maxDepth := l.MaxDepth
	if introspection {
		maxDepth = max(maxDepth, l.MaxIntrospectionDepth)
	}
	switch {
	case s.Depth > maxDepth:
		return fmt.Sprintf("The query is %d levels deep; the limit is %d.", s.Depth, maxDepth)
	case s.Aliases > l.MaxAliases:
		return fmt.Sprintf("The query uses %d aliases; the limit is %d.", s.Aliases, l.MaxAliases)
	case s.Directives > l.MaxDirectives:
		return fmt.Sprintf("The query uses %d directives; the limit is %d.", s.Directives, l.MaxDirectives)
	case s.PasswordChecks > 1:
		return fmt.Sprintf("The request checks %d passwords; one request may check one (signIn, changePassword, associateLearningAccount, associatePartnerUniversity, previewAssociation): send each on its own.", s.PasswordChecks)
	case s.Cost > l.MaxCost:
		return fmt.Sprintf("The query could cost %d; the limit is %d (its rate-limit points are the cost ÷ 100). Ask for smaller pages (first/last).", s.Cost, l.MaxCost)
	}
	return ""
}

func refuse(code apperr.Code, msg string, ext map[string]any) graphql.ResponseHandler {
	e := &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(code)}}
	for k, v := range ext {
		e.Extensions[k] = v
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{e}})
}
