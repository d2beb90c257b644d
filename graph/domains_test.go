package graph_test

import (
	"slices"
	"testing"

	"certlink/internal/testenv"
)

const (
	mVerifyDomain = `mutation($m:String!,$d:String!){verifyOrganizationDomain(input:{mpnId:$m,domain:$d}){name verifiedDomains}}`
	mRemoveDomain = `mutation($m:String!,$d:String!){removeOrganizationDomain(input:{mpnId:$m,domain:$d}){verifiedDomains}}`
)

// Item 9: an organization holds work accounts in the domains it verified only,
// and a domain is one organization's: Contoso's admins cannot create, nor move
// an account to, an address of Fabrikam's people.
func TestAccountsOnlyInVerifiedDomains(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace, ops := e.Demo("grace@contoso.example"), e.Demo("ops@certlink.example")
		riley := userID(t, e, "riley@contoso.example")
		before := snapshot(t, e)
		for _, c := range []struct {
			name, q string
			vars    map[string]any
		}{
			{"invite another organization's person", mInvite, map[string]any{"e": "ceo@fabrikam.example", "r": []string{}}},
			{"invite at an unverified domain", mInvite, map[string]any{"e": "someone@gmail.example", "r": []string{}}},
			{"move an account to another organization's domain", mUpdate, map[string]any{"id": riley, "e": "riley@fabrikam.example"}},
		} {
			r := e.Do(grace, c.q, c.vars)
			if r.Code() != "FORBIDDEN" || r.Errors[0].Extensions["field"] != "email" {
				t.Errorf("%s: %+v", c.name, r.Errors)
			}
		}
		sameState(t, "invitations outside the verified domains", before, snapshot(t, e))

		// Operators verify domains; a domain belongs to one organization.
		var org struct {
			VerifyOrganizationDomain struct {
				Name            string
				VerifiedDomains []string
			}
		}
		must(t, e, ops, mVerifyDomain, map[string]any{"m": "4100001", "d": " Contoso-Labs.Example. "}, &org)
		if !slices.Equal(org.VerifyOrganizationDomain.VerifiedDomains, []string{"contoso-labs.example", "contoso.example"}) {
			t.Fatalf("verified domains: %+v", org)
		}
		must(t, e, ops, mVerifyDomain, map[string]any{"m": "4100001", "d": "contoso-labs.example"}, nil) // again: no change
		// Contoso's audit log tells it, naming the operator as certlink staff
		// (PersonRef), not by address.
		var log struct {
			AuditLog struct {
				Edges []struct{ Node struct{ Detail string } }
			}
		}
		must(t, e, grace, `{auditLog(first:5,where:{actions:["DOMAIN_CHANGED"]}){edges{node{detail}}}}`, nil, &log)
		if len(log.AuditLog.Edges) != 1 || log.AuditLog.Edges[0].Node.Detail != "certlink staff verified the email domain contoso-labs.example for Contoso Ltd." {
			t.Fatalf("Contoso's audit log of the domain: %+v", log)
		}
		for _, c := range []struct {
			name, tok, q string
			vars         map[string]any
			want         string
		}{
			{"another organization's domain", ops, mVerifyDomain, map[string]any{"m": "4100001", "d": "fabrikam.example"}, "CONFLICT"},
			{"not a domain", ops, mVerifyDomain, map[string]any{"m": "4100001", "d": "not a domain"}, "INVALID_INPUT"},
			{"a bare name", ops, mVerifyDomain, map[string]any{"m": "4100001", "d": "localhost"}, "INVALID_INPUT"},
			{"unknown organization", ops, mVerifyDomain, map[string]any{"m": "4109999", "d": "x.example"}, "NOT_FOUND"},
			{"removing a domain not verified", ops, mRemoveDomain, map[string]any{"m": "4100001", "d": "fabrikam.example"}, "NOT_FOUND"},
			{"a Global Admin verifies", grace, mVerifyDomain, map[string]any{"m": "4100001", "d": "fabrikam.example"}, "FORBIDDEN"},
			{"a Global Admin removes", grace, mRemoveDomain, map[string]any{"m": "4100002", "d": "fabrikam.example"}, "FORBIDDEN"},
			{"anonymous", "", mVerifyDomain, map[string]any{"m": "4100001", "d": "x.example"}, "UNAUTHENTICATED"},
		} {
			if got := call(t, e, c.tok, c.q, c.vars, nil); got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
		// The new domain takes invitations; the organization's admins see it.
		must(t, e, grace, mInvite, map[string]any{"e": "lab@contoso-labs.example", "r": []string{}}, nil)
		var mine struct {
			Me struct {
				Organization struct{ VerifiedDomains []string }
			}
		}
		must(t, e, grace, `{me{organization{verifiedDomains}}}`, nil, &mine)
		if len(mine.Me.Organization.VerifiedDomains) != 2 {
			t.Fatalf("grace sees %v", mine.Me.Organization.VerifiedDomains)
		}
		// Removed, it takes none; accounts already there stay.
		must(t, e, ops, mRemoveDomain, map[string]any{"m": "4100001", "d": "contoso-labs.example"}, nil)
		if got := call(t, e, grace, mInvite, map[string]any{"e": "lab2@contoso-labs.example", "r": []string{}}, nil); got != "FORBIDDEN" {
			t.Fatalf("invite at a removed domain: %q", got)
		}
	})
}
