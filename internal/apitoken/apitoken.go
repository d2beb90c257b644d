// Package apitoken lets a Global Admin make named, scoped API tokens for partner
// tools (A2). The secret is shown once; only its SHA-256 is stored. A token acts
// for its creator's organization with the creator's roles (never OPERATOR) and
// only the scopes it was made with; it stops when revoked, when it expires, or
// when its creator's work account is deleted.
package apitoken

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/predicate"
	"certlink/ent/token"
	"certlink/internal/account"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/clock"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// Service manages API tokens.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

func globalAdmin(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if !v.IsSession() || v.OrgID == 0 || !v.Has(viewer.GlobalAdmin) {
		return apperr.New(apperr.Forbidden, "Only a Global Admin, signed in, can manage API tokens.")
	}
	return nil
}

// Lifetimes of a new token, in days (see CreateApiTokenInput.expiresInDays in
// the schema for why). Tokens made before tokens expired keep a null
// expires_at and work until revoked: nothing backfills them, so no partner
// tool stops on an upgrade; the web app marks them for replacement.
const (
	DefaultLifetimeDays = 90
	MaxLifetimeDays     = 366
)

// Created is a new token with its secret, shown once.
type Created struct {
	Token  *ent.Token
	Secret string
}

// tokenName is an API token's name: one line of at most 200 characters.
var tokenName = text.Field{Name: "name", What: "A token name", Max: 200,
	Length: "Name the token (1 to 200 characters) so you can recognize it later."}

// Create makes a token named name with scopes that expires expiresInDays days
// from now (nil: DefaultLifetimeDays).
func (s *Service) Create(ctx context.Context, v *viewer.Viewer, name string, scopes []string, expiresInDays *int) (*Created, error) {
	if err := globalAdmin(v); err != nil {
		return nil, err
	}
	name, err := tokenName.Check(name)
	if err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		return nil, apperr.New(apperr.InvalidInput, "Give the token at least one scope: %s.", strings.Join(viewer.AllScopes, ", ")).With("field", "scopes")
	}
	var clean []string
	for _, sc := range viewer.AllScopes {
		if slices.Contains(scopes, sc) {
			clean = append(clean, sc)
		}
	}
	for _, sc := range scopes {
		if !slices.Contains(viewer.AllScopes, sc) {
			return nil, apperr.New(apperr.InvalidInput, "%q is not a scope: use %s.", sc, strings.Join(viewer.AllScopes, ", ")).With("field", "scopes")
		}
	}
	days := DefaultLifetimeDays
	if expiresInDays != nil {
		days = *expiresInDays
	}
	if days < 1 || days > MaxLifetimeDays {
		return nil, apperr.New(apperr.InvalidInput, "A token expires 1 to %d days after it is created (%d when not given); %d is outside.", MaxLifetimeDays, DefaultLifetimeDays, days).With("field", "expiresInDays")
	}
	now := s.now()
	expires := now.AddDate(0, 0, days)
	secret, err := auth.NewSecret(account.APITokenPrefix)
	if err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var t *ent.Token
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		// Hold the creator's account: a deleteUser of it racing this either
		// revokes the new token or comes first and makes this refused (L9).
		if err := linking.LockUser(sys, tx, v.UserID); err != nil {
			return err
		}
		live, err := tx.Token.Query().Where(orgTokens(v.OrgID), inForce(now)).Count(sys)
		if err != nil {
			return err
		}
		if live >= MaxLiveTokens {
			return apperr.New(apperr.Conflict, "Your organization has %d API tokens in force, the most it may have: revoke one it no longer needs first.", live).
				With("limit", "apiTokens")
		}
		t, err = tx.Token.Create().SetKind(token.KindAPI).SetName(name).SetSecretHash(auth.HashSecret(secret)).
			SetScopes(clean).SetUserID(v.UserID).SetOrganizationID(v.OrgID).SetCreatedAt(now).SetExpiresAt(expires).Save(sys)
		if err != nil {
			return err
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.TokenCreated, ActorID: v.UserID, OrgID: v.OrgID,
			Detail: fmt.Sprintf("%s created API token “%s”, which may %s, expiring %s.", v.Email, name, scopesInWords(clean), expires.Format("January 2, 2006 15:04 UTC"))})
	})
	if err != nil {
		return nil, err
	}
	return &Created{Token: store.Detached(t), Secret: secret}, nil
}

// scopeWords says what each scope lets a token do, for the audit log (a
// review read "with scopes REPORT_READ" and an escaped \" there).
var scopeWords = map[string]string{
	"PROGRESS_READ": "read competency progress", "REPORT_READ": "read the skills report",
	"USERS_READ": "read the organization's users", "AUDIT_READ": "read the audit log",
}

// scopesInWords is "read x, read y and read z".
func scopesInWords(scopes []string) string {
	words := make([]string, len(scopes))
	for i, s := range scopes {
		if w, ok := scopeWords[s]; ok {
			words[i] = w
		} else {
			words[i] = strings.ToLower(strings.ReplaceAll(s, "_", " "))
		}
	}
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// MaxLiveTokens bounds an organization's API tokens in force (neither
// revoked nor expired): a token nobody sees is one nobody revokes.
const MaxLiveTokens = 100

// listed is how many tokens List answers at most.
const listed = 500

// List returns the organization's API tokens: every one in force, newest
// first, then as many revoked or expired ones as fit in 500, newest first. A
// token in force is never the one left out (an organization with more than
// 500 old tokens listed only the newest 500, in force or not).
func (s *Service) List(ctx context.Context, v *viewer.Viewer) ([]*ent.Token, error) {
	if err := globalAdmin(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	now := s.now()
	org, live := orgTokens(v.OrgID), inForce(now)
	inForceNow, err := s.Client.Token.Query().Where(org, live).Order(ent.Desc(token.FieldID)).Limit(listed).All(sys)
	if err != nil || len(inForceNow) >= listed {
		return inForceNow, err
	}
	rest, err := s.Client.Token.Query().Where(org, token.Not(live)).Order(ent.Desc(token.FieldID)).Limit(listed - len(inForceNow)).All(sys)
	return append(inForceNow, rest...), err
}

// orgTokens are an organization's API tokens.
func orgTokens(orgID int) predicate.Token {
	return token.And(token.KindEQ(token.KindAPI), token.OrganizationID(orgID))
}

// inForce: neither revoked nor expired at now.
func inForce(now time.Time) predicate.Token {
	return token.And(token.RevokedAtIsNil(), token.Or(token.ExpiresAtIsNil(), token.ExpiresAtGT(now)))
}

// Revoke stops a token of the organization at once.
func (s *Service) Revoke(ctx context.Context, v *viewer.Viewer, id int) (*ent.Token, error) {
	if err := globalAdmin(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var t *ent.Token
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		var err error
		t, err = tx.Token.Query().Where(token.ID(id), token.KindEQ(token.KindAPI), token.OrganizationID(v.OrgID)).Only(sys)
		if ent.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "There is no such API token in your organization.")
		}
		if err != nil || t.RevokedAt != nil {
			return err
		}
		if t, err = tx.Token.UpdateOne(t).SetRevokedAt(s.now()).Save(sys); err != nil {
			return err
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.TokenRevoked, ActorID: v.UserID, OrgID: v.OrgID,
			Detail: fmt.Sprintf("%s revoked API token %q.", v.Email, t.Name)})
	})
	if err != nil {
		return nil, err
	}
	return store.Detached(t), nil
}
