package ingest

import (
	"context"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/viewer"
)

// ProviderPrefix starts every provider token secret (account.ProviderPrefix).
const ProviderPrefix = "clp_"

// ScopeIngest is the scope provider tokens carry.
const ScopeIngest = "INGEST"

func operatorOnly(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if v.Kind != viewer.KindUser || !v.IsOperator() {
		return apperr.New(apperr.Forbidden, "Only operators manage provider tokens.")
	}
	return nil
}

// CreateProviderToken makes an ingest token for the certification directory
// (L10). The secret is returned once; only its hash is stored.
func (s *Service) CreateProviderToken(ctx context.Context, v *viewer.Viewer, name string) (string, *ent.Token, error) {
	if err := operatorOnly(v); err != nil {
		return "", nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 80 {
		return "", nil, apperr.New(apperr.InvalidInput, "Give the provider token a name of 1 to 80 characters (it becomes the results' source).").With("field", "name")
	}
	secret, err := auth.NewSecret(ProviderPrefix)
	if err != nil {
		return "", nil, err
	}
	t, err := s.Client.Token.Create().SetKind(token.KindPROVIDER).SetName(name).
		SetSecretHash(auth.HashSecret(secret)).SetScopes([]string{ScopeIngest}).
		SetUserID(v.UserID).Save(viewer.System(ctx))
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// ProviderTokens lists provider tokens, newest first.
func (s *Service) ProviderTokens(ctx context.Context, v *viewer.Viewer) ([]*ent.Token, error) {
	if err := operatorOnly(v); err != nil {
		return nil, err
	}
	return s.Client.Token.Query().Where(token.KindEQ(token.KindPROVIDER)).
		Order(ent.Desc(token.FieldCreatedAt), ent.Desc(token.FieldID)).All(viewer.System(ctx))
}

// RevokeProviderToken stops a provider token at once.
func (s *Service) RevokeProviderToken(ctx context.Context, v *viewer.Viewer, id int) (*ent.Token, error) {
	if err := operatorOnly(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	t, err := s.Client.Token.Query().Where(token.ID(id), token.KindEQ(token.KindPROVIDER)).Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "No provider token has id %d.", id)
	}
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	return t.Update().SetRevokedAt(time.Now().UTC()).Save(sys)
}
