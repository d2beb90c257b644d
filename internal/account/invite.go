package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/user"
	"certlink/internal/gid"
	"certlink/internal/viewer"
)

// InviteLifetime is how long the single sign-on link of an invitation works.
const InviteLifetime = 7 * 24 * time.Hour

// The single sign-on link of an invitation proves control of the mailbox the
// invitation went to. Its token is "<user id>.<expiry>.<mac>" (the id as the
// API writes it, internal/gid), the MAC keyed by
// a secret derived from the account's temporary password hash and covering the
// address: it stops working when the invitation is resent (a new temporary
// password), when the account's email is corrected, when its owner chooses a
// password, and once it has been used (binding clears the temporary password).
// Nothing is stored per link.
func inviteMAC(u *ent.User, expires int64) string {
	key := sha256.Sum256([]byte("certlink sso invitation\x00" + u.PasswordHash))
	m := hmac.New(sha256.New, key[:])
	fmt.Fprintf(m, "%d.%d.%s", u.ID, expires, u.Email)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// InviteToken returns the token of u's invitation link, valid until expires.
// u must be a pending invitation (a temporary password).
func InviteToken(ctx context.Context, u *ent.User, expires time.Time) string {
	return fmt.Sprintf("%s.%d.%s", gid.Show(ctx, u.ID), expires.Unix(), inviteMAC(u, expires.Unix()))
}

// InvitedUser returns the pending work account an invitation token was issued
// for, or nil when the token is not (or no longer) valid.
func (s *Service) InvitedUser(ctx context.Context, token string) (*ent.User, error) {
	parts := strings.Split(token, ".")
	if len(token) > 200 || len(parts) != 3 {
		return nil, nil
	}
	id, err1 := gid.Parse(ctx, parts[0])
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || !s.now().Before(time.Unix(exp, 0)) {
		return nil, nil
	}
	u, err := s.Client.User.Query().Where(user.ID(id), user.DeletedAtIsNil()).Only(viewer.System(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !u.MustChangePassword || u.PasswordHash == "" || !hmac.Equal([]byte(inviteMAC(u, exp)), []byte(parts[2])) {
		return nil, nil
	}
	return u, nil
}
