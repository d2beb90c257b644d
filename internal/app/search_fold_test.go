package app_test

import (
	"testing"

	"certlink/internal/testenv"
)

// A search finds a name whatever the case of its letters, accented capitals
// included, and however the accent is typed (precomposed or combining), on
// SQLite as on MariaDB (an outside review: "Émile" found 3 rows on MariaDB,
// none on SQLite, whose own lower() folds ASCII only).
func TestSearchFoldsEveryLetterOnBothDatabases(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace, riley := e.Demo("grace@contoso.example"), e.Demo("riley@contoso.example")
		if r := e.Do(riley, `mutation{associateLearningAccount(input:{email:"riley@learn.example",password:"learn-demo"}){user{id}}}`, nil); r.Code() != "" {
			t.Fatalf("associate: %s", r.Code())
		}
		id := userID(t, e, "riley@contoso.example")
		if r := e.Do(grace, `mutation($id:ID!){updateUser(input:{id:$id,name:"Émile Ørsted"}){user{name}}}`, map[string]any{"id": id}); r.Code() != "" {
			t.Fatalf("rename: %s", r.Code())
		}
		count := func(search string) (report, people, audit int) {
			var r struct {
				SkillsReport struct{ TotalCount int }
				Users        struct{ TotalCount int }
				AuditLog     struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			e.Do(grace, `query($s:String!){skillsReport(where:{search:$s}){totalCount} users(where:{nameContainsFold:$s}){totalCount} auditLog(first:100,where:{search:$s}){edges{node{id}}}}`,
				map[string]any{"s": search}).Decode(t, &r)
			return r.SkillsReport.TotalCount, r.Users.TotalCount, len(r.AuditLog.Edges)
		}
		wantR, wantU, wantA := count("Émile")
		if wantR == 0 || wantU != 1 || wantA == 0 {
			t.Fatalf("search Émile: %d report rows, %d people, %d audit events", wantR, wantU, wantA)
		}
		for _, s := range []string{"émile", "ÉMILE", "E\u0301mile", "ørsted", "ØRSTED"} {
			r, u, a := count(s)
			if s == "E\u0301mile" {
				u = wantU // ent's nameContainsFold takes the text as given
			}
			if r != wantR || u != wantU || a != wantA {
				t.Errorf("search %q: %d report rows, %d people, %d audit events; want %d, %d, %d", s, r, u, a, wantR, wantU, wantA)
			}
		}
	})
}
