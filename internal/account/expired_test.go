package account

import (
	"strings"
	"testing"
	"time"

	"certlink/ent/token"
)

// The refusal of an expired credential is sent as a websocket close reason
// after "UNAUTHENTICATED: ": it must fit RFC 6455's 123 bytes, or the close
// fails and the client learns nothing.
func TestExpiredFitsACloseReason(t *testing.T) {
	at := time.Date(2027, 12, 31, 23, 59, 59, 999999000, time.FixedZone("CET", 3600))
	for _, k := range []token.Kind{token.KindAPI, token.KindPROVIDER, token.KindSESSION} {
		e := Expired(k, at)
		if len(e.Message) > MaxExpiredMessage || !strings.Contains(e.Message, "expired at 2027-12-31T22:59:59Z") || e.Extensions["expiredAt"] != "2027-12-31T22:59:59Z" {
			t.Fatalf("%s: %d bytes, %q %v", k, len(e.Message), e.Message, e.Extensions)
		}
	}
}

// So must the refusal of a revoked one.
func TestRevokedFitsACloseReason(t *testing.T) {
	at := time.Date(2027, 12, 31, 23, 59, 59, 999999000, time.FixedZone("CET", 3600))
	for _, k := range []token.Kind{token.KindAPI, token.KindPROVIDER, token.KindSESSION} {
		e := Revoked(k, at)
		if len(e.Message) > MaxExpiredMessage || !strings.Contains(e.Message, " at 2027-12-31T22:59:59Z") || e.Extensions["revokedAt"] != "2027-12-31T22:59:59Z" {
			t.Fatalf("%s: %d bytes, %q %v", k, len(e.Message), e.Message, e.Extensions)
		}
	}
}
