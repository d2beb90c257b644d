// Package oidclogin signs work accounts in through an OpenID Connect issuer
// (L1, production option): /auth/oidc/login sends the browser to the issuer
// (authorization code flow with PKCE, state and nonce); /auth/oidc/callback
// verifies the ID token and maps its verified email to a live work account,
// then opens an ordinary session. Nobody is created on the fly: admins invite
// people (U2); the first OIDC sign-in binds the account to the issuer's subject.
package oidclogin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"certlink/ent"
	"certlink/ent/user"
	"certlink/internal/account"
	"certlink/internal/linking"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Config is the issuer and this client's registration.
type Config struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is <public-url>/auth/oidc/callback, registered at the issuer.
	RedirectURL string
}

// Service is a configured OIDC sign-in.
type Service struct {
	Client   *ent.Client
	Accounts *account.Service
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	// HTTPClient reaches the issuer (tests use the in-process issuer's client).
	HTTPClient *http.Client
}

// New discovers the issuer (its /.well-known/openid-configuration and keys).
func New(ctx context.Context, cfg Config, client *ent.Client, accounts *account.Service, hc *http.Client) (*Service, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("--oidc-issuer and --oidc-client-id are both required for OIDC sign-in")
	}
	if hc != nil {
		ctx = oidc.ClientContext(ctx, hc)
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("--oidc-issuer %s: %w", cfg.Issuer, err)
	}
	return &Service{
		Client: client, Accounts: accounts, HTTPClient: hc,
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
		},
	}, nil
}

const flowCookie = "certlink_oidc"

// Login starts the flow: a fresh state, nonce and PKCE verifier kept in a
// short-lived HttpOnly cookie scoped to /auth/oidc.
func (s *Service) Login(w http.ResponseWriter, r *http.Request) {
	state, nonce, pkce := random(), random(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{
		Name: flowCookie, Value: state + "." + nonce + "." + pkce, Path: "/auth/oidc",
		MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, s.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce)), http.StatusFound)
}

// Callback finishes the flow and signs the person in.
func (s *Service) Callback(w http.ResponseWriter, r *http.Request) {
	u, err := s.finish(r)
	if err != nil {
		http.SetCookie(w, &http.Cookie{Name: flowCookie, Path: "/auth/oidc", MaxAge: -1})
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	sess, err := s.Accounts.OpenSession(r.Context(), u)
	if err != nil {
		http.Error(w, "Signing in failed on our side. Please try again.", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Path: "/auth/oidc", MaxAge: -1})
	web.SetSession(web.WithExchange(r.Context(), w, r), sess.Secret, sess.ExpiresAt)
	http.Redirect(w, r, "/", http.StatusFound)
}

// errSignIn is what a refused callback says; the details go nowhere near the page.
var errSignIn = errors.New("Sign-in with your organization's identity provider failed. Start again from the sign-in page.")

func (s *Service) finish(r *http.Request) (*ent.User, error) {
	c, err := r.Cookie(flowCookie)
	if err != nil {
		return nil, errSignIn
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || r.URL.Query().Get("state") != parts[0] || r.URL.Query().Get("error") != "" {
		return nil, errSignIn
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	if s.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, s.HTTPClient)
	}
	tok, err := s.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(parts[2]))
	if err != nil {
		return nil, errSignIn
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != parts[1] {
		return nil, errSignIn
	}
	var claims struct {
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email == "" {
		return nil, errSignIn
	}
	if !claims.Verified {
		return nil, errors.New("Your identity provider has not verified your email address, so it cannot be matched to a work account.")
	}
	return s.match(r.Context(), idt.Issuer+"|"+idt.Subject, linking.NormalizeEmail(claims.Email))
}

// match finds the work account: the one bound to this subject, else the live
// account with this email not yet bound to another subject (and binds it).
func (s *Service) match(ctx context.Context, subject, email string) (*ent.User, error) {
	sys := viewer.System(ctx)
	u, err := s.Client.User.Query().Where(user.OidcSubject(subject), user.DeletedAtIsNil()).Only(sys)
	if err == nil {
		return u, nil
	}
	if !ent.IsNotFound(err) {
		return nil, err
	}
	u, err = s.Client.User.Query().Where(user.Email(email), user.DeletedAtIsNil()).Only(sys)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("There is no work account for %s. Ask your organization's admin to invite you.", email)
	}
	if err != nil {
		return nil, err
	}
	if u.OidcSubject != nil {
		return nil, fmt.Errorf("The work account %s is bound to another identity.", email)
	}
	return s.Client.User.UpdateOne(u).SetOidcSubject(subject).SetMustChangePassword(false).Save(sys)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
