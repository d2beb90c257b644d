package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"certlink/ent"
	"certlink/internal/apperr"
	"certlink/internal/gid"
)

// nodes resolves up to 100 global ids, each as node(id:) does, its error at
// its index. (ent's Noders names an id it cannot resolve by its row number,
// which the API's ids exist to hide: a review read every id's row back from
// that message.)
func (r *queryResolver) nodes(ctx context.Context, ids []int) ([]ent.Noder, error) {
	out := make([]ent.Noder, len(ids))
	for i, id := range ids {
		n, err := r.Node(ctx, id)
		if err != nil {
			graphql.AddError(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), err)
			continue
		}
		out[i] = n
	}
	return out, nil
}

// noder is ent's Noder with its refusal in the API's words: a row the caller
// may not see, of a type node does not serve, or none at all is one answer,
// naming the id as the caller gave it.
func (r *queryResolver) noder(ctx context.Context, id int) (ent.Noder, error) {
	n, err := r.Client.Noder(ctx, id)
	if err == nil {
		return n, nil
	}
	if _, coded := apperr.As(err); coded {
		return nil, err
	}
	if ent.IsNotFound(err) || isNodeNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "Nothing you may see has the id %s.", gid.Show(ctx, id))
	}
	return nil, err
}
