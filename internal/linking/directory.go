package linking

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

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
	if _, mixed := MixedScriptInEmail(email); acc != nil && (acc.Email != email || mixed) {
		// Another spelling a database collation matched, or a mixed-script
		// look-alike ("mоna@" with a Cyrillic о): not this account.
		acc = nil
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

// NormalizeEmail trims, NFKC-normalises and lower-cases an email address:
// emails compare case-insensitively everywhere in certlink, and a full-width
// or otherwise compatibility form ("ａlex@") is the address it stands for
// ("alex@"), at invitation, at an email change and at sign-in alike.
func NormalizeEmail(s string) string {
	return strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
}

// VerifiedEmail is the address an identity provider verified, as certlink
// compares addresses, when that is the same address: the claim may differ
// from its normal form in ASCII letter case only. A provider that verified
// "ａlex@learn.example" (a full-width a), " riley@…" or "Kelvin" with U+212A
// verified that string, not the address NormalizeEmail makes of it (a
// review took alex's MCID with an identity whose verified email was the
// full-width look-alike). ok is false for any other claim.
func VerifiedEmail(claim string) (email string, ok bool) {
	email = NormalizeEmail(claim)
	lower := []byte(claim)
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + ('a' - 'A')
		}
	}
	return email, email != "" && string(lower) == email
}

// InvisibleInEmail reports the first character of a normalised email that has
// no place in an address an admin reads: control and format characters
// (zero-width space, joiners, bidi marks, soft hyphen), separators of any
// kind, private-use and default-ignorable code points, variation selectors.
// Such an address would look like another one ("alex\u200b@" like "alex@").
func InvisibleInEmail(email string) (rune, bool) {
	for _, r := range email {
		if r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Z,
			unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) {
			return r, true
		}
	}
	return 0, false
}
