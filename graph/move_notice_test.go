package graph_test

import (
	"strings"
	"testing"
	"time"

	"certlink/internal/testenv"
)

const mAssociateJordan = `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{email}}}`

// TestMoveTellsThePreviousOrganization: an MCID linked in Fabrikam is
// associated from Contoso (L5). Fabrikam's admin is told once that the
// person's Learning account moved to another organization — even though it
// cost no requirement — without a word of who holds it now or where; Contoso's
// admins, who gained someone, hear nothing.
func TestMoveTellsThePreviousOrganization(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e.App.Linking.Limits.Cooldown = 0
		lee, riley := e.Demo("lee@fabrikam.example"), e.Demo("riley@contoso.example")
		sam, grace := e.Demo("sam@fabrikam.example"), e.Demo("grace@contoso.example")
		must(t, e, lee, mAssociateJordan, nil, nil)
		if ns := notifications(t, e, sam); len(ns) != 0 {
			t.Fatalf("a new link told sam: %+v", ns)
		}
		must(t, e, riley, mAssociateJordan, nil, nil)
		ns := notifications(t, e, sam)
		if len(ns) != 1 {
			t.Fatalf("sam's notifications after the move: %+v", ns)
		}
		n := ns[0]
		if !strings.HasPrefix(n.Title, "Lee ") || !strings.Contains(n.Title, "Learning account moved to another organization") {
			t.Fatalf("title: %q", n.Title)
		}
		if !strings.Contains(n.Body, "lee@fabrikam.example") || !strings.Contains(n.Body, "no longer counts for yours") {
			t.Fatalf("body: %s", n.Body)
		}
		for _, secret := range []string{"Riley", "riley@", "Contoso", "4100001"} {
			if strings.Contains(n.Title+n.Body, secret) {
				t.Fatalf("the previous organization is told %q about the new one: %s / %s", secret, n.Title, n.Body)
			}
		}
		time.Sleep(200 * time.Millisecond)
		if ns := notifications(t, e, grace); len(ns) != 0 {
			t.Fatalf("the new organization was told: %+v", ns)
		}
		if ns := notifications(t, e, sam); len(ns) != 1 {
			t.Fatalf("sam was told again: %+v", ns)
		}
	})
}
