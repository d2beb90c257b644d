package app

import (
	"context"
	"slices"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/live"
	"certlink/internal/viewer"
)

// watchSessions announces, after its commit, every write that may end or
// change a sign-in — a token revoked, expired, deleted or re-scoped; an
// account deleted, moved, its roles, password or temporary password changed —
// on the live hub (so every process sharing the broker hears it), and closes
// the open websockets it concerns (A1, L9, U2). It watches the entities
// rather than the services, so a write added later is covered too.
func (a *App) watchSessions() {
	tokenFields := []string{token.FieldRevokedAt, token.FieldExpiresAt, token.FieldUserID,
		token.FieldScopes, token.FieldKind, token.FieldSecretHash, token.FieldOrganizationID}
	userFields := []string{user.FieldRoles, user.FieldDeletedAt, user.FieldMustChangePassword,
		user.FieldOrganizationID, user.FieldPasswordHash, user.FieldEmail, user.FieldName}
	a.DB.Client.Token.Use(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			tm, ok := m.(*ent.TokenMutation)
			if !ok || !touches(m, tokenFields) {
				return next.Mutate(ctx, m)
			}
			ids, err := tm.IDs(viewer.System(ctx))
			if err != nil {
				return nil, err
			}
			v, err := next.Mutate(ctx, m)
			if err == nil && len(ids) > 0 {
				afterCommit(tm.Tx, func() { a.Live.PublishSessions(ids, nil) })
			}
			return v, err
		})
	})
	a.DB.Client.User.Use(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			um, ok := m.(*ent.UserMutation)
			if !ok || !touches(m, userFields) {
				return next.Mutate(ctx, m)
			}
			ids, err := um.IDs(viewer.System(ctx))
			if err != nil {
				return nil, err
			}
			v, err := next.Mutate(ctx, m)
			if err == nil && len(ids) > 0 {
				afterCommit(um.Tx, func() { a.Live.PublishSessions(nil, ids) })
			}
			return v, err
		})
	})
	a.Live.OnSessions(func(s live.Sessions) { a.Sockets.Changed(s.Tokens, s.Users) })
}

// touches reports whether m deletes rows or sets or clears one of fields.
func touches(m ent.Mutation, fields []string) bool {
	if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
		return true
	}
	if !m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
		return false // a new token or account ends no sign-in
	}
	for _, f := range append(m.Fields(), m.ClearedFields()...) {
		if slices.Contains(fields, f) {
			return true
		}
	}
	return false
}

// afterCommit runs f once the mutation's transaction committed (at once
// outside a transaction): a socket that checks before the commit would still
// see the old sign-in.
func afterCommit(txOf func() (*ent.Tx, error), f func()) {
	tx, err := txOf()
	if err != nil {
		f()
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				f()
			}
			return err
		})
	})
}
