// Package oidclogin signs work accounts in through an OpenID Connect issuer
// (L1, production option): /auth/oidc/login sends the browser to the issuer
// (authorization code flow with PKCE, state and nonce); /auth/oidc/callback
// verifies the ID token and opens an ordinary session for the work account
// bound to its issuer and subject. Nobody is created on the fly (admins invite
// people, U2) and nobody is matched by email: an account is bound to an
// identity only through a proof that the person controls the account
// (binding.go).
package oidclogin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"certlink/ent"
	"certlink/ent/user"
	"certlink/internal/account"
	"certlink/internal/apperr"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Config is the issuer and this client's registration.
type Config struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is <public-url>/auth/oidc/callback, registered at the issuer.
	RedirectURL string
	// Charge takes from the caller of r what a callback that reaches the
	// issuer's token endpoint costs (nil: nothing), or refuses it
	// (RATE_LIMITED): anyone may start flows and send their callbacks with
	// junk codes, and each would make certlink call the issuer — whose own
	// limits on this client would then shut single sign-on for everyone.
	Charge func(r *http.Request) error
}

// Service is a configured OIDC sign-in.
type Service struct {
	Client   *ent.Client
	Accounts *account.Service
	flow     *flow
}

// New discovers the issuer (its /.well-known/openid-configuration and keys).
func New(ctx context.Context, cfg Config, client *ent.Client, accounts *account.Service, hc *http.Client) (*Service, error) {
	f, err := discover(ctx, cfg, hc, "--oidc", flowCookie, "/auth/oidc")
	if err != nil {
		return nil, err
	}
	return &Service{Client: client, Accounts: accounts, flow: f}, nil
}

const flowCookie = "certlink_oidc"

// Login starts the flow: a fresh state, nonce and PKCE verifier kept in a
// short-lived HttpOnly cookie scoped to /auth/oidc. ?link=1 (signed in with a
// password) binds the identity to the signed-in account; ?invite=TOKEN (the
// link of an invitation) to the invited account; else it signs in.
func (s *Service) Login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var err error
	switch {
	case q.Get("invite") != "":
		err = s.flow.start(w, r, plainNonce, modeInvite+base64.RawURLEncoding.EncodeToString([]byte(q.Get("invite"))))
	case q.Get("link") != "":
		session, lerr := s.linkingSession(r)
		if lerr != nil {
			refuse(w, lerr)
			return
		}
		if web.CrossSite(r) {
			refuse(w, apperr.New(apperr.Forbidden, "A link from another site cannot start linking single sign-on: start it from My profile in certlink."))
			return
		}
		err = s.flow.start(w, r, func(secret, _ string) string { return linkNonce(session, secret) }, modeLink)
	default:
		err = s.flow.start(w, r, plainNonce, "")
	}
	if err != nil {
		refuse(w, err)
	}
}

// Callback finishes the flow: it signs the person in, or binds their identity.
func (s *Service) Callback(w http.ResponseWriter, r *http.Request) {
	u, linked, err := s.finish(r)
	s.flow.clear(w, r)
	if err != nil {
		refuse(w, err)
		return
	}
	if linked {
		http.Redirect(w, r, "/profile?sso=linked", http.StatusFound)
		return
	}
	sess, err := s.Accounts.OpenSession(r.Context(), u)
	if _, ok := apperr.As(err); ok {
		refuse(w, err) // the account changed since the identity was checked
		return
	}
	if err != nil {
		refusalPage(w, http.StatusInternalServerError, "Signing in failed on our side. Please try again.")
		return
	}
	web.SetSession(web.WithExchange(r.Context(), w, r), sess.Secret, sess.ExpiresAt)
	slog.InfoContext(r.Context(), "signed in", "user_id", u.ID, "ip", clientIP(r), "method", "oidc")
	http.Redirect(w, r, "/", http.StatusFound)
}

// errSignIn is what a refused callback says; the details go nowhere near the page.
var errSignIn = errors.New("Sign-in with your organization's identity provider failed. Start again from the sign-in page.")

// refuse answers a refused flow with its reason: a caller-facing message, else
// the generic one.
func refuse(w http.ResponseWriter, err error) {
	msg, status := errSignIn.Error(), http.StatusForbidden
	if ae, ok := apperr.As(err); ok {
		msg = ae.Message
		switch ae.Code {
		case apperr.Unavailable:
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", "60")
		case apperr.RateLimited:
			status = http.StatusTooManyRequests
			if after, ok := ae.Extensions["retryAfterSeconds"]; ok {
				w.Header().Set("Retry-After", fmt.Sprint(after))
			}
		}
	} else if errors.Is(err, errNotLinked) || errors.Is(err, errSignIn) {
		msg = err.Error()
	}
	refusalPage(w, status, msg)
}

// refusalPage is what a browser sees when the flow cannot finish: the reason,
// and the way back to the sign-in page. The message is ours (never the
// issuer's), escaped all the same.
func refusalPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = refusalTemplate.Execute(w, msg)
}

