// Package account signs work accounts in and out and turns a bearer secret
// (session cookie, session token, API token, provider token) into a viewer.
package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"certlink/ent"
	"certlink/ent/predicate"
	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/clock"
	"certlink/internal/guard"
	"certlink/internal/linking"
	"certlink/internal/store"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Service signs people in and authenticates bearer secrets.
type Service struct {
	Client     *ent.Client
	SessionTTL time.Duration
	Now        func() time.Time
	// Passwords runs the argon2id checks, a bounded number at once.
	Passwords *auth.Hasher
	// Throttle meters attempts at passwords (A4; throttle.go says how). Nil: no throttle.
	Throttle *throttle.Limiter
	// Log receives the security events: failed and throttled sign-ins, sign-ins.
	Log *slog.Logger

	priorityOnce sync.Once
	priority     *guard.Buckets
}

// PriorityRule is how many sign-ins of one account from its recognized
// browsers go before strangers' in the password queue: a few an owner
// needs, not a lane an account's holder can flood. Past it a recognized
// browser's sign-in queues fairly with everyone's (its throttle bucket is
// still its own).
var PriorityRule = struct {
	Capacity float64
	Period   time.Duration
}{Capacity: 10, Period: 15 * time.Minute}

// priorityLane takes one of the account's priority turns; false when they
// are spent.
func (s *Service) priorityLane(email string) bool {
	s.priorityOnce.Do(func() {
		s.priority = &guard.Buckets{Capacity: PriorityRule.Capacity, Period: PriorityRule.Period, Now: s.Now}
	})
	return s.priority.Take(email, 1).Allowed
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *Service) passwords() *auth.Hasher {
	if s.Passwords == nil {
		return auth.Default
	}
	return s.Passwords
}

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
// The attempt is reserved in the throttle before the password is tested, and
// an unknown email costs the same work as a wrong password (one argon2id
// check), so neither timing nor throttling tells whether an account exists.
func (s *Service) SignIn(ctx context.Context, email, password string) (*Session, error) {
	email = linking.NormalizeEmail(email)
	if email == "" || password == "" {
		return nil, apperr.New(apperr.InvalidInput, "Enter your work email and password.")
	}
	if len(password) > 1024 || len(email) > 254 {
		return nil, errCredentials
	}
	ip := web.ClientIP(ctx)
	device := s.recognizedDevice(ctx, email)
	if device != "" && s.priorityLane(email) {
		// The owner's browser: its check goes before any flood of strangers'
		// — a few times in a while, per account: a holder of the account
		// flooding sign-ins with its own cookie (from any number of
		// addresses) went before every stranger without end.
		ctx = auth.WithPriority(ctx)
	}
	sys := viewer.System(ctx)
	var u *ent.User
	test := func() (bool, error) {
		// One query whether or not the account exists: the same work either way.
		var err error
		u, err = s.Client.User.Query().Where(user.Email(email), user.DeletedAtIsNil()).Only(sys)
		if err != nil && !ent.IsNotFound(err) {
			return false, err
		}
		if _, mixed := linking.MixedScriptInEmail(email); u != nil && (u.Email != email || mixed) {
			// A mixed-script spelling ("mоna@" with a Cyrillic о) is no
			// account's: invitations refuse it, so it matches nothing here.
			// An accent- or case-insensitive collation (a DBA's choice; ent
			// creates utf8mb4_bin columns) matched another spelling, "möna@"
			// for "mona@": not this account, or each spelling would be a fresh
			// throttle bucket for guessing at it.
			u = nil
		}
		hash := ""
		if u != nil {
			hash = u.PasswordHash
		}
		return s.passwords().Check(ctx, hash, password)
	}
	ok, err := s.attemptSignIn(ctx, signInKeys(email, web.AddressKey(ip), device), test)
	var refused *throttle.Refusal
	switch {
	case errors.As(err, &refused):
		s.log().WarnContext(ctx, "sign-in throttled", "email", email, "ip", ip, "recognized_device", device != "",
			"rule", refused.Rule.Name, "retry_at", refused.RetryAt)
		return nil, refused.Coded(refusal(refused.Rule))
	case err != nil:
		return nil, err
	case !ok:
		s.log().WarnContext(ctx, "sign-in failed", "email", email, "ip", ip, "recognized_device", device != "",
			"account_exists", u != nil)
		return nil, errCredentials
	}
	// The organization is loaded here, by the system: the caller is still
	// anonymous while signIn's answer (user { organization }) is resolved.
	if u.OrganizationID != nil {
		if u.Edges.Organization, err = u.QueryOrganization().Only(sys); err != nil {
			return nil, err
		}
	}
	sess, err := s.openSession(ctx, u)
	if errors.Is(err, errStale) {
		// The password changed (or the account was deleted) after it was
		// checked above: it is no longer correct.
		return nil, errCredentials
	}
	if err != nil {
		return nil, err
	}
	s.rememberDevice(ctx, u, device)
	s.log().InfoContext(ctx, "signed in", "user_id", u.ID, "ip", ip, "recognized_device", device != "", "method", "password")
	return sess, nil
}

