package guard

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Limits are the per-operation ceilings.
type Limits struct {
	MaxDepth, MaxAliases, MaxDirectives, MaxCost int
}

// DefaultLimits are generous for real clients and stop abuse.
var DefaultLimits = Limits{MaxDepth: 12, MaxAliases: 30, MaxDirectives: 30, MaxCost: 25000}

// Extension measures every operation, refuses the ones over the limits, charges
// the caller's bucket (per token when signed in, else per IP) and reports the
// cost in extensions.cost and X-RateLimit-* headers (A4).
type Extension struct {
	Limits  Limits
	Buckets *Buckets
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = Extension{}

func (Extension) ExtensionName() string                          { return "CostAndRateLimit" }
func (Extension) Validate(schema graphql.ExecutableSchema) error { return nil }

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
	if msg := x.Limits.check(shape); msg != "" {
		return refuse(apperr.InvalidInput, msg, map[string]any{"cost": shape.Cost, "depth": shape.Depth})
	}
	key := "ip:" + web.ClientIP(ctx)
	if v := viewer.From(ctx); v != nil && v.TokenID != 0 {
		key = "token:" + strconv.Itoa(v.TokenID)
	}
	points := Points(shape.Cost)
	q := x.Buckets.Take(key, points)
	h := web.Header(ctx)
	h.Set("X-RateLimit-Limit", strconv.Itoa(q.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(q.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(q.Reset.Unix(), 10))
	cost := map[string]any{
		"requestedQueryCost": shape.Cost, "points": points,
		"limit": q.Limit, "remaining": q.Remaining, "resetAt": q.Reset.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if !q.Allowed {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(q.Reset.Sub(x.Buckets.now()).Seconds()))))
		return refuse(apperr.RateLimited, fmt.Sprintf("Rate limit exceeded: this request costs %.0f points and %d are left. Try again after %s.",
			points, q.Remaining, q.Reset.UTC().Format("15:04:05 UTC")), map[string]any{"cost": cost})
	}
	rh := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		if resp != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["cost"] = cost
		}
		return resp
	}
}

func (l Limits) check(s Shape) string {
	switch {
	case s.Depth > l.MaxDepth:
		return fmt.Sprintf("The query is %d levels deep; the limit is %d.", s.Depth, l.MaxDepth)
	case s.Aliases > l.MaxAliases:
		return fmt.Sprintf("The query uses %d aliases; the limit is %d.", s.Aliases, l.MaxAliases)
	case s.Directives > l.MaxDirectives:
		return fmt.Sprintf("The query uses %d directives; the limit is %d.", s.Directives, l.MaxDirectives)
	case s.Cost > l.MaxCost:
		return fmt.Sprintf("The query could cost %d points; the limit is %d. Ask for smaller pages (first/last).", s.Cost, l.MaxCost)
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
