package graph

import (
	"context"
	"sync"
	"time"

	"certlink/ent"
	"certlink/graph/model"
	"certlink/internal/apperr"
	"certlink/internal/linking"
	"certlink/internal/viewer"
)

var errTooManyIDs = apperr.New(apperr.InvalidInput, "Ask for at most 100 ids at once.")

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// userPayload answers a linking mutation with the viewer's fresh profile.
func (r *Resolver) userPayload(ctx context.Context) (*model.UserPayload, error) {
	forgetStatus(ctx)
	u, err := r.Client.User.Get(viewer.System(ctx), viewer.From(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return &model.UserPayload{User: u}, nil
}

// statusMemo keeps each user's linking status and allowances for one
// request: me's link fields share one lookup.
type statusMemo struct {
	mu     sync.Mutex
	m      map[int]linking.Status
	allows map[allowanceKey]linking.Allowance
}

type allowanceKey struct {
	user int
	kind linking.Kind
}

type statusMemoKey struct{}

// WithRequestMemo prepares per-request memos; the HTTP layer calls it.
func WithRequestMemo(ctx context.Context) context.Context {
	ctx = withReadableUsers(ctx)
	return context.WithValue(ctx, statusMemoKey{}, &statusMemo{m: map[int]linking.Status{}, allows: map[allowanceKey]linking.Allowance{}})
}

func forgetStatus(ctx context.Context) {
	if m, ok := ctx.Value(statusMemoKey{}).(*statusMemo); ok {
		m.mu.Lock()
		clear(m.m)
		clear(m.allows)
		m.mu.Unlock()
	}
}

func (r *Resolver) status(ctx context.Context, userID int) (linking.Status, error) {
	m, ok := ctx.Value(statusMemoKey{}).(*statusMemo)
	if !ok {
		return r.Linking.StatusOf(ctx, userID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if st, ok := m.m[userID]; ok {
		return st, nil
	}
	st, err := r.Linking.StatusOf(ctx, userID)
	if err == nil {
		m.m[userID] = st
	}
	return st, err
}

// allowance is a readable account's L6 allowance for its Learning profile
// (MCID), or with partnerUniversity for its Partner University account.
func (r *Resolver) allowance(ctx context.Context, u *ent.User, partnerUniversity bool) (linking.Allowance, error) {
	if err := r.accountReadable(ctx, u); err != nil {
		return linking.Allowance{}, err
	}
	kind := linking.Learning
	if partnerUniversity {
		kind = linking.PartnerUniversity
	}
	st, err := r.status(ctx, u.ID)
	if err != nil {
		return linking.Allowance{}, err
	}
	m, ok := ctx.Value(statusMemoKey{}).(*statusMemo)
	if !ok {
		return r.Linking.AllowanceOf(ctx, u.ID, kind, st.Active(kind))
	}
	key := allowanceKey{u.ID, kind}
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.allows[key]; ok {
		return a, nil
	}
	a, err := r.Linking.AllowanceOf(ctx, u.ID, kind, st.Active(kind))
	if err == nil {
		m.allows[key] = a
	}
	return a, err
}

// nextAllowed is an allowance's next allowed moment, nil when it has none.
func nextAllowed(a linking.Allowance, err error) (*time.Time, error) {
	if err != nil || a.NextAllowedAt.IsZero() {
		return nil, err
	}
	t := a.NextAllowedAt
	return &t, nil
}