// CheckCurrentPassword tests the password of the account u (changePassword),
// throttled per account like a sign-in.
func (s *Service) CheckCurrentPassword(ctx context.Context, u *ent.User, password string) error {
	ok, err := s.Throttle.Attempt(ctx, []throttle.Key{{Rule: CurrentPasswordRule, Value: strconv.Itoa(u.ID)}}, func() (bool, error) {
		return s.passwords().Check(ctx, u.PasswordHash, password)
	})
	var refused *throttle.Refusal
	switch {
	case errors.As(err, &refused):
		s.log().WarnContext(ctx, "current password throttled", "user_id", u.ID, "ip", web.ClientIP(ctx))
		return refused.Coded("Too many wrong current passwords")
	case err != nil:
		return err
	case !ok:
		s.log().WarnContext(ctx, "current password wrong", "user_id", u.ID, "ip", web.ClientIP(ctx))
		return apperr.New(apperr.InvalidCredentials, "The current password is not correct.").With("field", "currentPassword")
	}
	return nil
}

// HashPassword hashes a new password with the bounded hasher.
func (s *Service) HashPassword(ctx context.Context, password string) (string, error) {
	return s.passwords().Hash(ctx, password)
}

// PasswordIs reports whether password is the one hash was made from (no
// throttle: the caller has checked the account's current password already).
func (s *Service) PasswordIs(ctx context.Context, hash, password string) (bool, error) {
	return s.passwords().Check(ctx, hash, password)
}

// OpenSession starts a session for u (after a password or OIDC sign-in), u as
// it was read when its credentials were checked. The session is opened only if
// those credentials are still current: in one transaction that first writes
// the user row (lock_version + 1) where it is live and still has the password
// hash (and single sign-on subject) u had. Every change that ends all of an
// account's sessions — changePassword, resendInvite, an invitation's single
// sign-on binding, deleteUser — changes that row (a new hash, deleted) in the
// transaction that revokes the sessions, so the two are serialized by the row
// lock (on SQLite by the single writer; on Galera by the commit-time
// certification of the row both write): either the session is opened first
// and revoked with the others, or the sign-in sees the change and is refused.
// Without this, a sign-in that checked the old password before a change and
// opened its session after the change revoked the sessions kept a session
// that outlived the change.
func (s *Service) OpenSession(ctx context.Context, u *ent.User) (*Session, error) {
	sess, err := s.openSession(ctx, u)
	if errors.Is(err, errStale) {
		return nil, apperr.New(apperr.InvalidCredentials, "Your work account changed while you were signing in (a new password, or it was deleted). Sign in again.")
	}
	return sess, err
}

func (s *Service) openSession(ctx context.Context, u *ent.User) (*Session, error) {
	secret, err := auth.NewSecret(SessionPrefix)
	if err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var exp time.Time
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		n, err := tx.User.Update().Where(user.ID(u.ID), user.DeletedAtIsNil(), provedWith(u)).AddLockVersion(1).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return errStale
		}
		exp = s.now().Add(s.SessionTTL)
		c := tx.Token.Create().
			SetKind(token.KindSESSION).
			SetSecretHash(auth.HashSecret(secret)).
			SetUserID(u.ID).
			SetExpiresAt(exp)
		if u.OrganizationID != nil {
			c.SetOrganizationID(*u.OrganizationID)
		}
		_, err = c.Save(sys)
		return err
	})
	if errors.Is(err, errStale) {
		s.log().WarnContext(ctx, "sign-in refused: the credentials changed while they were checked", "user_id", u.ID)
	}
	if err != nil {
		return nil, err
	}
	return &Session{Secret: secret, ExpiresAt: exp, User: u}, nil
}

// errStale: the account's credentials changed (or it was deleted) after the
// sign-in checked them.
var errStale = errors.New("account: credentials changed")

