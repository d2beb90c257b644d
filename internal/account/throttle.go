package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/user"
	"certlink/internal/gid"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Sign-in throttling (A4) follows OWASP's "device cookies" and what Entra ID's
// smart lockout and Okta do: guesses from where the owner has never signed in
// are throttled per account and per source, while a browser where the owner
// signed in before is recognized and throttled on its own — so no stranger can
// lock the owner out by typing wrong passwords. Every bucket leaks: once full,
// it lets one attempt through every Period/Capacity, a delay rather than a wall.
var (
	// PairRule: guesses at one account from one address.
	PairRule = &throttle.Rule{Name: "sign-in: account and address", Capacity: 5, Period: 15 * time.Minute}
	// AccountRule: guesses at one account from every unrecognized device together
	// (an attacker spread over many addresses).
	AccountRule = &throttle.Rule{Name: "sign-in: account from unrecognized devices", Capacity: 20, Period: 15 * time.Minute}
	// AddressRule: guesses from one address at every account (password
	// spraying). A wrong sign-in counts here whether or not its email has an
	// account: counting only existing accounts' (as before) made the bucket
	// an oracle — fill it, free one slot, try the email, then an invented
	// one: refused when the email exists.
	AddressRule = &throttle.Rule{Name: "sign-in: address", Capacity: 100, Period: 15 * time.Minute}
	// DeviceRule: a browser recognized by its device cookie, on its own.
	DeviceRule = &throttle.Rule{Name: "sign-in: recognized device", Capacity: 10, Period: 15 * time.Minute}
	// CurrentPasswordRule: the current password asked by changePassword, per
	// account, so a stolen session cannot be used to guess it.
	CurrentPasswordRule = &throttle.Rule{Name: "current password", Capacity: 5, Period: 15 * time.Minute}
)

// refusal says which limit a refused sign-in met, in the caller's words.
func refusal(r *throttle.Rule) string {
	switch r {
	case AddressRule:
		return "Too many failed sign-ins from your network address"
	case DeviceRule:
		return "Too many failed sign-ins from this browser"
	}
	return "Too many failed sign-ins for this account"
}

// DeviceCookie recognizes a browser where an account signed in before.
const DeviceCookie = "certlink_device"

// deviceLifetime is how long a browser stays recognized after its last sign-in.
const deviceLifetime = 365 * 24 * time.Hour

// signInKeys are the buckets an attempt counts in: a recognized device's own,
// else those of the account, the address and both together.
func signInKeys(email, ip, device string) []throttle.Key {
	if device != "" {
		return []throttle.Key{{Rule: DeviceRule, Value: device}}
	}
	return []throttle.Key{
		{Rule: PairRule, Value: email + "\x00" + ip},
		{Rule: AccountRule, Value: email},
		{Rule: AddressRule, Value: ip},
	}
}

// The device cookie is "<user id>.<nonce>.<mac>" (the id as the API writes it:
// a raw one would tell an account's holder the installation's count), the MAC keyed by a secret
// derived from the account's password hash: only certlink can make one, it
// names one account, and every cookie of an account stops being recognized
// when its password changes. Nothing is stored per device.
func deviceMAC(u *ent.User, nonce string) string {
	key := sha256.Sum256([]byte("certlink device cookie\x00" + u.PasswordHash))
	m := hmac.New(sha256.New, key[:])
	fmt.Fprintf(m, "%d.%s", u.ID, nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// recognizedDevice returns the nonce of the request's device cookie when it was
// issued to the account with this email, else "".
func (s *Service) recognizedDevice(ctx context.Context, email string) string {
	raw := web.RequestCookie(ctx, DeviceCookie)
	parts := strings.Split(raw, ".")
	if len(raw) > 200 || len(parts) != 3 {
		return ""
	}
	id, err := gid.Parse(ctx, parts[0])
	if err != nil {
		return ""
	}
	u, err := s.Client.User.Query().Where(user.ID(id), user.DeletedAtIsNil()).Only(viewer.System(ctx))
	if err != nil || u.Email != email || u.PasswordHash == "" {
		return ""
	}
	if !hmac.Equal([]byte(deviceMAC(u, parts[1])), []byte(parts[2])) {
		return ""
	}
	return parts[1]
}

// rememberDevice (re)issues the device cookie after a sign-in with the password.
func (s *Service) rememberDevice(ctx context.Context, u *ent.User, nonce string) {
	if nonce == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		nonce = base64.RawURLEncoding.EncodeToString(b)
	}
	web.SetCookie(ctx, DeviceCookie, fmt.Sprintf("%s.%s.%s", gid.Show(ctx, u.ID), nonce, deviceMAC(u, nonce)), "/graphql", s.now().Add(deviceLifetime))
}

// attemptSignIn tests a password under keys like throttle.Limiter.Attempt:
// every attempt is gated by all of keys before anyone knows whether the
// account exists, and a wrong one counts in all of them whether it exists
// or not, so neither a refusal nor the buckets' state tell that.
func (s *Service) attemptSignIn(ctx context.Context, keys []throttle.Key, test func() (bool, error)) (bool, error) {
	if s.Throttle == nil {
		return test()
	}
	r, err := s.Throttle.Reserve(ctx, keys...)
	if err != nil {
		return false, err
	}
	ok, err := test()
	if err != nil || ok {
		r.Release()
	} else {
		r.Failed()
	}
	return ok, err
}

// AddressKey is the bucket of sign-in attempts from one address (tests, metrics).
func AddressKey(ip string) throttle.Key {
	return throttle.Key{Rule: AddressRule, Value: web.AddressKey(ip)}
}
