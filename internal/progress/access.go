package progress

import (
	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// Authorize applies C7: only a Global Admin or MPN Partner Admin of an
// organization — signed in, or through an API token of that organization
// carrying scope (viewer.ScopeProgressRead or viewer.ScopeReportRead) — sees its competencies, progress and skills report. Everyone
// else (default users, other admins, operators, providers) is refused.
func Authorize(v *viewer.Viewer, scope string) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if !v.IsCompetencyAdmin() || (v.Kind != viewer.KindUser && v.Kind != viewer.KindAPIToken) {
		return apperr.New(apperr.Forbidden, "Only Global Admins and MPN Partner Admins of an organization can see its competencies, progress and skills report.")
	}
	if !v.HasScope(scope) {
		return apperr.ScopeMissing(scope)
	}
	return nil
}

// authorizeChange applies C7 to changes (attestations, offers): a signed-in
// Global Admin or MPN Partner Admin; API tokens only read.
func authorizeChange(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if v.Kind != viewer.KindUser || !v.IsCompetencyAdmin() {
		return apperr.New(apperr.Forbidden, "Only Global Admins and MPN Partner Admins of the organization, signed in, can attest requirements and purchase offers.")
	}
	return nil
}
