package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"certlink/internal/guard"
)

// expensiveFields are the root fields whose work the query's shape cannot
// tell: the engine run in a rolled-back transaction (what-ifs, a link's
// ending impact) or over years of expiries (the forecast).
var expensiveFields = map[string]bool{
	"simulateProgress":        true,
	"simulateCapabilityScore": true,
	"simulateSolutionAreas":   true,
	"forecast":                true,
	"linkEndingImpact":        true,
}

// ExpensiveRootFields holds a slot of x (guard.Expensive) while one of the
// expensive root fields resolves, and refuses it RATE_LIMITED when none
// comes free in time. Every other field passes untouched.
func ExpensiveRootFields(x *guard.Expensive) graphql.RootFieldMiddleware {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		rc := graphql.GetRootFieldContext(ctx)
		// (gqlgen sets rc.Object to the field's name: the root type is the
		// field's object definition.)
		if x == nil || rc == nil || rc.Field.ObjectDefinition == nil || rc.Field.ObjectDefinition.Name != "Query" || !expensiveFields[rc.Field.Name] {
			return next(ctx)
		}
		release, err := x.Acquire(ctx)
		if err != nil {
			graphql.AddError(ctx, err)
			return graphql.Null
		}
		defer release()
		return next(ctx)
	}
}