// provedWith matches the user row while its credentials are those of u: the
// same password hash (none: empty or NULL) and single sign-on subject.
func provedWith(u *ent.User) predicate.User {
	hash := user.PasswordHash(u.PasswordHash)
	if u.PasswordHash == "" {
		hash = user.Or(user.PasswordHashIsNil(), user.PasswordHash(""))
	}
	sub := user.OidcSubjectIsNil()
	if u.OidcSubject != nil {
		sub = user.OidcSubject(*u.OidcSubject)
	}
	return user.And(hash, sub)
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
// is unknown: the caller is then anonymous. For one that expired or was
// revoked it returns a nil viewer and the refusal (Expired, Revoked:
// UNAUTHENTICATED, saying when and what to do): the caller is anonymous too,
// and whoever answers them says why.
// Every path — HTTP, the websocket's upgrade and connection_init, each
// operation on a socket and its rechecks — resolves secrets here, so sessions,
// API and provider tokens all meet the same expiry rule.
func (s *Service) Authenticate(ctx context.Context, secret string) (*viewer.Viewer, error) {
	if secret == "" || len(secret) > 200 {
		return nil, nil
	}
	sys := viewer.System(ctx)
	t, u, err := s.tokenOf(sys, auth.HashSecret(secret))
	if err != nil || t == nil {
		return nil, err
	}
	now := s.now()
	if t.RevokedAt != nil {
		return nil, Revoked(t.Kind, *t.RevokedAt)
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, Expired(t.Kind, *t.ExpiresAt)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		// Best effort: a failed stamp must not fail the request.
		_ = s.Client.Token.UpdateOneID(t.ID).SetLastUsedAt(now).Exec(sys)
	}
	v := &viewer.Viewer{TokenID: t.ID, Scopes: t.Scopes}
	if t.ExpiresAt != nil {
		v.ExpiresAt = *t.ExpiresAt
	}
	switch t.Kind {
	case token.KindPROVIDER:
		v.Kind = viewer.KindProvider
		return v, nil
	case token.KindAPI:
		v.Kind = viewer.KindAPIToken
	default:
		v.Kind = viewer.KindUser
	}
	if u == nil {
		return nil, nil // a deleted work account's sessions and tokens stop (L9)
	}
	v.UserID, v.Email, v.Name = u.ID, u.Email, u.Name
	v.MustChangePassword = t.Kind == token.KindSESSION && u.MustChangePassword
	if u.OrganizationID != nil {
		v.OrgID = *u.OrganizationID
	}
	if v.MustChangePassword {
		// The gate on data (U2): a session opened with a temporary password
		// holds no role and no scope, so every rule that reads the viewer's
		// roles — in services, privacy policies, nested fields, subscriptions —
		// sees a person who may see only themself. The root-field gate
		// (graph.PasswordChangeGate) only words the refusal.
		v.Scopes = nil
		return v, nil
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

// tokenOf reads the token whose secret hashes to hash and its live work
// account (nil when it has none or it was deleted) in one statement: every
// request starts here. A nil token: no such secret.
func (s *Service) tokenOf(ctx context.Context, hash []byte) (*ent.Token, *ent.User, error) {
	rows, err := s.Client.QueryContext(ctx, `SELECT t.id, t.kind, t.scopes, t.expires_at, t.last_used_at, t.revoked_at,
  u.id, u.email, u.name, u.roles, u.must_change_password, u.organization_id
FROM tokens t LEFT JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL
WHERE t.secret_hash = ?`, hash)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, nil, rows.Err()
	}
	var (
		t                      ent.Token
		kind                   string
		scopes, roles          []byte
		expires, used, revoked sql.NullTime
		uid, org               sql.NullInt64
		email, name            sql.NullString
		mustChange             sql.NullBool
	)
	if err := rows.Scan(&t.ID, &kind, &scopes, &expires, &used, &revoked, &uid, &email, &name, &roles, &mustChange, &org); err != nil {
		return nil, nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, nil, err
	}
	t.Kind = token.Kind(kind)
	if err := json.Unmarshal(scopes, &t.Scopes); err != nil {
		return nil, nil, fmt.Errorf("token %d: reading its scopes: %w", t.ID, err)
	}
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = nullTime(expires), nullTime(used), nullTime(revoked)
	if !uid.Valid {
		return &t, nil, nil
	}
	u := &ent.User{ID: int(uid.Int64), Email: email.String, Name: name.String, MustChangePassword: mustChange.Bool}
	if len(roles) > 0 {
		if err := json.Unmarshal(roles, &u.Roles); err != nil {
			return nil, nil, fmt.Errorf("user %d: reading its roles: %w", u.ID, err)
		}
	}
	if org.Valid {
		o := int(org.Int64)
		u.OrganizationID = &o
	}
	return &t, u, nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
