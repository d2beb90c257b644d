package linking

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Directory passwords typed into associateLearningAccount and
// associatePartnerUniversity are throttled like sign-in (A4): each attempt is
// reserved before the password is tested, per directory account and per
// caller. The person who owns a directory account usually works for another
// organization than whoever guesses at it, so the tightest bucket is the
// account within the caller's organization: guessing from one organization
// cannot lock the owner out elsewhere, and spreading guesses over organizations
// meets the account's own, larger bucket — a delay, not a wall.
var (
	// DirectoryPairRule: one directory account guessed from one organization.
	DirectoryPairRule = &throttle.Rule{Name: "directory password: account and organization", Capacity: 5, Period: 15 * time.Minute}
	// DirectoryAccountRule: one directory account guessed from anywhere.
	DirectoryAccountRule = &throttle.Rule{Name: "directory password: account", Capacity: 20, Period: 15 * time.Minute}
	// DirectoryCallerRule: one work account guessing at any directory accounts.
	DirectoryCallerRule = &throttle.Rule{Name: "directory password: caller", Capacity: 10, Period: 15 * time.Minute}
)

func directoryKeys(v *viewer.Viewer, email string) []throttle.Key {
	return []throttle.Key{
		{Rule: DirectoryPairRule, Value: email + "\x00" + strconv.Itoa(v.OrgID)},
		{Rule: DirectoryAccountRule, Value: email},
		{Rule: DirectoryCallerRule, Value: strconv.Itoa(v.UserID)},
	}
}

// authenticate proves the viewer holds a directory account's credentials,
// under the throttle.
func (s *Service) authenticate(ctx context.Context, v *viewer.Viewer, email, password string) (int, error) {
	email = NormalizeEmail(email)
	if email == "" || password == "" {
		return 0, apperr.New(apperr.InvalidInput, "Enter the account's email and password.")
	}
	if len(email) > 254 || len(password) > 1024 {
		return 0, errDirectoryCredentials
	}
	var id int
	var wrong error
	ok, err := s.Throttle.Attempt(ctx, directoryKeys(v, email), func() (bool, error) {
		var err error
		id, err = s.Directory.Authenticate(ctx, email, password)
		if apperr.CodeOf(err) == apperr.InvalidCredentials {
			wrong = err
			return false, nil
		}
		return err == nil, err
	})
	var refused *throttle.Refusal
	switch {
	case errors.As(err, &refused):
		slog.WarnContext(ctx, "directory password throttled", "directory_email", email, "user_id", v.UserID,
			"ip", web.ClientIP(ctx), "rule", refused.Rule.Name)
		return 0, refused.Coded("Too many wrong passwords for this directory account")
	case err != nil:
		return 0, err
	case !ok:
		slog.WarnContext(ctx, "directory password wrong", "directory_email", email, "user_id", v.UserID, "ip", web.ClientIP(ctx))
		return 0, wrong
	}
	return id, nil
}

// DirectoryAccountKey is the bucket of one directory account (tests, metrics).
func DirectoryAccountKey(email string) throttle.Key {
	return throttle.Key{Rule: DirectoryAccountRule, Value: NormalizeEmail(email)}
}
