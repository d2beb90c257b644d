package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// openBeforePasswordChange are the root fields an invited user may use while
// still holding a temporary password (U2): see themself, set a password, leave.
var openBeforePasswordChange = map[string]bool{
	"me": true, "changePassword": true, "signOut": true, "signIn": true,
	"__typename": true, "__schema": true, "__type": true,
}

// PasswordChangeGate refuses every other root field with
// PASSWORD_CHANGE_REQUIRED until the user has chosen their own password.
func PasswordChangeGate(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	v := viewer.From(ctx)
	if v != nil && v.MustChangePassword {
		fc := graphql.GetRootFieldContext(ctx)
		if fc != nil && !openBeforePasswordChange[fc.Field.Name] {
			graphql.AddError(ctx, apperr.PasswordChangeFirst("Choose your own password first (changePassword): you signed in with a temporary one."))
			return graphql.Null
		}
	}
	return next(ctx)
}
