package account

import (
	"strings"
	"testing"
	"time"

	"certlink/ent/token"
	"certlink/internal/apperr"
)

// The refusal of an expired or revoked credential is sent as a websocket
// close reason after "UNAUTHENTICATED: ": it must fit RFC 6455's 123 bytes,
// or the close fails and the client learns nothing.
func TestEndedFitsACloseReason(t *testing.T) {
	at := time.Date(2027, 12, 31, 23, 59, 59, 999999000, time.FixedZone("CET", 3600))
	for _, c := range []struct {
		refuse     func(token.Kind, time.Time) *apperr.Error
		words, key string
	}{{Expired, "expired at 2027-12-31T22:59:59Z", "expiredAt"}, {Revoked, " at 2027-12-31T22:59:59Z", "revokedAt"}} {
		for _, k := range []token.Kind{token.KindAPI, token.KindPROVIDER, token.KindSESSION} {
			e := c.refuse(k, at)
			if len(e.Message) > MaxExpiredMessage || !strings.Contains(e.Message, c.words) || e.Extensions[c.key] != "2027-12-31T22:59:59Z" {
				t.Fatalf("%s: %d bytes, %q %v", k, len(e.Message), e.Message, e.Extensions)
			}
		}
	}
}
