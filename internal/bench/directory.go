package bench

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"sync"
	"sync/atomic"

	"certlink/internal/linking"
)

// provenOnce is the certification directory as the bench's second linking
// phase sees it: each Learning sign-in is proven once with the directory's
// real check (argon2id, auth's parameters), and while the phase runs the same
// email and password are accepted again without a new argon2id computation —
// as a directory with its own session does it (the OIDC directory,
// --directory-oidc-issuer: the issuer keeps the person signed in and certlink
// checks a signed ID token). It is the bench's stand-in for that session, so
// that the figure shows what certlink's association itself costs; certlink
// never uses it. Off (the first phase), every call goes to the directory.
type provenOnce struct {
	inner linking.Directory
	on    atomic.Bool
	mu    sync.Mutex
	seen  map[string]proof
	// checks counts the calls that reached the directory.
	checks atomic.Int64
}

type proof struct {
	sum [32]byte
	id  int
}

func (d *provenOnce) Authenticate(ctx context.Context, email, password string) (int, error) {
	if !d.on.Load() {
		d.checks.Add(1)
		return d.inner.Authenticate(ctx, email, password)
	}
	sum := sha256.Sum256([]byte(password))
	d.mu.Lock()
	p, ok := d.seen[email]
	d.mu.Unlock()
	if ok && subtle.ConstantTimeCompare(p.sum[:], sum[:]) == 1 {
		return p.id, nil
	}
	d.checks.Add(1)
	id, err := d.inner.Authenticate(ctx, email, password)
	if err != nil {
		return 0, err
	}
	d.mu.Lock()
	if d.seen == nil {
		d.seen = map[string]proof{}
	}
	d.seen[email] = proof{sum, id}
	d.mu.Unlock()
	return id, nil
}
