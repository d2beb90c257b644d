// Package auth hashes passwords (argon2id) and bearer secrets (SHA-256).
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// HashPassword returns the PHC string of an argon2id hash of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// hashing bounds the argon2id computations running at once. Each holds 19 MiB:
// a burst of sign-ins and associations (100 clients at once in the reliability
// tests) would otherwise take 2 GB, and more hashes than cores only thrash.
// Callers queue instead, with constant memory.
var hashing = make(chan struct{}, max(2, runtime.NumCPU()))

func idKey(password, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, t, m, p, keyLen)
}

var errBadHash = errors.New("auth: malformed password hash")

// dummyHash is verified against when the account does not exist, so a wrong
// email takes as long as a wrong password.
var dummyHash, _ = HashPassword("certlink: no such account")

// CheckPassword reports whether password matches the PHC hash. An empty hash
// (an account without a password, e.g. OIDC-only) never matches.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		hash = dummyHash
		password += "\x00never"
	}
	ok, err := verify(hash, password)
	return ok && err == nil
}

// BurnPasswordCheck spends the time of one password check, for unknown accounts.
func BurnPasswordCheck(password string) { _, _ = verify(dummyHash, password+"\x00never") }

func verify(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewSecret returns a random bearer secret with a readable prefix that says its
// kind (so a leaked one can be recognized by secret scanners).
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is what is stored for a bearer secret: its SHA-256. Secrets carry
// 256 random bits, so a fast hash is enough and lookups stay a single index probe.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
