package socket

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"certlink/internal/apperr"
	"certlink/internal/guard"
	"certlink/internal/viewer"
)

// Extension checks, for every operation on a socket, the sign-in (again,
// from the database), the temporary-password gate for subscriptions, and the
// socket's and account's operation caps. Operations over HTTP pass through.
// Memory, when set, is the process's answer memory each operation's answer
// holds room in until it is written.
type Extension struct {
	Memory *guard.Memory
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = Extension{}

func (Extension) ExtensionName() string                   { return "SocketSession" }
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor.
func (x Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	c := From(ctx)
	if c == nil {
		return next(ctx)
	}
	v, err := c.Recheck(ctx)
	if err != nil {
		var r *Refusal
		switch {
		case !errors.As(err, &r):
			// Completed by the client (or the socket closing) while its
			// sign-in was being checked: nobody reads an answer, and an
			// INTERNAL "cancelled" would be a server error that was none.
			return func(context.Context) *graphql.Response { return nil }
		case strings.HasPrefix(r.Reason, "INTERNAL"):
			return refuse(apperr.Internal, "The sign-in could not be checked. Try again.")
		case r.Code == CloseSessionChanged:
			return refuse(apperr.Unauthenticated, "Your roles, organization or password changed: this socket closed. Reconnect.")
		case r.Message != "":
			return refuse(apperr.Unauthenticated, r.Message+" This socket closed.")
		default:
			return refuse(apperr.Unauthenticated, "Your sign-in ended (signed out, expired, revoked or deleted): this socket closed.")
		}
	}
	ctx = viewer.With(ctx, v)
	oc := graphql.GetOperationContext(ctx)
	subscription := oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription
	if subscription && v.MustChangePassword {
		e := apperr.PasswordChangeFirst("Choose your own password first (changePassword): you signed in with a temporary one.")
		return refuse(e.Code, e.Message, "reason", apperr.ReasonPasswordChange)
	}
	if !subscription && c.g.Limits.OperationTimeout > 0 {
		// A query or mutation sent on a socket has the deadline of an HTTP
		// request (--request-timeout).
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.g.Limits.OperationTimeout)
		context.AfterFunc(ctx, cancel)
	}
	slot, msg := c.reserve(subscription)
	if msg != "" {
		return refuse(apperr.RateLimited, msg)
	}
	// The operation's answer holds its room in the process's answer memory
	// until its last message is written (guard.Memory): queued answers of
	// a client that reads none cannot pile up past it.
	ctx, unhold := guard.WithHold(ctx, x.Memory)
	release := func() { slot(); unhold() }
	// The transport cancels an operation's context when it ends, however it
	// ends (completed, stopped by the client, socket closed) — just after
	// writing its complete. The socket gives the slot back just before, so a
	// client that got the complete has the room again.
	context.AfterFunc(ctx, release)
	if oc != nil {
		if id, ok := oc.Extensions[OperationExtension].(string); ok {
			c.ws.onEnd(id, release)
		}
	}
	return next(ctx)
}

// refuse answers an operation with one error; ext are extra extension keys
// and values, in pairs.
func refuse(code apperr.Code, msg string, ext ...string) graphql.ResponseHandler {
	extensions := map[string]any{"code": string(code)}
	for i := 0; i+1 < len(ext); i += 2 {
		extensions[ext[i]] = ext[i+1]
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: extensions}}})
}

// InterceptResponse implements graphql.ResponseInterceptor: before a
// subscription's data leaves, the sign-in is checked again when its last
// check is older than PushCheck. A session ended or changed through another
// process (a sign-out, a deletion, a demotion there) is seen here: the socket
// closes (4401, 4403) and nothing more is sent.
func (Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	c := From(ctx)
	if c == nil || resp == nil {
		return resp
	}
	if c.isClosed() {
		// Closed while this answer was computed (its sign-in ended, or the
		// client went): the answer, cut short by the cancelled context, is
		// not sent.
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return resp
	}
	if err := c.RecheckWithin(ctx, PushCheck); err != nil {
		return nil
	}
	return resp
}
