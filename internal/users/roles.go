// Package users manages work accounts (U1, U2) and leavers (L9): listing,
// inviting, correcting, role assignment, password change, deletion and removal
// from the skills report. Every rule of who may do what is in this file.
package users

import (
	"slices"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// managers may create and manage the organization's users (U1).
var managers = []viewer.Role{viewer.GlobalAdmin, viewer.AccountAdmin, viewer.UserManagementAdmin}

// canManage checks that v may create and manage users: a person signed in (not a
// partner tool) holding a user-management role in an organization.
func canManage(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if !v.IsSession() || v.OrgID == 0 || !v.Has(managers...) {
		return apperr.New(apperr.Forbidden, "Only a Global Admin, Account Admin or User Management Admin can manage users.")
	}
	return nil
}

// Grantable is the role hierarchy, in one place: what v may grant or take away,
// and so (mayActOn) whose accounts v may act on. A Global Admin every role but
// OPERATOR; an Account Admin the roles that do not administer administrators;
// nobody else anything (MPN Partner Admins see roles, they do not assign them;
// User Management Admins manage default users).
func Grantable(v *viewer.Viewer) []viewer.Role {
	switch {
	case v == nil || !v.IsSession() || v.OrgID == 0:
		return nil
	case v.Has(viewer.GlobalAdmin):
		return []viewer.Role{viewer.GlobalAdmin, viewer.AccountAdmin, viewer.UserManagementAdmin, viewer.MPNPartnerAdmin}
	case v.Has(viewer.AccountAdmin):
		return []viewer.Role{viewer.UserManagementAdmin, viewer.MPNPartnerAdmin}
	}
	return nil
}

// mayActOn applies the hierarchy to an account: v may act on another person's
// account — resend its invitation, correct its email, assign its roles, delete
// it, take it out of the skills report — only when v may grant every role that
// account holds. Nobody reaches an account above their own reach: a User
// Management Admin or MPN Partner Admin acts on default users only, an Account
// Admin not on Global Admins or other Account Admins.
func mayActOn(v *viewer.Viewer, roles []string) error {
	allowed := Grantable(v)
	for _, r := range roles {
		if !slices.Contains(allowed, viewer.Role(r)) {
			return apperr.New(apperr.Forbidden, "You cannot act on the account of someone holding the %s role: only an admin who may grant that role can.", r)
		}
	}
	return nil
}

// checkChange checks that v may take a user's roles from old to next.
func checkChange(v *viewer.Viewer, old, next []string) error {
	for _, r := range next {
		if !viewer.Role(r).Valid() {
			return apperr.New(apperr.InvalidInput, "%q is not a role.", r)
		}
		if viewer.Role(r) == viewer.Operator {
			return apperr.New(apperr.Forbidden, "OPERATOR is platform staff: no one can grant it.")
		}
	}
	allowed := Grantable(v)
	if len(allowed) == 0 {
		return apperr.New(apperr.Forbidden, "Only a Global Admin or Account Admin can assign roles.")
	}
	for _, r := range symmetricDiff(old, next) {
		if !slices.Contains(allowed, viewer.Role(r)) {
			return apperr.New(apperr.Forbidden, "You cannot grant or remove the %s role: only a Global Admin can.", r)
		}
	}
	return nil
}

func symmetricDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}

// normalizeRoles sorts and de-duplicates roles in the API's order.
func normalizeRoles(in []string) []string {
	out := []string{}
	for _, r := range viewer.AllRoles {
		if slices.Contains(in, string(r)) {
			out = append(out, string(r))
		}
	}
	for _, r := range in {
		if !viewer.Role(r).Valid() && !slices.Contains(out, r) {
			out = append(out, r) // kept so checkChange names it
		}
	}
	return out
}
