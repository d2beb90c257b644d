package linking

import (
	"context"
	"strings"

	"certlink/ent"
	"certlink/ent/directoryaccount"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/viewer"
)

// Directory proves ownership of a certification-directory sign-in (L3).
type Directory interface {
	// Authenticate returns the directory account id when email and password are
	// that account's credentials, or an INVALID_CREDENTIALS error.
	Authenticate(ctx context.Context, email, password string) (int, error)
}

// BuiltinDirectory is the certification directory kept in certlink's own
// database, with argon2id password hashes.
type BuiltinDirectory struct {
	Client *ent.Client
	// Passwords runs the argon2id checks; nil: auth.Default.
	Passwords *auth.Hasher
}

var errDirectoryCredentials = apperr.New(apperr.InvalidCredentials,
	"That Learning account email or password is not correct.")

// Authenticate implements Directory.
func (d BuiltinDirectory) Authenticate(ctx context.Context, email, password string) (int, error) {
	email = NormalizeEmail(email)
	if email == "" || password == "" {
		return 0, apperr.New(apperr.InvalidInput, "Enter the account's email and password.")
	}
	acc, err := d.Client.DirectoryAccount.Query().
		Where(directoryaccount.Email(email)).Only(viewer.System(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return 0, err
	}
	if acc != nil && acc.Email != email {
		acc = nil // another spelling a database collation matched: not this account
	}
	hash := ""
	if acc != nil {
		hash = acc.PasswordHash
	}
	h := d.Passwords
	if h == nil {
		h = auth.Default
	}
	// An unknown account costs the same check as a wrong password.
	ok, err := h.Check(ctx, hash, password)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errDirectoryCredentials
	}
	return acc.ID, nil
}

// NormalizeEmail trims and lower-cases an email address; emails compare
// case-insensitively everywhere in certlink.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
