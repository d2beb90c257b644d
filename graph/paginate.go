package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// pageCtx is the context an entgql Paginate reads the selection from. Asked
// for pageInfo without edges, entgql's Paginate reads no page: endCursor and
// startCursor are null and hasNextPage is true whenever first is set (a
// review paged users(first:2){pageInfo{endCursor hasNextPage}} and could not
// go on). Then it reads the page as for a caller outside GraphQL, which asks
// for everything; otherwise the selection stands, and with it the nested
// fields' eager loading.
func pageCtx(ctx context.Context) context.Context {
	if graphql.GetFieldContext(ctx) == nil {
		return ctx
	}
	pageInfo, edges := false, false
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "pageInfo":
			pageInfo = true
		case "edges":
			edges = true
		}
	}
	if pageInfo && !edges {
		return withoutSelection{ctx}
	}
	return ctx
}

// withoutSelection is a context without the GraphQL field it resolves: a
// Paginate under it reads every part of the connection.
type withoutSelection struct{ context.Context }

func (c withoutSelection) Value(key any) any {
	v := c.Context.Value(key)
	if _, ok := v.(*graphql.FieldContext); ok {
		return nil
	}
	return v
}
