package oidclogin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"certlink/ent"
	"certlink/ent/directoryaccount"
	"certlink/internal/apperr"
	"certlink/internal/linking"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Directory is the pluggable OIDC certification directory (L3, production
// option): instead of typing the Learning / Partner University account's
// password, a signed-in work-account user proves ownership of that account by
// signing in at the directory's issuer.
//
// GET /auth/directory/login?kind=LEARNING|PARTNER_UNIVERSITY needs the session
// cookie; the nonce sent to the issuer is derived from the session, a fresh
// secret and the kind, so the callback only succeeds in the same session that
// started it. GET /auth/directory/callback maps the ID token to a
// DirectoryAccount — the one bound to its subject, else the one with its
// verified email (binding the subject on first use) — and associates that
// account's profile through linking.Service, the same path as the password
// flow. Both end on /profile, with ?linked=KIND or ?error=CODE&message=….
type Directory struct {
	Client  *ent.Client
	Linking *linking.Service
	flow    *flow
}

const directoryCookie = "certlink_directory"

// NewDirectory discovers the certification directory's issuer. cfg.RedirectURL
// is <public-url>/auth/directory/callback.
func NewDirectory(ctx context.Context, cfg Config, client *ent.Client, l *linking.Service, hc *http.Client) (*Directory, error) {
	f, err := discover(ctx, cfg, hc, "--directory-oidc", directoryCookie, "/auth/directory")
	if err != nil {
		return nil, err
	}
	return &Directory{Client: client, Linking: l, flow: f}, nil
}

// Login starts proving ownership of a directory account of ?kind.
func (d *Directory) Login(w http.ResponseWriter, r *http.Request) {
	kind := linking.Kind(r.URL.Query().Get("kind"))
	if kind != linking.Learning && kind != linking.PartnerUniversity {
		d.fail(w, r, apperr.New(apperr.InvalidInput, "Choose LEARNING or PARTNER_UNIVERSITY."))
		return
	}
	session, err := d.session(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if web.CrossSite(r) {
		// An association (a move from another organization, an L6 quota
		// slot) started by another site's link: the web app asks first, a
		// link from elsewhere would not (review).
		d.fail(w, r, errCrossSiteStart)
		return
	}
	if err := d.flow.start(w, r, func(secret, kind string) string { return directoryNonce(session, secret, kind) }, string(kind)); err != nil {
		d.fail(w, r, err)
	}
}

// Callback finishes the directory sign-in and associates the account's profile.
func (d *Directory) Callback(w http.ResponseWriter, r *http.Request) {
	d.flow.clear(w, r)
	kind, err := d.callback(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/profile?linked="+url.QueryEscape(string(kind)), http.StatusFound)
}

var errCrossSiteStart = apperr.New(apperr.Forbidden,
	"A link from another site cannot start associating an account: start it from My profile in certlink.")

var errDirectorySignIn = apperr.New(apperr.InvalidCredentials,
	"Signing in at the certification directory failed. Start again from My profile.")

func (d *Directory) callback(r *http.Request) (linking.Kind, error) {
	session, err := d.session(r)
	if err != nil {
		return "", err
	}
	v := viewer.From(r.Context())
	id, extra, err := d.flow.end(r, func(secret, kind string) string { return directoryNonce(session, secret, kind) })
	if _, coded := apperr.As(err); coded {
		// The issuer unavailable, or the callback's cost refused: said as
		// such, not as a refusal of the person.
		return "", err
	}
	if err != nil {
		return "", errDirectorySignIn
	}
	kind := linking.Kind(extra)
	accountID, bound, err := d.match(r.Context(), id)
	if err != nil {
		return kind, err
	}
	if err := d.Linking.AssociateDirectoryAccount(r.Context(), v, accountID, kind); err != nil {
		if bound {
			// A refused association leaves nothing behind: the subject this
			// flow bound is unbound, or an identity refused here (another
			// person's address) would keep the directory account's owner out
			// of their own directory sign-in (review).
			d.unbind(r.Context(), accountID, id.Subject)
		}
		return kind, err
	}
	return kind, nil
}

// unbind undoes a binding this flow made, when it still holds.
func (d *Directory) unbind(ctx context.Context, accountID int, subject string) {
	sys := viewer.System(context.WithoutCancel(ctx))
	if _, err := d.Client.DirectoryAccount.Update().
		Where(directoryaccount.ID(accountID), directoryaccount.OidcSubject(subject)).
		ClearOidcSubject().Save(sys); err != nil {
		slog.WarnContext(ctx, "directory binding not undone after a refused association", "directory_account_id", accountID, "err", err)
	}
}

// session returns the session secret of a work account that may associate its
// own accounts, or the refusal.
func (d *Directory) session(r *http.Request) (string, error) {
	v := viewer.From(r.Context())
	c, err := web.Cookie(r, web.SessionCookie)
	if v == nil || err != nil || c.Value == "" {
		return "", apperr.New(apperr.Unauthenticated, "Sign in with your work account first.")
	}
	if err := linking.CheckSelf(v); err != nil {
		return "", err
	}
	if v.MustChangePassword {
		return "", apperr.PasswordChangeFirst("Choose your own password first: you signed in with a temporary one.")
	}
	return c.Value, nil
}

// match finds the directory account: the one bound to this subject, else the
// one with this verified email not yet bound to another subject (and binds
// it: bound says so).
func (d *Directory) match(ctx context.Context, id identity) (accountID int, bound bool, err error) {
	sys := viewer.System(ctx)
	acc, err := d.Client.DirectoryAccount.Query().Where(directoryaccount.OidcSubject(id.Subject)).Only(sys)
	if err == nil && acc.OidcSubject != nil && *acc.OidcSubject == id.Subject {
		return acc.ID, false, nil
	}
	if err == nil {
		// A case-insensitive collation matched another subject: not this one.
		return 0, false, apperr.New(apperr.Forbidden, "Your directory identity does not match a directory account.")
	}
	if !ent.IsNotFound(err) {
		return 0, false, err
	}
	if strings.TrimSpace(id.Email) == "" {
		return 0, false, errDirectorySignIn
	}
	if !id.Verified {
		return 0, false, apperr.New(apperr.InvalidCredentials,
			"The certification directory has not verified your email address, so it cannot be matched to a directory account.")
	}
	email, exact := linking.VerifiedEmail(id.Email)
	if !exact {
		return 0, false, apperr.New(apperr.NotFound, "There is no certification directory account for %q.", id.Email)
	}
	acc, err = d.Client.DirectoryAccount.Query().Where(directoryaccount.Email(email)).Only(sys)
	if _, mixed := linking.MixedScriptInEmail(email); err == nil && (acc.Email != email || mixed) {
		err = &ent.NotFoundError{} // another spelling a collation matched, or a mixed-script look-alike
	}
	if ent.IsNotFound(err) {
		return 0, false, apperr.New(apperr.NotFound, "There is no certification directory account for %s.", email)
	}
	if err != nil {
		return 0, false, err
	}
	if acc.OidcSubject != nil {
		return 0, false, apperr.New(apperr.Forbidden, "The directory account %s is bound to another identity.", email)
	}
	// Bind only while still unbound: two first sign-ins racing cannot both win.
	n, err := d.Client.DirectoryAccount.Update().
		Where(directoryaccount.ID(acc.ID), directoryaccount.OidcSubjectIsNil()).
		SetOidcSubject(id.Subject).Save(sys)
	if err != nil {
		if ent.IsConstraintError(err) {
			return 0, false, apperr.New(apperr.Forbidden, "Your directory identity is already bound to another directory account.")
		}
		return 0, false, err
	}
	if n == 0 {
		return 0, false, apperr.New(apperr.Forbidden, "The directory account %s is bound to another identity.", email)
	}
	return acc.ID, true, nil
}

// fail sends the browser back to My profile with the error's code and message;
// unexpected errors say only that something failed on our side.
func (d *Directory) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := apperr.Internal, "Associating failed on our side. Please try again."
	var ae *apperr.Error
	if errors.As(err, &ae) {
		code, msg = ae.Code, ae.Message
	}
	q := url.Values{"error": {string(code)}, "message": {msg}}
	http.Redirect(w, r, "/profile?"+q.Encode(), http.StatusFound)
}

// directoryNonce binds a flow to the session that started it and to the kind.
func directoryNonce(session, secret, kind string) string {
	sum := sha256.Sum256([]byte("certlink directory nonce\x00" + session + "\x00" + secret + "\x00" + kind))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
