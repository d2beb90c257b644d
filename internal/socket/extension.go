package socket

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// Extension checks, for every operation on a socket, the sign-in (again,
// from the database), the temporary-password gate for subscriptions, and the
// socket's and account's operation caps. Operations over HTTP pass through.
type Extension struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = Extension{}

func (Extension) ExtensionName() string                   { return "SocketSession" }
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor.
func (Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	c := From(ctx)
	if c == nil {
		return next(ctx)
	}
	v, err := c.Recheck(ctx)
	if err != nil {
		var r *Refusal
		if errors.As(err, &r) && strings.HasPrefix(r.Reason, "INTERNAL") {
			return refuse(apperr.Internal, "The sign-in could not be checked. Try again.")
		}
		if errors.As(err, &r) && r.Code == CloseSessionChanged {
			return refuse(apperr.Unauthenticated, "Your roles, organization or password changed: this socket closed. Reconnect.")
		}
		return refuse(apperr.Unauthenticated, "Your sign-in ended (signed out, expired, revoked or deleted): this socket closed.")
	}
	ctx = viewer.With(ctx, v)
	oc := graphql.GetOperationContext(ctx)
	if oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription && v.MustChangePassword {
		return refuse(apperr.PasswordChangeFirst, "Choose your own password first (changePassword): you signed in with a temporary one.")
	}
	release, msg := c.reserve()
	if msg != "" {
		return refuse(apperr.RateLimited, msg)
	}
	// The transport cancels an operation's context when it ends, however it
	// ends (completed, stopped by the client, socket closed).
	context.AfterFunc(ctx, release)
	return next(ctx)
}

func refuse(code apperr.Code, msg string) graphql.ResponseHandler {
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": string(code)}}}})
}
