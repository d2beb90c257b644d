// Package graph is certlink's GraphQL transport: resolvers forward to domain code
// in internal/ and translate its results; the rules live there, not here.
package graph

import (
	"certlink/ent"
	"certlink/internal/account"
	"certlink/internal/linking"
)

// Resolver holds the services resolvers forward to.
type Resolver struct {
	Client   *ent.Client
	Accounts *account.Service
	Linking  *linking.Service
}
