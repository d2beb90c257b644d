package graph_test

import (
	"slices"
	"testing"

	"certlink/graph/model"
	"certlink/internal/viewer"
)

// The API's ApiTokenScope enum is viewer's scopes, name for name: a token
// created through GraphQL carries exactly what progress, the report, users and
// the audit log check.
func TestAPITokenScopesAreViewers(t *testing.T) {
	var api []string
	for _, s := range model.AllAPITokenScope {
		api = append(api, string(s))
	}
	if !slices.Equal(api, viewer.AllScopes) {
		t.Fatalf("GraphQL ApiTokenScope %v, viewer.AllScopes %v", api, viewer.AllScopes)
	}
}
