package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"certlink/ent"
)

// nodes resolves up to 100 global ids. Support tickets are not among ent's
// Noders (see ent/supportticket_node.go): when one is asked for, each id is
// resolved as node(id:) would, its error at its index.
func (r *queryResolver) nodes(ctx context.Context, ids []int) ([]ent.Noder, error) {
	if !slices.ContainsFunc(ids, ent.IsSupportTicketID) {
		return r.Client.Noders(ctx, ids)
	}
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
