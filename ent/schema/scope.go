package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/privacy"

	"certlink/ent/intercept"
	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// wherer adapts a generated query builder so storage-level predicates can be
// added without naming its type (ent's intercept feature).
func wherer(q ent.Query) (intercept.Query, bool) {
	w, err := intercept.NewQuery(q)
	return w, err == nil
}

// orgFilter narrows any org-owned query to the viewer's organization; an operator
// sees every organization; an anonymous caller sees nothing.
func orgFilter(column string) privacy.QueryRule {
	return queryRule(func(ctx context.Context, q ent.Query) error {
		v := viewer.From(ctx)
		if v == nil {
			return privacy.Denyf("anonymous")
		}
		if v.IsOperator() {
			return privacy.Allow
		}
		w, ok := wherer(q)
		if !ok {
			return privacy.Denyf("query %T cannot be scoped", q)
		}
		org := v.OrgID
		w.WhereP(func(s *sql.Selector) { s.Where(sql.EQ(s.C(column), org)) })
		return privacy.Allow
	})
}

// passwordChangeFirst refuses a query of work accounts to a person still
// signed in with a temporary password (U2): me is read by the system, so this
// is any other path to people — me { organization { users } }, node(id).
var passwordChangeFirst = fmt.Errorf("%w: %w", privacy.Deny,
	apperr.PasswordChangeFirst("Choose your own password first (changePassword): you signed in with a temporary one."))

type queryRule func(context.Context, ent.Query) error

func (f queryRule) EvalQuery(ctx context.Context, q ent.Query) error { return f(ctx, q) }

// liveOnly hides soft-deleted rows (deleted work accounts, L9) from every reader
// but the system, then lets the next rule decide.
func liveOnly() privacy.QueryRule {
	return queryRule(func(ctx context.Context, q ent.Query) error {
		if w, ok := wherer(q); ok {
			w.WhereP(func(s *sql.Selector) { s.Where(sql.IsNull(s.C("deleted_at"))) })
		}
		return privacy.Skip
	})
}

// userFilter: admins see their organization's work accounts, and so do partner
// tools acting for them when the token carries USERS_READ; a default user
// sees only themself; a token without that scope sees none (not its maker
// either). An operator, in no organization, reads only their own account,
// as a default user does: tickets and merges name people as PersonRef, read
// by the system (a review read every admin's roles and MCID through
// node(id) as the operator).
func userFilter() privacy.QueryRule {
	return queryRule(func(ctx context.Context, q ent.Query) error {
		v := viewer.From(ctx)
		if v == nil {
			return privacy.Denyf("anonymous")
		}
		w, ok := wherer(q)
		if !ok {
			return privacy.Denyf("query %T cannot be scoped", q)
		}
		if v.MustChangePassword {
			return passwordChangeFirst
		}
		org, self := v.OrgID, v.UserID
		switch {
		case v.IsOperator():
			w.WhereP(func(s *sql.Selector) { s.Where(sql.EQ(s.C("id"), self)) })
		case v.IsUserAdmin() && v.HasScope(viewer.ScopeUsersRead):
			w.WhereP(func(s *sql.Selector) { s.Where(sql.EQ(s.C("organization_id"), org)) })
		case !v.HasScope(viewer.ScopeUsersRead):
			// A partner tool without USERS_READ lists no work account, not
			// even its maker's: whatever it reached would show (or, through
			// a where filter, betray) roles and sign-in state it may not
			// read. Names and emails stay where progress and the report
			// show them.
			w.WhereP(func(s *sql.Selector) { s.Where(sql.False()) })
		default:
			w.WhereP(func(s *sql.Selector) { s.Where(sql.EQ(s.C("id"), self)) })
		}
		return privacy.Allow
	})
}
