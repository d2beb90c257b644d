package graph_test

import (
	"encoding/json"
	"testing"

	"certlink/internal/testenv"
)

// A support ticket is a Relay Node (A1): node(id:) and nodes(ids:) give it to
// exactly those who see it in supportTickets, and NOT_FOUND to anyone else.
func TestSupportTicketIsANode(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		alex, grace, mona := e.Demo("alex@contoso.example"), e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")
		riley, sam, ops := e.Demo("riley@contoso.example"), e.Demo("sam@fabrikam.example"), e.Demo("ops@certlink.example")
		var tk struct{ CreateSupportTicket struct{ ID string } }
		must(t, e, alex, `mutation{createSupportTicket(input:{category:"OTHER",subject:"Node me",body:"Please."}){id}}`, nil, &tk)
		id := tk.CreateSupportTicket.ID
		const byNode = `query($id:ID!){node(id:$id){__typename id ... on SupportTicket{subject author{email}}}}`
		for name, tok := range map[string]string{"author": alex, "GA": grace, "MPN admin": mona, "operator": ops} {
			var out struct {
				Node struct {
					Typename string `json:"__typename"`
					ID       string
					Subject  string
					Author   struct{ Email string }
				}
			}
			must(t, e, tok, byNode, map[string]any{"id": id}, &out)
			if n := out.Node; n.Typename != "SupportTicket" || n.ID != id || n.Subject != "Node me" || n.Author.Email != "alex@contoso.example" {
				t.Fatalf("%s: node(id:) = %+v", name, n)
			}
		}
		for name, tok := range map[string]string{"colleague": riley, "other org": sam} {
			if got := call(t, e, tok, byNode, map[string]any{"id": id}, nil); got != "NOT_FOUND" {
				t.Fatalf("%s: node(id:) of another's ticket: %q", name, got)
			}
		}

		// nodes: a ticket beside a user, each at its index; one the caller
		// cannot see is null with its error, the others still answer.
		var me struct{ Me struct{ ID string } }
		must(t, e, riley, `{me{id}}`, nil, &me)
		const byNodes = `query($ids:[ID!]!){nodes(ids:$ids){__typename id}}`
		var both struct {
			Nodes []*struct {
				Typename string `json:"__typename"`
				ID       string
			}
		}
		must(t, e, grace, byNodes, map[string]any{"ids": []string{id, me.Me.ID}}, &both)
		if len(both.Nodes) != 2 || both.Nodes[0] == nil || both.Nodes[0].Typename != "SupportTicket" || both.Nodes[1] == nil || both.Nodes[1].ID != me.Me.ID {
			t.Fatalf("nodes([ticket, user]) = %+v", both.Nodes)
		}
		res := e.Do(riley, byNodes, map[string]any{"ids": []string{me.Me.ID, id}})
		var partial struct {
			Nodes []*struct{ ID string }
		}
		if err := json.Unmarshal(res.Data, &partial); err != nil {
			t.Fatal(err)
		}
		if len(partial.Nodes) != 2 || partial.Nodes[0] == nil || partial.Nodes[0].ID != me.Me.ID || partial.Nodes[1] != nil {
			t.Fatalf("colleague's nodes([self, ticket]) = %+v", partial.Nodes)
		}
		if got := res.Code(); got != "NOT_FOUND" {
			t.Fatalf("colleague's nodes([self, ticket]) error: %q", got)
		}
	})
}
