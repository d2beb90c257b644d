package app_test

import (
	"testing"

	"certlink/internal/testenv"
)

// A leaver whose MCID the organization also recognized through the legacy
// path (S3) leaves the skills report at once (L9) and does not come back as
// "needs association" (an outside review: riley, deleted, was back in the
// report and could be reminded at once) — after a deletion and after a
// removal from the report alike. An unlink of one's own (L7) leaves the
// legacy recognition alone.
func TestLeaverDoesNotComeBackThroughTheLegacyPath(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		for _, how := range []string{"delete", "remove from report", "unlink"} {
			t.Run(how, func(t *testing.T) {
				e := testenv.Start(t, d)
				grace, riley := e.Demo("grace@contoso.example"), e.Demo("riley@contoso.example")
				rows := func() int {
					var r struct {
						SkillsReport struct{ TotalCount int }
					}
					e.Do(grace, `{skillsReport(where:{mcid:"9900002"}){totalCount}}`, nil).Decode(t, &r)
					return r.SkillsReport.TotalCount
				}
				if rows() == 0 {
					t.Fatal("the demo's legacy recognition of 9900002 shows no rows")
				}
				if r := e.Do(riley, `mutation{associateLearningAccount(input:{email:"riley@learn.example",password:"learn-demo"}){user{id}}}`, nil); r.Code() != "" {
					t.Fatalf("associate: %s", r.Code())
				}
				id := userID(t, e, "riley@contoso.example")
				var r *testenv.Response
				switch how {
				case "delete":
					r = e.Do(grace, `mutation($u:ID!){deleteUser(id:$u){deletedUserId}}`, map[string]any{"u": id})
				case "remove from report":
					r = e.Do(grace, `mutation($u:ID!){removeFromReport(userId:$u){userId}}`, map[string]any{"u": id})
				default:
					r = e.Do(riley, `mutation{removeLearningAccount{user{id}}}`, nil)
				}
				if r.Code() != "" {
					t.Fatalf("%s: %s", how, r.Code())
				}
				remind := e.Do(grace, `mutation{remindToAssociate(mcid:"9900002"){sentTo}}`, nil).Code()
				if how == "unlink" {
					if rows() == 0 || remind != "" {
						t.Fatalf("after an unlink of one's own: %d rows, reminder %q; the legacy recognition stays", rows(), remind)
					}
					return
				}
				if n := rows(); n != 0 || remind != "NOT_FOUND" {
					t.Fatalf("after %s: %d rows for 9900002, reminder %q (want 0, NOT_FOUND)", how, n, remind)
				}
			})
		}
	})
}