var refusalTemplate = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Single sign-on · certlink</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
a{color:#0a58ca}</style></head>
<body><main><h1>Single sign-on did not finish</h1><p>{{.}}</p>
<p><a href="/">Back to certlink's sign-in page</a></p></main></body></html>
`))

// finish ends the flow in its mode: the account to sign in, or linked when the
// identity was bound to the signed-in account (no new session then).
func (s *Service) finish(r *http.Request) (*ent.User, bool, error) {
	ctx := r.Context()
	session := ""
	if c, err := web.Cookie(r, web.SessionCookie); err == nil {
		session = c.Value
	}
	id, extra, err := s.flow.end(r, func(secret, extra string) string {
		if extra == modeLink {
			return linkNonce(session, secret)
		}
		return secret
	})
	if _, coded := apperr.As(err); coded {
		// The issuer unavailable, or the callback's cost refused: said as
		// such, not as a refusal of the person.
		return nil, false, err
	}
	if err != nil {
		return nil, false, errSignIn
	}
	switch {
	case extra == modeLink:
		v := viewer.From(ctx)
		if _, err := s.linkingSession(r); err != nil {
			return nil, false, err
		}
		u, err := s.Client.User.Get(viewer.System(ctx), v.UserID)
		if err != nil {
			return nil, false, err
		}
		_, err = s.bind(ctx, u, id, false)
		return nil, true, err
	case strings.HasPrefix(extra, modeInvite):
		token, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(extra, modeInvite))
		u, err := s.Accounts.InvitedUser(ctx, string(token))
		if err != nil {
			return nil, false, err
		}
		if u == nil {
			return nil, false, apperr.New(apperr.InvalidCredentials,
				"This invitation link is no longer valid: it was used, replaced by a newer invitation, or has expired. Ask your admin to resend the invitation.")
		}
		u, err = s.bind(ctx, u, id, true)
		return u, false, err
	}
	u, err := s.Client.User.Query().Where(user.OidcSubject(id.Subject), user.DeletedAtIsNil()).Only(viewer.System(ctx))
	if err == nil && (u.OidcSubject == nil || *u.OidcSubject != id.Subject) {
		// Subjects are case-sensitive; a case-insensitive collation is not a match.
		err = &ent.NotFoundError{}
	}
	if ent.IsNotFound(err) {
		slog.WarnContext(ctx, "oidc sign-in of an unbound identity", "subject", id.Subject, "email", id.Email, "ip", clientIP(r))
		return nil, false, errNotLinked
	}
	return u, false, err
}

// flow is the authorization code flow with PKCE, state and nonce against one
// issuer, shared by work-account sign-in and the OIDC certification directory.
// Its state lives in a short-lived HttpOnly cookie scoped to path.
type flow struct {
	hc           *http.Client
	cookie, path string
	cfg          Config
	flagPrefix   string

	mu       sync.Mutex
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	// tried is when discovery last failed: it is tried again on use, at most
	// once per retryDiscovery.
	tried   time.Time
	lastErr error
}

// discoveryTimeout bounds one read of the issuer's discovery document; a
// slow issuer held certlink's start-up for minutes with nothing listening.
const discoveryTimeout = 5 * time.Second

// retryDiscovery is how often an unreachable issuer is tried again (a
// variable for the tests).
var retryDiscovery = 10 * time.Second

// errIssuerUnavailable: the issuer could not be reached or failed on its
// side; the flow can be started again later.
var errIssuerUnavailable = apperr.New(apperr.Unavailable,
	"The identity provider cannot be reached right now. Try again in a minute; signing in with your email and password still works.")

// discover reads the issuer's discovery document; flagPrefix names the
// settings in errors (e.g. "--oidc"). An issuer that cannot be reached does
// not stop certlink: the flow is discovered on its first use instead, and
// answers UNAVAILABLE until the issuer answers (review: certlink would not
// start during an identity provider's outage, and with it neither password
// sign-in nor the API).
func discover(ctx context.Context, cfg Config, hc *http.Client, flagPrefix, cookie, path string) (*flow, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("%s-issuer and %s-client-id are both required", flagPrefix, flagPrefix)
	}
	f := &flow{hc: hc, cookie: cookie, path: path, cfg: cfg, flagPrefix: flagPrefix}
	if err := f.discover(ctx); err != nil {
		slog.WarnContext(ctx, "identity provider not reachable at start-up; tried again when used", "issuer", cfg.Issuer, "err", err)
	}
	return f, nil
}

// discover reads the discovery document and keys' address once.
func (f *flow) discover(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	if f.hc != nil {
		ctx = oidc.ClientContext(ctx, f.hc)
	}
	p, err := oidc.NewProvider(ctx, f.cfg.Issuer)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.tried, f.lastErr = time.Now(), fmt.Errorf("%s-issuer %s: %w", f.flagPrefix, f.cfg.Issuer, err)
		return f.lastErr
	}
	f.verifier = p.Verifier(&oidc.Config{ClientID: f.cfg.ClientID})
	f.oauth = oauth2.Config{
		ClientID: f.cfg.ClientID, ClientSecret: f.cfg.ClientSecret, RedirectURL: f.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
	return nil
}

// ready returns the discovered issuer, discovering it when it was not
// reachable before (at most once per retryDiscovery), or errIssuerUnavailable.
func (f *flow) ready(ctx context.Context) (oauth2.Config, *oidc.IDTokenVerifier, error) {
	f.mu.Lock()
	if f.verifier != nil {
		defer f.mu.Unlock()
		return f.oauth, f.verifier, nil
	}
	again := time.Since(f.tried) >= retryDiscovery
	f.mu.Unlock()
	if !again || f.discover(context.WithoutCancel(ctx)) != nil {
		return oauth2.Config{}, nil, errIssuerUnavailable
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.oauth, f.verifier, nil
}

// plainNonce sends the flow's secret itself as the nonce.
func plainNonce(secret, _ string) string { return secret }

// start sends the browser to the issuer with a fresh state, PKCE verifier and
// nonce = nonce(secret, extra), where secret is fresh and kept in the flow
// cookie with extra (which must not contain '.').
func (f *flow) start(w http.ResponseWriter, r *http.Request, nonce func(secret, extra string) string, extra string) error {
	oauth, _, err := f.ready(r.Context())
	if err != nil {
		return err
	}
	state, secret, pkce := random(), random(), oauth2.GenerateVerifier()
	http.SetCookie(w, web.NewCookie(r, f.cookie, state+"."+secret+"."+pkce+"."+extra, f.path, time.Time{}, 600))
	http.Redirect(w, r, oauth.AuthCodeURL(state, oidc.Nonce(nonce(secret, extra)), oauth2.S256ChallengeOption(pkce)), http.StatusFound)
	return nil
}

// clear drops the flow cookie: a flow is finished once, however it ended.
func (f *flow) clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, web.NewCookie(r, f.cookie, "", f.path, time.Time{}, -1))
}

// identity is what a verified ID token says about the person.
type identity struct {
	// Subject is issuer|sub: unique across issuers.
	Subject  string
	Email    string
	Verified bool
}

var errFlow = errors.New("oidc flow refused")

// end checks the callback against the flow cookie (state), redeems the code
// (PKCE) and verifies the ID token (signature, audience, expiry, nonce). It
// returns the identity and the extra kept by start.
func (f *flow) end(r *http.Request, nonce func(secret, extra string) string) (identity, string, error) {
	c, err := web.Cookie(r, f.cookie)
	if err != nil {
		return identity{}, "", errFlow
	}
	parts := strings.Split(c.Value, ".")
	q := r.URL.Query()
	if len(parts) != 4 || parts[0] == "" || q.Get("state") != parts[0] || q.Get("error") != "" {
		return identity{}, "", errFlow
	}
	oauth, verifier, err := f.ready(r.Context())
	if err != nil {
		return identity{}, "", err
	}
	if f.cfg.Charge != nil {
		if err := f.cfg.Charge(r); err != nil {
			return identity{}, "", err
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	if f.hc != nil {
		ctx = oidc.ClientContext(ctx, f.hc)
	}
	tok, err := oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(parts[2]))
	if err != nil {
		// The issuer refused the code (4xx: invalid_grant, …) — or could not
		// answer: unreachable, slow, failing on its side, which is no
		// refusal of the person and says so (review).
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
			return identity{}, "", errFlow
		}
		return identity{}, "", errIssuerUnavailable
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce(parts[1], parts[3]))) != 1 {
		return identity{}, "", errFlow
	}
	if err := checkIssuedAndParty(idt, oauth.ClientID, time.Now()); err != nil {
		return identity{}, "", err
	}
	var claims struct {
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil || idt.Subject == "" {
		return identity{}, "", errFlow
	}
	return identity{Subject: idt.Issuer + "|" + idt.Subject, Email: claims.Email, Verified: claims.Verified}, parts[3], nil
}

// maxClockSkew is how far in the future an ID token's iat may be.
const maxClockSkew = 5 * time.Minute

// checkIssuedAndParty refuses what go-oidc's verifier lets through: an ID
// token issued in the future (past the clock skew), and one for several
// audiences whose authorized party is not this client (OIDC Core 3.1.3.7).
func checkIssuedAndParty(idt *oidc.IDToken, clientID string, now time.Time) error {
	if idt.IssuedAt.After(now.Add(maxClockSkew)) {
		return errFlow
	}
	if len(idt.Audience) > 1 {
		var c struct {
			AZP string `json:"azp"`
		}
		if err := idt.Claims(&c); err != nil || c.AZP != clientID {
			return errFlow
		}
	}
	return nil
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
