package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/privacy"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"certlink/ent"
	"certlink/internal/apperr"
	"certlink/internal/gid"
	"certlink/internal/guard"
	"certlink/internal/metrics"
	"certlink/internal/store"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// ErrorPresenter gives every error an A5 code. Caller-facing errors keep their
// message; anything unexpected is logged with the request id and answered
// generically, so no SQL, stack or Go error string reaches a caller.
func ErrorPresenter(ctx context.Context, err error) *gqlerror.Error {
	e := presentError(ctx, err)
	guard.ChargeError(ctx, e.Message, e.Path)
	code, _ := e.Extensions["code"].(string)
	metrics.GraphQLError(code, apperr.Known)
	return e
}

func presentError(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && isNodeNotFound(gqlErr) {
		// entgql's message names the row number an API id hides.
		return &gqlerror.Error{Message: "Nothing you may see has this id.", Path: gqlErr.Path,
			Extensions: map[string]any{"code": string(apperr.NotFound)}}
	}
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		// Parse and validation errors from gqlparser: the caller's query is wrong.
		if code, _ := gqlErr.Extensions["code"].(string); gqlgenCodes[code] {
			// A copy: the transports read the original's code after this
			// presenter ran (the websocket answers a protocol error with an
			// "error" message), so its kind must not change.
			cp := *gqlErr
			cp.Extensions = maps.Clone(gqlErr.Extensions)
			cp.Extensions["code"] = string(apperr.InvalidInput)
			cp.Extensions["graphqlCode"] = code
			// "Did you mean …" names the schema's fields to anyone; gqlparser's
			// switch (SetDisableSuggestion) leaves it on input fields and enum
			// values, so it is cut here, for every caller.
			if i := strings.Index(cp.Message, " Did you mean "); i >= 0 {
				cp.Message = cp.Message[:i]
			}
			gqlErr = &cp
		}
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		if _, ok := gqlErr.Extensions["code"]; !ok {
			gqlErr.Extensions["code"] = string(apperr.InvalidInput)
		}
		if len(gqlErr.Path) > 0 && gqlErr.Path[0] == ast.PathName("variable") {
			gqlErr.Message = variableMessage(gqlErr.Path, gqlErr.Message)
		}
		if m := operationNotFound.FindStringSubmatch(gqlErr.Message); m != nil {
			// gqlgen's "operation %s not found", with an empty name.
			gqlErr.Message = "The document holds several operations: name the one to run in operationName."
			if m[1] != "" {
				gqlErr.Message = clip(fmt.Sprintf("The document has no operation named %q.", m[1]))
			}
		}
		return gqlErr
	}
	if errors.As(err, &gqlErr) && gqlErr.Err != nil {
		if _, coded := apperr.As(gqlErr.Err); !coded && isCoercion(gqlErr.Err) {
			// An argument gqlgen could not coerce (an ID that is not a number, a
			// Time that is not RFC 3339): our resolvers never return a
			// *gqlerror.Error, so this is the caller's input. The Go error
			// (strconv…) stays out of the answer.
			what := "is not valid."
			switch {
			case errors.Is(gqlErr.Err, gid.ErrNotAnID):
				what = "is not an ID this API gave (IDs are 11 characters, as the API returned them)."
			case errors.Is(gqlErr.Err, gid.ErrNotACursor):
				what = "is not a cursor this API gave for this list in this order (a cursor pages only the list, organization and orderBy it came from)."
			}
			gqlErr.Message = clip("The value of " + gqlErr.Path.String() + " " + what)
			if len(gqlErr.Path) == 0 {
				gqlErr.Message = "An argument's value " + what
			}
			gqlErr.Err = nil
			gqlErr.Extensions = map[string]any{"code": string(apperr.InvalidInput)}
			return gqlErr
		}
	}
	pres := graphql.DefaultErrorPresenter(ctx, err)
	e := classify(ctx, err)
	if refused, ok := apperr.As(viewer.Refused(ctx)); ok && e.Code == apperr.Unauthenticated && viewer.From(ctx) == nil {
		// The caller sent a credential that expired: "sign in first" would
		// hide why; this says when it expired and what to do.
		e = refused
	}
	pres.Message = clip(e.Message)
	pres.Extensions = map[string]any{"code": string(e.Code)}
	for k, v := range e.Extensions {
		pres.Extensions[k] = v
	}
	pres.Path = subscriptionPath(ctx, pres.Path)
	return pres
}

// subscriptionPath gives an error of a subscription's answer the path a
// query's would have: gqlgen resolves a subscription's value below its root
// field without it, so the same error read [0,"levels",…] over a websocket
// and ["competencyProgress",0,"levels",…] over HTTP (outside review).
func subscriptionPath(ctx context.Context, path ast.Path) ast.Path {
	if len(path) == 0 || !graphql.HasOperationContext(ctx) {
		return path
	}
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil || op.Operation != ast.Subscription || len(op.SelectionSet) != 1 {
		return path
	}
	f, ok := op.SelectionSet[0].(*ast.Field)
	if !ok {
		return path
	}
	root := f.Alias
	if root == "" {
		root = f.Name
	}
	if name, ok := path[0].(ast.PathName); ok && string(name) == root {
		return path
	}
	return append(ast.Path{ast.PathName(root)}, path...)
}

