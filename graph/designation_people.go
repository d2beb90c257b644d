package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// selectsPeople reports whether the current field's selection asks, at any
// depth, for a field named people: the solution areas list the people a
// skilling metric counts (a read of every one of them) only then.
func selectsPeople(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	oc := graphql.GetOperationContext(ctx)
	var walk func(sel ast.SelectionSet, depth int) bool
	walk = func(sel ast.SelectionSet, depth int) bool {
		if depth > 16 {
			return true
		}
		for _, f := range graphql.CollectFields(oc, sel, nil) {
			if f.Name == "people" || walk(f.Selections, depth+1) {
				return true
			}
		}
		return false
	}
	return walk(fc.Field.Selections, 0)
}
