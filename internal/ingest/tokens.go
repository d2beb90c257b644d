package ingest

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/gid"
	"certlink/internal/text"
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

// providerTokenName is a provider token's name, which becomes its results'
// source: one line of at most 80 characters.
var providerTokenName = text.Field{Name: "name", What: "A provider token name", Max: 80,
	Length: "Give the provider token a name of 1 to 80 characters (it becomes the results' source)."}

// CreateProviderToken makes an ingest token for the certification directory
// (L10). The secret is returned once; only its hash is stored.
func (s *Service) CreateProviderToken(ctx context.Context, v *viewer.Viewer, name string) (string, *ent.Token, error) {
	if err := operatorOnly(v); err != nil {
		return "", nil, err
	}
	name, err := providerTokenName.Check(name)
	if err != nil {
		return "", nil, err
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
		return nil, apperr.New(apperr.NotFound, "No provider token has id %s.", gid.Show(ctx, id))
	}
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	return t.Update().SetRevokedAt(time.Now().UTC()).Save(sys)
}
