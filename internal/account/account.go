// Package account signs work accounts in and out and turns a bearer secret
// (session cookie, session token, API token, provider token) into a viewer.
package account

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/clock"
	"certlink/internal/guard"
	"certlink/internal/linking"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Service signs people in and authenticates bearer secrets.
type Service struct {
	Client     *ent.Client
	SessionTTL time.Duration
	Now        func() time.Time
	// AccountFailures and IPFailures meter failed sign-ins (A4): one point per
	// failure; sign-in is refused while a bucket is full. Nil: no throttle.
	AccountFailures, IPFailures *guard.Buckets
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Secret prefixes say what a bearer secret is.
const (
	SessionPrefix  = "cls_"
	APITokenPrefix = "clt_"
	ProviderPrefix = "clp_"
)

var errCredentials = apperr.New(apperr.InvalidCredentials, "The email or password is not correct.")

// Session is a signed-in session.
type Session struct {
	Secret    string
	ExpiresAt time.Time
	User      *ent.User
}

// SignIn checks a work account's email and password (L1) and opens a session.
func (s *Service) SignIn(ctx context.Context, email, password string) (*Session, error) {
	email = linking.NormalizeEmail(email)
	if email == "" || password == "" {
		return nil, apperr.New(apperr.InvalidInput, "Enter your work email and password.")
	}
	if len(password) > 1024 || len(email) > 254 {
		return nil, errCredentials
	}
	ip := web.ClientIP(ctx)
	if err := s.throttled(email, ip); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	// The organization is loaded here, by the system: the caller is still
	// anonymous while signIn's answer (user { organization }) is resolved.
	u, err := s.Client.User.Query().Where(user.Email(email), user.DeletedAtIsNil()).WithOrganization().Only(sys)
	if ent.IsNotFound(err) {
		auth.BurnPasswordCheck(password)
		s.failed(email, ip)
		return nil, errCredentials
	}
	if err != nil {
		return nil, err
	}
	if !auth.CheckPassword(u.PasswordHash, password) {
		s.failed(email, ip)
		return nil, errCredentials
	}
	return s.OpenSession(ctx, u)
}

// throttled refuses sign-in while the account or the IP has used up its failures.
func (s *Service) throttled(email, ip string) error {
	for _, b := range []struct {
		buckets *guard.Buckets
		key     string
	}{{s.AccountFailures, email}, {s.IPFailures, ip}} {
		if b.buckets == nil {
			continue
		}
		if q := b.buckets.Peek(b.key); q.Remaining < 1 {
			return apperr.New(apperr.RateLimited, "Too many failed sign-ins. Try again after %s.", q.Reset.UTC().Format("15:04 UTC")).
				With("retryAt", q.Reset.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

func (s *Service) failed(email, ip string) {
	if s.AccountFailures != nil {
		s.AccountFailures.Take(email, 1)
	}
	if s.IPFailures != nil {
		s.IPFailures.Take(ip, 1)
	}
}

// OpenSession starts a session for u (after a password or OIDC sign-in).
func (s *Service) OpenSession(ctx context.Context, u *ent.User) (*Session, error) {
	secret, err := auth.NewSecret(SessionPrefix)
	if err != nil {
		return nil, err
	}
	exp := s.now().Add(s.SessionTTL)
	c := s.Client.Token.Create().
		SetKind(token.KindSESSION).
		SetSecretHash(auth.HashSecret(secret)).
		SetUserID(u.ID).
		SetExpiresAt(exp)
	if u.OrganizationID != nil {
		c.SetOrganizationID(*u.OrganizationID)
	}
	if _, err := c.Save(viewer.System(ctx)); err != nil {
		return nil, err
	}
	return &Session{Secret: secret, ExpiresAt: exp, User: u}, nil
}

// SignOut revokes the session the viewer is using. Partner tools' and
// providers' tokens are not sessions: whoever made them revokes them
// (revokeApiToken, revokeProviderToken), so a tool cannot end its own
// credential by calling signOut.
func (s *Service) SignOut(ctx context.Context, v *viewer.Viewer) error {
	if v == nil || v.TokenID == 0 {
		return apperr.ErrUnauthenticated
	}
	if v.Kind != viewer.KindUser {
		return apperr.New(apperr.Forbidden, "signOut ends a session; revoke an API or provider token with revokeApiToken or revokeProviderToken.")
	}
	return s.Client.Token.UpdateOneID(v.TokenID).SetRevokedAt(s.now()).Exec(viewer.System(ctx))
}

// Authenticate resolves a bearer secret. It returns (nil, nil) for a secret that
// is unknown, expired or revoked: the caller is then anonymous.
func (s *Service) Authenticate(ctx context.Context, secret string) (*viewer.Viewer, error) {
	if secret == "" || len(secret) > 200 {
		return nil, nil
	}
	sys := viewer.System(ctx)
	t, err := s.Client.Token.Query().Where(token.SecretHash(auth.HashSecret(secret))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return nil, nil
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		// Best effort: a failed stamp must not fail the request.
		_ = s.Client.Token.UpdateOneID(t.ID).SetLastUsedAt(now).Exec(sys)
	}
	v := &viewer.Viewer{TokenID: t.ID, Scopes: t.Scopes}
	switch t.Kind {
	case token.KindPROVIDER:
		v.Kind = viewer.KindProvider
		return v, nil
	case token.KindAPI:
		v.Kind = viewer.KindAPIToken
	default:
		v.Kind = viewer.KindUser
	}
	if t.UserID == nil {
		return nil, nil
	}
	u, err := s.Client.User.Query().Where(user.ID(*t.UserID), user.DeletedAtIsNil()).Only(sys)
	if ent.IsNotFound(err) {
		return nil, nil // a deleted work account's sessions and tokens stop (L9)
	}
	if err != nil {
		return nil, err
	}
	v.UserID, v.Email, v.Name = u.ID, u.Email, u.Name
	v.MustChangePassword = t.Kind == token.KindSESSION && u.MustChangePassword
	if u.OrganizationID != nil {
		v.OrgID = *u.OrganizationID
	}
	for _, r := range u.Roles {
		v.Roles = append(v.Roles, viewer.Role(r))
	}
	if t.Kind == token.KindAPI {
		// A partner tool's token acts for the organization with the admin roles
		// its scopes allow, never as an operator.
		v.Roles = apiRoles(v.Roles)
	}
	return v, nil
}

func apiRoles(rs []viewer.Role) []viewer.Role {
	var out []viewer.Role
	for _, r := range rs {
		if r != viewer.Operator {
			out = append(out, r)
		}
	}
	return out
}
