// Package viewer carries who is asking through a request's context: a signed-in
// work account, a partner tool's API token, an ingest provider, or the system
// itself (domain code acting after it has checked the rules).
package viewer

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// Role is one of the U1 roles.
type Role string

const (
	GlobalAdmin         Role = "GLOBAL_ADMIN"
	AccountAdmin        Role = "ACCOUNT_ADMIN"
	UserManagementAdmin Role = "USER_MANAGEMENT_ADMIN"
	MPNPartnerAdmin     Role = "MPN_PARTNER_ADMIN"
	Operator            Role = "OPERATOR"
)

// AllRoles lists the roles in the order the API documents them.
var AllRoles = []Role{GlobalAdmin, AccountAdmin, UserManagementAdmin, MPNPartnerAdmin, Operator}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(AllRoles, r) }

// Kind says how the caller proved who it is.
type Kind int

const (
	KindUser     Kind = iota + 1 // session cookie or session bearer token
	KindAPIToken                 // partner tool token made by a Global Admin
	KindProvider                 // certification directory ingest token
)

// Viewer is the authenticated caller.
type Viewer struct {
	Kind    Kind
	UserID  int // 0 for provider tokens
	OrgID   int // 0 for operators and providers
	Email   string
	Name    string
	Roles   []Role
	TokenID int
	Scopes  []string // API tokens only: what the token may do
	// MustChangePassword: an invited user signed in with a temporary password
	// and may do nothing but set their own (U2).
	MustChangePassword bool
	// ExpiresAt: when the session or token stops (zero: never, as provider
	// tokens and API tokens made before tokens expired). A socket signed in
	// with it is checked again at that moment.
	ExpiresAt time.Time
}

// RunsKey names whose share of what runs at once v uses — HTTP requests in
// flight, websockets, their operations and subscriptions: an account's
// sessions together, an API token apart from the account that made it (a
// token given to a partner tool must not stall or shut out its admin), a
// provider token alone. Hourly API points are counted otherwise (per
// account, its tokens included: guard.CallerKey).
func (v *Viewer) RunsKey() string {
	if v.UserID != 0 && v.Kind != KindAPIToken {
		return "user:" + strconv.Itoa(v.UserID)
	}
	return "token:" + strconv.Itoa(v.TokenID)
}

// Has reports whether the viewer holds any of the roles.
func (v *Viewer) Has(roles ...Role) bool {
	if v == nil {
		return false
	}
	for _, r := range roles {
		if slices.Contains(v.Roles, r) {
			return true
		}
	}
	return false
}

// IsOperator reports whether the viewer is platform staff.
func (v *Viewer) IsOperator() bool { return v.Has(Operator) }

// IsCompetencyAdmin reports whether the viewer may see competencies, progress
// and the skills report of its organization (C7).
func (v *Viewer) IsCompetencyAdmin() bool {
	return v != nil && v.OrgID != 0 && v.Has(GlobalAdmin, MPNPartnerAdmin)
}

// IsUserAdmin reports whether the viewer may list and manage its org's users (U1).
func (v *Viewer) IsUserAdmin() bool {
	return v != nil && v.OrgID != 0 && v.Has(GlobalAdmin, AccountAdmin, UserManagementAdmin, MPNPartnerAdmin)
}

// HasScope reports whether an API token carries scope; sessions carry every scope
// their roles allow.
func (v *Viewer) HasScope(scope string) bool {
	if v == nil {
		return false
	}
	if v.Kind != KindAPIToken {
		return true
	}
	return slices.Contains(v.Scopes, scope)
}

type ctxKey struct{}
type systemKey struct{}
type refusedKey struct{}

// WithRefused returns ctx noting why the credential the caller sent was not
// accepted (it expired): the caller is anonymous, and an UNAUTHENTICATED
// answer tells them this rather than "sign in first".
func WithRefused(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, refusedKey{}, err)
}

// Refused returns the error noted by WithRefused, or nil.
func Refused(ctx context.Context) error {
	err, _ := ctx.Value(refusedKey{}).(error)
	return err
}

// With returns ctx carrying v.
func With(ctx context.Context, v *Viewer) context.Context { return context.WithValue(ctx, ctxKey{}, v) }

// From returns the viewer in ctx, or nil when the caller is anonymous.
func From(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}

// System marks ctx as the system acting on its own authority: domain code does
// this after it has applied the rules itself. Data-layer policies let it through.
func System(ctx context.Context) context.Context { return context.WithValue(ctx, systemKey{}, true) }

// IsSystem reports whether ctx was marked by System.
func IsSystem(ctx context.Context) bool {
	b, _ := ctx.Value(systemKey{}).(bool)
	return b
}
