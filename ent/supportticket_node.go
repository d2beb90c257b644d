package ent

import "certlink/ent/supportticket"

// Written by hand, not generated: a support ticket is a Relay Node (A1). Its
// GraphQL type is declared in graph/lifecycle.graphqls (entgql skips the
// schema: the author and replies are resolved through the support service),
// so entgql generates neither this method nor a case in Noder;
// graph's node and nodes resolve a ticket through the support service, which
// decides who may see it.

// IsNode implements the Noder interface.
func (*SupportTicket) IsNode() {}

// IsSupportTicketID reports whether a global id is in the support tickets'
// range of ids.
func IsSupportTicketID(id int) bool {
	t, ok := nodeTypes[int(id/(1<<32-1))<<32]
	return ok && t == supportticket.Table
}
