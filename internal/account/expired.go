package account

import (
	"fmt"
	"time"

	"certlink/ent/token"
	"certlink/internal/apperr"
)

// MaxExpiredMessage bounds Expired's message: a websocket sends it as its close
// reason after "UNAUTHENTICATED: ", and RFC 6455 allows 123 bytes there.
const MaxExpiredMessage = 123 - len("UNAUTHENTICATED: ")

// Expired is the refusal of a credential of kind that expired at at: it says
// so, when, and what to do, in one short sentence (MaxExpiredMessage), with
// the moment in extensions.expiredAt.
func Expired(kind token.Kind, at time.Time) *apperr.Error {
	return expired.refuse(kind, at)
}

// Revoked is the refusal of a credential of kind revoked (or, a session,
// ended) at at: as Expired, with the moment in extensions.revokedAt. Only
// the secret's holder can be told it, and a partner tool that restarts learns
// why its token stopped, instead of the "Sign in first." of a secret never
// issued (review).
func Revoked(kind token.Kind, at time.Time) *apperr.Error {
	return revoked.refuse(kind, at)
}

// ending words how a credential stopped: what each kind is told (a format
// of the moment) and the extension that carries the moment.
type ending struct{ api, provider, session, key string }

var (
	expired = ending{"This API token expired at %s", "This provider token expired at %s",
		"Your session expired at %s; sign in again.", "expiredAt"}
	revoked = ending{"This API token was revoked at %s", "This provider token was revoked at %s",
		"Your session ended at %s (signed out, or its account changed); sign in again.", "revokedAt"}
)

func (e ending) refuse(kind token.Kind, at time.Time) *apperr.Error {
	when := at.UTC().Truncate(time.Second).Format(time.RFC3339)
	var msg string
	switch kind {
	case token.KindAPI:
		msg = fmt.Sprintf(e.api, when) + "; ask a Global Admin of your organization for a new one."
	case token.KindPROVIDER:
		msg = fmt.Sprintf(e.provider, when) + "; ask a certlink operator for a new one."
	default:
		msg = fmt.Sprintf(e.session, when)
	}
	return apperr.New(apperr.Unauthenticated, "%s", msg).With(e.key, when)
}
