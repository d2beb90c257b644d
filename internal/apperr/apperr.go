// Package apperr holds the errors a caller may meet, each with a code of SPEC A5
// and a message a person understands. Anything else that reaches the transport is
// an internal error: logged with its request id and answered generically.
package apperr

import (
	"errors"
	"fmt"
)

// Code is an A5 error code, sent as extensions.code.
type Code string

const (
	Unauthenticated    Code = "UNAUTHENTICATED"
	Forbidden          Code = "FORBIDDEN"
	NotFound           Code = "NOT_FOUND"
	InvalidInput       Code = "INVALID_INPUT"
	InvalidCredentials Code = "INVALID_CREDENTIALS"
	AssociationLimited Code = "ASSOCIATION_LIMITED"
	Conflict           Code = "CONFLICT"
	RateLimited        Code = "RATE_LIMITED"
	Internal           Code = "INTERNAL"
	RequestTooLarge    Code = "REQUEST_TOO_LARGE"
	QueryTooComplex    Code = "QUERY_TOO_COMPLEX"
	// RequestTimeout: the request (its body) did not arrive in time (408).
	RequestTimeout Code = "REQUEST_TIMEOUT"
	// Cancelled: the caller went away before the answer; nobody reads it and
	// nothing went wrong on the server.
	Cancelled Code = "CANCELLED"
	// MethodNotAllowed: the HTTP method does not fit the request (a mutation
	// over GET); the answer's Allow header says which does (405).
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	// Unavailable: the database cannot serve right now (every host down, a
	// cluster node that left); nothing was changed unless the error's
	// extensions say outcome UNKNOWN. Retry after a few seconds.
	Unavailable Code = "UNAVAILABLE"
	// Timeout: the request ran longer than the server allows (its
	// request-timeout) and was stopped; nothing more was read or changed
	// after that moment. Ask for less, or try again (504).
	Timeout Code = "TIMEOUT"
)

var known = map[Code]bool{Unauthenticated: true, Forbidden: true, NotFound: true, InvalidInput: true,
	InvalidCredentials: true, AssociationLimited: true, Conflict: true, RateLimited: true,
	Internal: true, RequestTooLarge: true, QueryTooComplex: true,
	RequestTimeout: true, Cancelled: true, MethodNotAllowed: true,
	Unavailable: true, Timeout: true}

// Known reports whether code is one of the codes above (metrics label only these).
func Known(code string) bool { return known[Code(code)] }

// Error is a refusal meant for the caller.
type Error struct {
	Code    Code
	Message string
	// Extensions are extra machine-readable details (e.g. the date of the next
	// allowed association, or the list of unmet requirements).
	Extensions map[string]any
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New returns an Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns a copy of e carrying one more extension.
func (e *Error) With(key string, value any) *Error {
	ext := make(map[string]any, len(e.Extensions)+1)
	for k, v := range e.Extensions {
		ext[k] = v
	}
	ext[key] = value
	return &Error{Code: e.Code, Message: e.Message, Extensions: ext}
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns err's code, or Internal when it is not a caller-facing error.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}

// Reasons tell apart, in extensions.reason, refusals of one A5 code that a
// client may want to act on differently. A5's codes are the contract; a
// reason adds to it.
const (
	// ReasonPasswordChange: FORBIDDEN until the person chooses their own
	// password (U2: they signed in with a temporary one).
	ReasonPasswordChange = "PASSWORD_CHANGE_REQUIRED"
	// ReasonRequirementsUnmet: CONFLICT, an offer of an option that is not
	// met (C6); extensions.unmet lists the requirements.
	ReasonRequirementsUnmet = "REQUIREMENTS_UNMET"
	// ReasonScopeMissing: FORBIDDEN, an API token without the scope the
	// operation needs (its maker may hold the role); extensions.scope names it.
	ReasonScopeMissing = "SCOPE_MISSING"
)

// ScopeMissing refuses an API token without scope: FORBIDDEN, reason
// SCOPE_MISSING — told apart from a role the token's maker lacks, so that a
// partner tool knows to ask for a token with the scope, not for a role.
func ScopeMissing(scope string) *Error {
	return New(Forbidden, "This API token lacks the %s scope: a Global Admin can create a token that has it.", scope).
		With("reason", ReasonScopeMissing).With("scope", scope)
}

// PasswordChangeFirst refuses a person still signed in with a temporary
// password: FORBIDDEN, reason PASSWORD_CHANGE_REQUIRED.
func PasswordChangeFirst(message string) *Error {
	return New(Forbidden, "%s", message).With("reason", ReasonPasswordChange)
}

// Common refusals, worded once.
var (
	ErrUnauthenticated = New(Unauthenticated, "Sign in first.")
	ErrForbidden       = New(Forbidden, "You do not have permission to do that.")
)

// TimedOut is the answer to a request stopped at its deadline: one wording
// wherever the deadline is met (a resolver's database call, the meter).
func TimedOut() *Error {
	return New(Timeout, "The request took too long and was stopped; nothing more was read or changed after that moment. Ask for less, or try again.")
}
