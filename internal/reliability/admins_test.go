package reliability_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"certlink/internal/testenv"
)

// Two Global Admins removing each other's role at the same moment through
// two processes — on a Galera cluster, through two nodes — cannot both
// succeed: the organization keeps a Global Admin. The account changes of one
// organization take turns on its lock row (store.HoldOrganization): a write,
// which a cluster certifies across nodes, where the SELECT … FOR UPDATE of the
// organization's row held each node's transaction on its own node only.
// Invitations meanwhile are never refused for a concurrent change.
func TestAdminsRemovingEachOtherKeepOne(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		if d == testenv.SQLite {
			t.Skip("two processes on one database: MariaDB (a SQLite file is one machine's)")
		}
		dsn := testenv.DSN(t, d)
		a := startProc(t, dsn)
		b := startProc(t, dsn)
		db := openDB(t, dsn)
		tok := sessions(t, db, "grace@contoso.example", "mona@contoso.example")
		grace, mona := tok[0], tok[1]
		ids := map[string]string{}
		r := gql(a.URL, grace, `{users(first:20){edges{node{id email}}}}`, nil)
		var users struct {
			Users struct {
				Edges []struct{ Node struct{ ID, Email string } }
			}
		}
		if r.Err != nil || len(r.Errors) > 0 || json.Unmarshal(r.Data, &users) != nil {
			t.Fatalf("users: %v %+v", r.Err, r.Errors)
		}
		for _, e := range users.Users.Edges {
			ids[e.Node.Email] = e.Node.ID
		}
		const assign = `mutation($u:ID!,$r:[Role!]!){assignRoles(input:{userId:$u,roles:$r}){user{email}}}`
		both := []string{"GLOBAL_ADMIN"}
		if r := gql(a.URL, grace, assign, map[string]any{"u": ids["mona@contoso.example"], "r": both}); r.Err != nil || len(r.Errors) > 0 {
			t.Fatalf("making mona a Global Admin: %v %+v", r.Err, r.Errors)
		}
		demoted := []string{"MPN_PARTNER_ADMIN"}
		bothWon := 0
		for round := 0; round < 15; round++ {
			var wg sync.WaitGroup
			var rg, rm gqlResult
			var inv [2]gqlResult
			start := make(chan struct{})
			wg.Add(4)
			go func() {
				defer wg.Done()
				<-start
				rg = gql(a.URL, grace, assign, map[string]any{"u": ids["mona@contoso.example"], "r": demoted})
			}()
			go func() {
				defer wg.Done()
				<-start
				rm = gql(b.URL, mona, assign, map[string]any{"u": ids["grace@contoso.example"], "r": demoted})
			}()
			for i, base := range []string{a.URL, b.URL} {
				go func() {
					defer wg.Done()
					<-start
					inv[i] = gql(base, grace, `mutation($e:String!){inviteUser(input:{email:$e,name:"Invitee"}){user{email}}}`,
						map[string]any{"e": fmt.Sprintf("race%02d-%d@contoso.example", round, i)})
				}()
			}
			close(start)
			wg.Wait()
			for _, r := range []gqlResult{rg, rm} {
				if r.Err != nil || r.Status >= 500 {
					t.Fatalf("round %d: %v %d %+v", round, r.Err, r.Status, r.Errors)
				}
			}
			if len(rg.Errors) == 0 && len(rm.Errors) == 0 {
				bothWon++
			}
			n := count(t, db, `SELECT COUNT(*) FROM users u JOIN organizations o ON o.id = u.organization_id
				WHERE o.mpn_id = '4100001' AND u.deleted_at IS NULL AND u.roles LIKE '%GLOBAL_ADMIN%'`)
			if n == 0 {
				t.Fatalf("round %d: Contoso has no Global Admin left (grace: %+v, mona: %+v)", round, rg.Errors, rm.Errors)
			}
			for i, r := range inv {
				// grace may have lost her role to mona first: FORBIDDEN is an
				// answer; a conflict with the other change is not.
				if r.Err != nil || r.Status >= 500 || (len(r.Errors) > 0 && r.code() != "FORBIDDEN") {
					t.Errorf("round %d: invitation %d: %v %d %+v", round, i, r.Err, r.Status, r.Errors)
				}
			}
			// Both Global Admins again, through whoever still is one.
			for _, tk := range []string{grace, mona} {
				for _, who := range []string{"grace@contoso.example", "mona@contoso.example"} {
					gql(a.URL, tk, assign, map[string]any{"u": ids[who], "r": both})
				}
			}
		}
		if bothWon > 0 {
			t.Fatalf("in %d of 15 rounds both removals answered OK", bothWon)
		}
		testenv.CheckInvariants(t, db.SQL)
	})
}
