// Package graph is certlink's GraphQL transport: resolvers forward to domain code
// in internal/ and translate its results; the rules live there, not here.
package graph

import (
	"certlink/ent"
	"certlink/internal/account"
	"certlink/internal/catalog"
	"certlink/internal/ingest"
	"certlink/internal/linking"
	"certlink/internal/progress"
	"certlink/internal/report"
)

// Resolver holds the services resolvers forward to.
type Resolver struct {
	Client   *ent.Client
	Accounts *account.Service
	Linking  *linking.Service
	Catalog  *catalog.Service
	Progress *progress.Service
	Report   *report.Service
	Ingest   *ingest.Service
}
