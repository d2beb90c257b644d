package viewer

// API token scopes (A2): what a partner tool's token may read. Sessions carry
// every scope their roles allow; a token carries only those it was made with.
const (
	ScopeReportRead   = "REPORT_READ"
	ScopeProgressRead = "PROGRESS_READ"
	ScopeUsersRead    = "USERS_READ"
	ScopeAuditRead    = "AUDIT_READ"
)

// AllScopes lists the scopes in the order the API documents them.
var AllScopes = []string{ScopeReportRead, ScopeProgressRead, ScopeUsersRead, ScopeAuditRead}

// IsSession reports whether the viewer is a person signed in with a session
// (not a partner tool's token nor a provider): only people change things.
func (v *Viewer) IsSession() bool { return v != nil && v.Kind == KindUser && v.UserID != 0 }
