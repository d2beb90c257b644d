package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"certlink/internal/apperr"
)

// MaxPage is the largest page a connection serves (A1, as GitHub's API).
const MaxPage = 100

// ConnectionBounds refuses first/last outside 0..100 on every field, before the
// resolver runs, and gives a connection asked with neither a first page of 100,
// so no connection can be asked for an unbounded page.
func ConnectionBounds(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc != nil && fc.Args != nil {
		if first, ok := fc.Args["first"]; ok {
			last := fc.Args["last"]
			if f, _ := first.(*int); f == nil {
				if l, _ := last.(*int); l == nil {
					n := MaxPage
					fc.Args["first"] = &n
				}
			}
		}
		for _, name := range []string{"first", "last"} {
			if n, ok := fc.Args[name].(*int); ok && n != nil && (*n < 0 || *n > MaxPage) {
				return nil, apperr.New(apperr.InvalidInput, "%s must be between 0 and %d.", name, MaxPage).With("argument", name)
			}
		}
	}
	return next(ctx)
}
