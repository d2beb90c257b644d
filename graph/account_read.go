package graph

import (
	"context"
	"sync"

	"certlink/ent"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// A work account's own fields — roles, sign-in state, creation date, links
// and association allowance — follow the read rule of work accounts (the User
// privacy policy, ent/schema/scope.go) however the User was reached: through
// the users connections and node(id), whose queries the policy filters, and
// also as one of the people who count for progress, an attestation's author
// or a forecast's carrier, which domain code loads as the system. A viewer
// reads those fields of themself and of the accounts the policy lets them
// query; of anyone else they get FORBIDDEN (name and email stay readable
// where progress and the report show them).

var errAccountHidden = apperr.New(apperr.Forbidden,
	"You may not read this work account's roles, sign-in state or links: your organization's admins (and partner tools with USERS_READ) can.")

// readableUsers remembers, for one request, the work accounts the viewer read
// through the policy, and the answers of the checks made here.
type readableUsers struct {
	mu  sync.Mutex
	ids map[int]bool
}

type readableUsersKey struct{}

func withReadableUsers(ctx context.Context) context.Context {
	return context.WithValue(ctx, readableUsersKey{}, &readableUsers{ids: map[int]bool{}})
}

// AccountReads records the users every viewer's query returned — the policy
// has filtered them — so that their fields need no second check. The
// application installs it on the User client.
func AccountReads() ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			v, err := next.Query(ctx, q)
			if err != nil || viewer.IsSystem(ctx) {
				return v, err
			}
			m, _ := ctx.Value(readableUsersKey{}).(*readableUsers)
			if us, ok := v.([]*ent.User); ok && m != nil {
				m.mu.Lock()
				for _, u := range us {
					m.ids[u.ID] = true
				}
				m.mu.Unlock()
			}
			return v, err
		})
	})
}

// accountReadable says whether the viewer may read u's own fields: u is the
// viewer, or the User policy lets the viewer query u.
func (r *Resolver) accountReadable(ctx context.Context, u *ent.User) error {
	if v := viewer.From(ctx); v != nil && !v.HasScope(viewer.ScopeUsersRead) {
		// A partner tool reads account fields only with USERS_READ, its
		// maker's included, however it reached the account.
		return errAccountHidden
	}
	m, _ := ctx.Value(readableUsersKey{}).(*readableUsers)
	if m != nil {
		m.mu.Lock()
		ok := m.ids[u.ID]
		m.mu.Unlock()
		if ok {
			return nil
		}
	}
	v := viewer.From(ctx)
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	// A person reads their own account's fields; so does a partner tool
	// with USERS_READ its maker's (one without was refused above).
	if v.UserID != 0 && v.UserID == u.ID {
		return nil
	}
	if m != nil {
		m.mu.Lock()
		ok, known := m.ids[u.ID]
		m.mu.Unlock()
		if known {
			if ok {
				return nil
			}
			return errAccountHidden
		}
	}
	// Asked as the viewer: the policy decides (and records the answer).
	ok, err := r.Client.User.Query().Where(user.ID(u.ID)).Exist(ctx)
	if err != nil {
		return err
	}
	if m != nil && !ok {
		m.mu.Lock()
		m.ids[u.ID] = false
		m.mu.Unlock()
	}
	if !ok {
		return errAccountHidden
	}
	return nil
}

// ownAccount marks u readable for the rest of the request: signIn answers
// with the account that just proved itself, before any viewer is attached.
func ownAccount(ctx context.Context, u *ent.User) {
	if m, _ := ctx.Value(readableUsersKey{}).(*readableUsers); m != nil && u != nil {
		m.mu.Lock()
		m.ids[u.ID] = true
		m.mu.Unlock()
	}
}
