// Package graph is certlink's GraphQL transport: resolvers forward to domain code
// in internal/ and translate its results; the rules live there, not here.
package graph

import (
	"certlink/ent"
	"certlink/internal/account"
	"certlink/internal/apitoken"
	"certlink/internal/capability"
	"certlink/internal/catalog"
	"certlink/internal/designation"
	"certlink/internal/domains"
	"certlink/internal/history"
	"certlink/internal/ingest"
	"certlink/internal/linking"
	"certlink/internal/live"
	"certlink/internal/merge"
	"certlink/internal/notify"
	"certlink/internal/progress"
	"certlink/internal/report"
	"certlink/internal/support"
	"certlink/internal/users"
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
	People   *users.Service
	History  *history.Service
	Inbox    *notify.Inbox
	Support  *support.Service
	Merge    *merge.Service
	Tokens   *apitoken.Service
	// Capability is the capability score (the Skilling metric).
	Capability *capability.Service
	// Live wakes subscriptions after changes (B4).
	Live *live.Hub
	// Feeds share one live computation per organization (NewFeeds).
	Feeds *Feeds
	// Domains are the organizations' verified email domains.
	Domains *domains.Service
	// Designations are the Solutions Partner designations (partner capability
	// score); MetricIngest stores their ingested metrics.
	Designations *designation.Service
	MetricIngest *designation.Ingest
}
