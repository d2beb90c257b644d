package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/privacy"

	"certlink/internal/viewer"
)

// The data-layer policies are the last line of defence: domain code decides who
// may do what and then acts through viewer.System. Anything else — a resolver
// that forgot a check, a query walked from a Node — is refused or filtered here.

func allowSystem(ctx context.Context) error {
	if viewer.IsSystem(ctx) {
		return privacy.Allow
	}
	return privacy.Skip
}

// systemOnly: nobody but domain code acting as the system reads or writes.
func systemOnly() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.ContextQueryMutationRule(allowSystem), privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.ContextQueryMutationRule(allowSystem), privacy.AlwaysDenyRule()},
	}
}

// readOpen: the public catalog — anyone reads, only the system writes.
func readOpen() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{privacy.ContextQueryMutationRule(allowSystem), privacy.AlwaysDenyRule()},
	}
}

// orgScoped: readers see rows of their own organization only (operators see all);
// column names the organization id column. Writes are the system's.
func orgScoped(column string, extra ...privacy.QueryRule) ent.Policy {
	query := privacy.QueryPolicy{privacy.ContextQueryMutationRule(allowSystem)}
	query = append(query, extra...)
	return privacy.Policy{
		Query:    append(query, orgFilter(column)),
		Mutation: privacy.MutationPolicy{privacy.ContextQueryMutationRule(allowSystem), privacy.AlwaysDenyRule()},
	}
}