// gqlgenCodes are the codes gqlgen and entgql give the caller's own mistakes —
// a document that does not parse or validate, a negative first or last —
// which are not A5's: each is answered INVALID_INPUT, the original kept in
// extensions.graphqlCode for tools that tell a stale query from a bad value.
// The HTTP status (422, or 400 for application/graphql-response+json) and the
// websocket's "error" message are chosen from the original code: unchanged.
var gqlgenCodes = map[string]bool{errcode.ValidationFailed: true, errcode.ParseFailed: true, "INVALID_PAGINATION": true}

// gqlparser's words for a variable of the wrong kind name Go's kinds
// ("cannot use slice as ID", "must be a UserWhereInput, not a map") or echo
// the value; the caller is told the GraphQL type it should have sent.
var (
	operationNotFound = regexp.MustCompile(`^operation (.*) not found$`)
	cannotUse         = regexp.MustCompile(`^cannot use .* as (\w+)(?::.*)?$`)
	mustBe            = regexp.MustCompile(`^must be a (\w+), not an? \w+$`)
	notAValid         = regexp.MustCompile(`(?s)^.* is not a valid (\w+)$`)
	keptAsIs          = map[string]bool{"cannot be null": true, "must be defined": true, "unknown field": true}
)

func variableMessage(path ast.Path, msg string) string {
	where := "Variable $" + strings.TrimPrefix(path[1:].String(), ".")
	if len(path) < 2 {
		where = "A variable"
	}
	switch {
	case keptAsIs[msg]:
		return clip(where + " " + msg + ".")
	case cannotUse.MatchString(msg):
		return clip(where + " is not a valid " + cannotUse.FindStringSubmatch(msg)[1] + ".")
	case mustBe.MatchString(msg):
		return clip(where + " must be a " + mustBe.FindStringSubmatch(msg)[1] + ".")
	case notAValid.MatchString(msg):
		return clip(where + " is not a valid " + notAValid.FindStringSubmatch(msg)[1] + ".")
	}
	return clip(where + " is not valid.")
}

// maxMessage bounds an error message: one that quotes the caller's input must
// not send a 200 KB value back.
const maxMessage = 500

func clip(msg string) string {
	if r := []rune(msg); len(r) > maxMessage {
		return string(r[:maxMessage]) + "…"
	}
	return msg
}

// isNodeNotFound reports entgql's "Could not resolve to a node with the
// global id of '<row number>'", which must never reach a caller as it is.
func isNodeNotFound(err error) bool {
	return strings.Contains(err.Error(), "resolve to a node with the global id")
}

func classify(ctx context.Context, err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	switch {
	case errors.Is(err, privacy.Deny):
		if viewer.From(ctx) == nil {
			return apperr.ErrUnauthenticated
		}
		return apperr.ErrForbidden
	case ent.IsNotFound(err):
		return apperr.New(apperr.NotFound, "Not found.")
	case strings.Contains(err.Error(), "ent: empty predicate "):
		// entgql's where inputs refuse an empty object ({}, not:{}, or:[{}]).
		return apperr.New(apperr.InvalidInput, "A where filter holds an empty object (for example not: {} or or: [{}]): leave it out or give it a condition.")
	case ent.IsValidationError(err):
		var ve *ent.ValidationError
		errors.As(err, &ve)
		return apperr.New(apperr.InvalidInput, "The value of %q is not valid.", ve.Name)
	case strings.Contains(err.Error(), "introspection disabled"):
		return apperr.New(apperr.Unauthenticated, "Sign in to explore the schema.")
	case store.Unavailable(err):
		// A database host that cannot serve (every host down, a cluster node
		// out of the primary component): the caller retries, nothing is wrong
		// with the request or with certlink.
		e, _ := apperr.As(store.UnavailableError(err))
		return e
	case errors.Is(err, context.DeadlineExceeded):
		return apperr.TimedOut()
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// The caller left (a completed subscription, a closed socket or
		// connection) or guard's meter stopped the operation: nobody reads
		// this answer, nothing went wrong.
		return apperr.New(apperr.Cancelled, "The request was cancelled.")
	}
	id := web.RequestID(ctx)
	slog.ErrorContext(ctx, "unexpected error", "request_id", id, "err", err,
		"path", graphql.GetPath(ctx).String())
	return apperr.New(apperr.Internal, "Something went wrong on our side (request id %s). Please try again.", id)
}

// Recover turns a panic in a resolver into a logged, generic internal error.
func Recover(ctx context.Context, v any) error {
	slog.ErrorContext(ctx, "panic in resolver", "request_id", web.RequestID(ctx), "panic", v, "stack", string(debug.Stack()))
	return apperr.New(apperr.Internal, "Something went wrong on our side (request id %s). Please try again.", web.RequestID(ctx))
}

// viewerOrErr returns the signed-in viewer or UNAUTHENTICATED.
func viewerOrErr(ctx context.Context) (*viewer.Viewer, error) {
	v := viewer.From(ctx)
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	return v, nil
}

// isCoercion reports whether err is gqlgen failing to coerce an argument: an ID
// that is not a number, a Time that is not RFC 3339, a scalar of the wrong kind.
// Every other resolver error goes through classify (and is logged when unexpected).
func isCoercion(err error) bool {
	var num *strconv.NumError
	var tp *time.ParseError
	if errors.As(err, &num) || errors.As(err, &tp) || errors.Is(err, gid.ErrNotAnID) || errors.Is(err, gid.ErrNotACursor) {
		return true
	}
	msg := err.Error()
	// entgql's cursor decoder: a cursor the caller made up or mangled.
	return strings.Contains(msg, "cannot decode cursor") || strings.Contains(msg, "must be") || strings.Contains(msg, "should be") || strings.Contains(msg, " is not an ") || strings.Contains(msg, " is not a ")
}
