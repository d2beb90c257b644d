package reliability_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"certlink/ent/migrate"
	"certlink/ent/user"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// snapshot is every table's row count and a checksum of its rows. Columns that
// record use rather than change (a token's last use) are left out, and so is
// the daily qualification record, which the periodic job writes on its own
// schedule whatever callers send, and the rate-limit buckets, which count
// every request, bad or not (A4).
func snapshot(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tbl := range migrate.Tables {
		if tbl.Name == "qualification_days" || tbl.Name == "throttle_buckets" {
			continue
		}
		rows, err := db.SQL.QueryContext(context.Background(), "SELECT * FROM "+tbl.Name)
		if err != nil {
			t.Fatalf("%s: %v", tbl.Name, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, c := range cols {
				if c == "last_used_at" {
					continue
				}
				fmt.Fprintf(&b, "%s=%v;", c, deref(vals[i]))
			}
			lines = append(lines, b.String())
		}
		rows.Close()
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[tbl.Name] = fmt.Sprintf("%d rows, %x", len(lines), h[:6])
	}
	return out
}

func deref(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	if v == nil {
		return sql.NullString{}
	}
	return v
}

// A5: a tour of every mutation with wrong types, huge strings, unknown ids and
// other organizations' ids. Each answer is a coded error (no 5xx, no INTERNAL)
// and afterwards every table holds exactly what it held before.
func TestBadInputTour(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ctx := viewer.System(context.Background())
		c := e.App.DB.Client
		session := func(email string) string {
			u := c.User.Query().Where(user.Email(email)).OnlyX(ctx)
			s, err := e.App.Accounts.OpenSession(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			return s.Secret
		}
		grace, alex, ops := session("grace@contoso.example"), session("alex@contoso.example"), session("ops@certlink.example")
		lee := e.ID(c.User.Query().Where(user.Email("lee@fabrikam.example")).OnlyX(ctx).ID)
		rileyID := e.ID(c.User.Query().Where(user.Email("riley@contoso.example")).OnlyX(ctx).ID)
		huge := strings.Repeat("x", 200_000)
		rileyToken := session("riley@contoso.example")
		riley := func() string { return rileyToken }
		unknown := "999999999"

		type call struct {
			who, query string
			vars       map[string]any
		}
		calls := []call{
			// Users.
			{grace, `mutation($e:String!,$n:String!){inviteUser(input:{email:$e,name:$n}){user{id}}}`, map[string]any{"e": "not-an-email", "n": "X"}},
			{grace, `mutation($e:String!,$n:String!){inviteUser(input:{email:$e,name:$n}){user{id}}}`, map[string]any{"e": huge + "@contoso.example", "n": huge}},
			{grace, `mutation($e:String!,$n:String!){inviteUser(input:{email:$e,name:$n}){user{id}}}`, map[string]any{"e": "riley@contoso.example", "n": "Again"}},
			{grace, `mutation{inviteUser(input:{email:"ops2@contoso.example",name:"Op",roles:[OPERATOR]}){user{id}}}`, nil},
			{grace, `mutation{inviteUser(input:{email:5,name:true}){user{id}}}`, nil},
			{grace, `mutation($id:ID!){updateUser(input:{id:$id,name:"X"}){user{id}}}`, map[string]any{"id": unknown}},
			{grace, `mutation($id:ID!){updateUser(input:{id:$id,name:"X"}){user{id}}}`, map[string]any{"id": "abc"}},
			{grace, `mutation($id:ID!){updateUser(input:{id:$id,name:"X"}){user{id}}}`, map[string]any{"id": lee}},
			{grace, `mutation($id:ID!){updateUser(input:{id:$id,email:"bad"}){user{id}}}`, map[string]any{"id": rileyID}},
			{grace, `mutation($id:ID!,$n:String!){updateUser(input:{id:$id,name:$n}){user{id}}}`, map[string]any{"id": rileyID, "n": huge}},
			{grace, `mutation($id:ID!,$n:String!){updateUser(input:{id:$id,name:$n}){user{id}}}`, map[string]any{"id": rileyID, "n": "   "}},
			{grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": unknown}},
			{grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": lee}},
			{grace, `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[GLOBAL_ADMIN]}){user{id}}}`, map[string]any{"id": lee}},
			{grace, `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[OPERATOR]}){user{id}}}`, map[string]any{"id": rileyID}},
			{grace, `mutation{assignRoles(input:{userId:"x",roles:[NOT_A_ROLE]}){user{id}}}`, nil},
			{grace, `mutation($id:ID!){deleteUser(id:$id){deletedUserId}}`, map[string]any{"id": lee}},
			{grace, `mutation($id:ID!){deleteUser(id:$id){deletedUserId}}`, map[string]any{"id": unknown}},
			{grace, `mutation{deleteUser(id:12.5){deletedUserId}}`, nil},
			{grace, `mutation($id:ID!){removeFromReport(userId:$id){userId}}`, map[string]any{"id": lee}},
			{grace, `mutation($id:ID!){removeFromReport(userId:$id){userId}}`, map[string]any{"id": unknown}},
			{grace, `mutation{markNotificationsRead(ids:["abc","999999999"]){marked}}`, nil},
			// Support.
			{grace, `mutation{createSupportTicket(input:{category:"",subject:"",body:""}){id}}`, nil},
			{grace, `mutation($b:String!){createSupportTicket(input:{category:"Other",subject:"Big",body:$b}){id}}`, map[string]any{"b": huge + huge + huge + huge}},
			{grace, `mutation($id:ID!){replyToSupportTicket(input:{ticketId:$id,body:"x"}){id}}`, map[string]any{"id": unknown}},
			{grace, `mutation($id:ID!){closeSupportTicket(id:$id){id}}`, map[string]any{"id": unknown}},
			// Tokens.
			{grace, `mutation{createApiToken(input:{name:"",scopes:[]}){secret}}`, nil},
			{grace, `mutation($n:String!){createApiToken(input:{name:$n,scopes:[REPORT_READ]}){secret}}`, map[string]any{"n": huge}},
			{grace, `mutation($id:ID!){revokeApiToken(id:$id){id}}`, map[string]any{"id": unknown}},
			// Competencies.
			{grace, `mutation($r:ID!){setAttestation(input:{requirement:$r,met:true,note:"x"}){status}}`, map[string]any{"r": unknown}},
			{grace, `mutation($r:ID!,$n:String){setAttestation(input:{requirement:$r,met:true,note:$n}){status}}`, map[string]any{"r": "abc", "n": huge}},
			{grace, `mutation($c:ID!){purchaseCompetencyOffer(input:{competency:$c,level:GOLD,option:"x"}){status}}`, map[string]any{"c": unknown}},
			{grace, `mutation{purchaseCompetencyOffer(input:{competency:"1",level:PLATINUM,option:"x"}){status}}`, nil},
			// Sign-in and passwords.
			{grace, `mutation{changePassword(input:{currentPassword:"wrong",newPassword:"x"}){user{id}}}`, nil},
			{grace, `mutation{changePassword(input:{currentPassword:"certlink-demo",newPassword:"x"}){user{id}}}`, nil},
			{"", `mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`, map[string]any{"e": huge, "p": huge}},
			// Linking (the user themself).
			{alex, `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"wrong"}){user{id}}}`, nil},
			{alex, `mutation($e:String!,$p:String!){associateLearningAccount(input:{email:$e,password:$p}){user{id}}}`, map[string]any{"e": huge, "p": huge}},
			{alex, `mutation{associateLearningAccount(input:{useSameCredentials:true}){user{id}}}`, nil},
			{alex, `mutation{associatePartnerUniversity(input:{email:"alex@learn.example",password:"wrong"}){user{id}}}`, nil},
			{alex, `mutation{associatePartnerUniversity(input:{email:"nobody@learn.example",password:"x"}){user{id}}}`, nil},
			{riley(), `mutation{removePartnerUniversityAccess{user{id}}}`, nil},
			{riley(), `mutation{removeLearningAccount{user{id}}}`, nil},
			{alex, `mutation{associateLearningAccount(input:{email:["a"],password:{x:1}}){user{id}}}`, nil},
			// Operators.
			{ops, `mutation($n:String!){createProviderToken(name:$n){token}}`, map[string]any{"n": huge}},
			{ops, `mutation{createProviderToken(name:""){token}}`, nil},
			{ops, `mutation($id:ID!){revokeProviderToken(id:$id){id}}`, map[string]any{"id": unknown}},
			{ops, `mutation{loadCatalog(document:"{not json"){summary}}`, nil},
			{ops, `mutation($d:String!){loadCatalog(document:$d){summary}}`, map[string]any{"d": huge}},
			{ops, `mutation{upsertSkill(input:{number:"",title:"",type:EXAM}){id}}`, nil},
			{ops, `mutation($n:String!){upsertSkill(input:{number:$n,title:"T",type:EXAM}){id}}`, map[string]any{"n": huge}},
			{ops, `mutation{upsertSkill(input:{number:"AZ-104",title:"T",type:EXAM,retiredOn:"yesterday"}){id}}`, nil},
			{ops, `mutation{mergeCertificationProfiles(input:{survivorMcid:"9900001",duplicateMcid:"9900001"}){resultsMoved}}`, nil},
			{ops, `mutation{mergeCertificationProfiles(input:{survivorMcid:"99999998",duplicateMcid:"99999999"}){resultsMoved}}`, nil},
			{ops, `mutation($m:String!){mergeCertificationProfiles(input:{survivorMcid:$m,duplicateMcid:"9900003"}){resultsMoved}}`, map[string]any{"m": huge}},
		}
		before := snapshot(t, e.App.DB)
		for _, c := range calls {
			r := e.Do(c.who, c.query, c.vars)
			q := c.query
			if len(q) > 90 {
				q = q[:90]
			}
			if r.Status >= 500 || len(r.Errors) == 0 {
				t.Errorf("%s: status %d, errors %+v, data %.200s", q, r.Status, r.Errors, r.Data)
				continue
			}
			for _, er := range r.Errors {
				code, _ := er.Extensions["code"].(string)
				if code == "" || code == "INTERNAL" {
					t.Errorf("%s: error without a caller's code: %q %s", q, code, er.Message)
				}
				if len(er.Message) > 2000 {
					t.Errorf("%s: a %d-byte error message repeats the huge input back", q, len(er.Message))
				}
			}
		}
		// Ingest reports bad results in its payload, not as GraphQL errors; a
		// value over the argument limit is refused before anything runs.
		var in struct {
			IngestResults struct{ Accepted, Duplicates int }
		}
		tour := e.Do(ops, `mutation($s:String!){ingestResults(input:[{mcid:"abc",skillNumber:"NOPE",completedAt:"2024-01-01T00:00:00Z"},
			{mcid:"9900001",skillNumber:$s,completedAt:"2024-01-01T00:00:00Z"},{mcid:"99999999",skillNumber:"AZ-104",completedAt:"2999-01-01T00:00:00Z"}]){accepted duplicates errors{index message}}}`,
			map[string]any{"s": huge})
		if tour.Code() != "INVALID_INPUT" {
			tour.Decode(t, &in)
		}
		if in.IngestResults.Accepted != 0 {
			t.Errorf("ingest accepted %d bad results", in.IngestResults.Accepted)
		}
		after := snapshot(t, e.App.DB)
		for tbl, b := range before {
			if after[tbl] != b {
				t.Errorf("table %s changed: %s → %s", tbl, b, after[tbl])
			}
		}
	})
}
