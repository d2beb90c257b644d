package oidclogin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/clock"
	"certlink/internal/domains"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/store"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// How a work account gets bound to an identity (issuer + subject), as a careful
// identity provider binds a federated identity to a local account:
//
//   - Never by email alone. An issuer's email claim is only as good as the
//     issuer's checks, an admin can change an account's email, and a
//     multi-tenant issuer lets anyone's tenant assert any address. Sign-in finds
//     the account by issuer and subject only.
//   - The first binding needs a proof that the person controls the account:
//     either they are signed in with their own password in the same browser
//     session (/auth/oidc/login?link=1; the flow's nonce is bound to that
//     session), or they open the single sign-on link of their invitation, which
//     only their mailbox received. A session opened with a temporary password is
//     no proof: the inviter knows that password.
//   - And the identity must assert, verified, the account's own address, in a
//     domain the account's organization has verified: an organization cannot
//     hold, nor bind, accounts that claim another organization's people.
//   - Binding through an invitation ends the temporary password (the inviter
//     knew it) and every session opened with it.
//   - An account stays bound to its subject when an admin corrects its email:
//     a new address gets no way in.
const (
	modeLink   = "link"
	modeInvite = "i"
)

var errNotLinked = errors.New("Your identity at your organization's identity provider is not linked to a certlink work account yet. " +
	"Sign in with your work email and password once and link single sign-on from My profile, or open the single sign-on link of your invitation.")

// linkingSession returns the session secret of a person signed in with their
// own password, who may link single sign-on to their account.
func (s *Service) linkingSession(r *http.Request) (string, error) {
	v := viewer.From(r.Context())
	c, err := web.Cookie(r, web.SessionCookie)
	// The browser's own session, not a bearer header sent along with it.
	if v == nil || err != nil || c.Value == "" || r.Header.Get("Authorization") != "" {
		return "", apperr.New(apperr.Unauthenticated, "Sign in with your work email and password first, then link single sign-on.")
	}
	if !v.IsSession() || v.OrgID == 0 {
		return "", apperr.New(apperr.Forbidden, "Only a work account of an organization can link single sign-on.")
	}
	if v.MustChangePassword {
		return "", apperr.PasswordChangeFirst("Choose your own password first: a temporary password does not prove the account is yours.")
	}
	return c.Value, nil
}

// linkNonce binds a linking flow to the session that started it.
func linkNonce(session, secret string) string {
	sum := sha256.Sum256([]byte("certlink sso link nonce\x00" + session + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// bind binds identity id to the work account u, whose control the caller
// proved (invited: through the invitation link).
func (s *Service) bind(ctx context.Context, u *ent.User, id identity, invited bool) (*ent.User, error) {
	email, exact := linking.VerifiedEmail(id.Email)
	if _, mixed := linking.MixedScriptInEmail(email); !id.Verified || !exact || email != u.Email || mixed {
		slog.WarnContext(ctx, "oidc binding refused: email", "user_id", u.ID, "subject", id.Subject, "email", id.Email, "verified", id.Verified)
		return nil, apperr.New(apperr.Forbidden,
			"Your identity provider must confirm the address %s, this work account's, to link it; it confirmed %q.", u.Email, email)
	}
	if u.OrganizationID == nil {
		return nil, apperr.New(apperr.Forbidden, "Only a work account of an organization can use single sign-on.")
	}
	if u.OidcSubject != nil {
		return nil, apperr.New(apperr.Conflict, "This work account is already linked to single sign-on.")
	}
	sys := viewer.System(ctx)
	if err := domains.Claims(ctx, s.Client, *u.OrganizationID, u.Email); err != nil {
		return nil, err
	}
	var bound *ent.User
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		taken, err := tx.User.Query().Where(user.OidcSubject(id.Subject)).Exist(sys)
		if err != nil {
			return err
		}
		if taken {
			return apperr.New(apperr.Conflict, "Your single sign-on identity is already linked to another work account.")
		}
		// Only while the account is as it was proved: unbound, the same email,
		// the same password (an invitation resent or a password changed in
		// between makes the proof stale).
		up := tx.User.Update().Where(user.ID(u.ID), user.DeletedAtIsNil(), user.OidcSubjectIsNil(),
			user.Email(u.Email), user.PasswordHash(u.PasswordHash)).SetOidcSubject(id.Subject)
		if invited {
			up.SetPasswordHash("").SetMustChangePassword(false)
		}
		n, err := up.Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "The work account changed while you were signing in. Start again.")
		}
		if invited {
			if err := tx.Token.Update().Where(token.UserID(u.ID), token.KindEQ(token.KindSESSION), token.RevokedAtIsNil()).
				SetRevokedAt(clock.Now(s.Accounts.Now)).Exec(sys); err != nil {
				return err
			}
		}
		how := "signed in with their password"
		if invited {
			how = "opened their invitation link; the temporary password no longer works"
		}
		if bound, err = tx.User.Get(sys, u.ID); err != nil {
			return err
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.SSOBound, ActorID: u.ID, OrgID: *u.OrganizationID,
			UserID: u.ID, Detail: fmt.Sprintf("%s linked single sign-on (%s).", u.Email, how)})
	})
	if err != nil {
		return nil, err
	}
	slog.InfoContext(ctx, "oidc identity bound", "user_id", u.ID, "subject", id.Subject, "invited", invited)
	return bound, nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
