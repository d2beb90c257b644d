package graph_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"certlink/ent/user"
	"certlink/internal/testenv"
)

// The API's IDs tell nothing of other organizations (review note: ent numbers
// every type's rows from one sequence, so an admin who invited a person today
// and one tomorrow read from the two IDs how many accounts every organization
// together had made in between). IDs and cursors are the rows' IDs encrypted
// under the installation's key: an admin's consecutive invitations get IDs
// that are not numbers and show no order, the row ID shows nowhere the admin
// or the invitee can look (the answers, the device cookie), every process on
// the database writes and reads the same IDs, and an ID no process wrote is
// INVALID_INPUT, a well-formed one of no row NOT_FOUND.
func TestIDsTellNoCount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		var ids []string
		var rows []int
		for i := range 3 {
			var out struct {
				InviteUser struct {
					User              struct{ ID, Email string }
					TemporaryPassword string
				}
			}
			must(t, e, grace, `mutation($e:String!){inviteUser(input:{email:$e,name:"New Person"}){user{id email} temporaryPassword}}`,
				map[string]any{"e": "new" + strconv.Itoa(i) + "@contoso.example"}, &out)
			id := out.InviteUser.User.ID
			if _, err := strconv.Atoi(id); err == nil || len(id) != 11 {
				t.Fatalf("invitation %d has the ID %q: a number, or not 11 characters", i, id)
			}
			row := e.App.DB.Client.User.Query().Where(user.Email(out.InviteUser.User.Email)).OnlyIDX(sys())
			if e.RowID(t, id) != row {
				t.Fatalf("the ID %q is not the row %d's", id, row)
			}
			ids, rows = append(ids, id), append(rows, row)

			// The invitee's browser: its device cookie names the account by
			// the same opaque ID, not by the row.
			b := e.Browser("")
			if r := b.SignIn(out.InviteUser.User.Email, out.InviteUser.TemporaryPassword); r.Code() != "" {
				t.Fatalf("the invitee's sign-in: %+v", r.Errors)
			}
			u, _ := url.Parse(b.URL() + "/graphql")
			for _, c := range b.HTTP.Jar.Cookies(u) {
				if strings.Contains(c.Value, strconv.Itoa(row)) {
					t.Fatalf("cookie %s shows the row ID %d: %q", c.Name, row, c.Value)
				}
			}
		}
		if rows[1] != rows[0]+1 || rows[2] != rows[1]+1 {
			t.Fatalf("rows %v: the test assumes ent numbers them one after the other", rows)
		}
		for _, s := range ids {
			for _, r := range rows {
				if strings.Contains(s, strconv.Itoa(r)) {
					t.Fatalf("the ID %q shows the row %d", s, r)
				}
			}
		}

		// Another process on the same database reads and writes the same IDs.
		e2 := e.Second()
		grace2 := e2.Demo("grace@contoso.example")
		var n struct{ Node struct{ Email string } }
		must(t, e2, grace2, `query($id:ID!){node(id:$id){... on User{email}}}`, map[string]any{"id": ids[0]}, &n)
		if n.Node.Email != "new0@contoso.example" {
			t.Fatalf("the second process read %q for the first one's ID", n.Node.Email)
		}
		if e2.ID(rows[1]) != ids[1] {
			t.Fatal("the two processes write different IDs for one row")
		}

		// Another organization's ID, a deleted one, one of a type node does
		// not serve, and made-up ones: every answer is NOT_FOUND or
		// INVALID_INPUT, and none shows a row number (entgql's own refusal
		// named it: "…the global id of '81604378629'").
		sam := e.ID(e.App.DB.Client.User.Query().Where(user.Email("sam@fabrikam.example")).OnlyIDX(sys()))
		audit := e.ID(e.App.DB.Client.AuditEvent.Query().FirstIDX(sys()))
		probes := []string{sam, audit, e.ID(rows[2] + 1000), e.ID(1), "AAAAAAAAAAA", "_____-_____", "zzzzzzzzzzz"}
		digits := regexp.MustCompile(`\d{6,}`)
		for _, id := range probes {
			for _, q := range []string{`query($id:ID!){node(id:$id){id}}`, `query($id:ID!){nodes(ids:[$id,$id]){id}}`} {
				r := e.Do(grace, q, map[string]any{"id": id})
				raw, _ := json.Marshal(r.Errors)
				if c := r.Code(); (c != "NOT_FOUND" && c != "INVALID_INPUT") || digits.Match(raw) {
					t.Errorf("%s with %q: %s %s", q, id, r.Code(), raw)
				}
			}
		}
		// IDs have no order to compare: a bound would place another
		// organization's row among one's own.
		for _, op := range []string{"idGT", "idGTE", "idLT", "idLTE"} {
			for _, where := range []string{"{%s:$id}", "{not:{%s:$id}}", "{or:[{emailContains:\"a\"},{%s:$id}]}"} {
				q := `query($id:ID!){users(first:5,where:` + fmt.Sprintf(where, op) + `){totalCount}}`
				if r := e.Do(grace, q, map[string]any{"id": sam}); r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, op) {
					t.Errorf("%s: %s %+v, want INVALID_INPUT naming %s", q, r.Code(), r.Errors, op)
				}
			}
		}

		// A cursor is good for the connection and the organization it was
		// given in: sam's (Fabrikam's) cursor of his users would place his
		// row among Contoso's; a cursor of the audit log would page the users.
		sam2 := e.Demo("sam@fabrikam.example")
		var page struct {
			Users struct {
				Edges    []struct{ Cursor string }
				PageInfo struct{ EndCursor string }
			}
			AuditLog struct{ PageInfo struct{ EndCursor string } }
		}
		must(t, e, sam2, `{users(first:1){edges{cursor} pageInfo{endCursor}}}`, nil, &page)
		samCursor := page.Users.PageInfo.EndCursor
		must(t, e, grace, `{users(first:1){edges{cursor} pageInfo{endCursor}} auditLog(first:1){pageInfo{endCursor}}}`, nil, &page)
		own, audit := page.Users.PageInfo.EndCursor, page.AuditLog.PageInfo.EndCursor
		if page.Users.Edges[0].Cursor != own {
			t.Fatalf("an edge's cursor %q and the page's end cursor %q differ for one row", page.Users.Edges[0].Cursor, own)
		}
		for name, c := range map[string]string{"Fabrikam's": samCursor, "the audit log's": audit} {
			for _, q := range []string{`query($c:Cursor){users(first:5,after:$c){totalCount}}`, `query($c:Cursor){users(last:5,before:$c){totalCount}}`,
				`query($c:Cursor){me{organization{users(first:5,after:$c){totalCount}}}}`} {
				if r := e.Do(grace, q, map[string]any{"c": c}); r.Code() != "INVALID_INPUT" {
					t.Errorf("grace with %s cursor: %s: %s %s", name, q, r.Code(), r.Data)
				}
			}
		}
		must(t, e, grace, `query($c:Cursor){users(first:5,after:$c){totalCount}}`, map[string]any{"c": own}, nil)

		// ... and for the ordering it was given in: it carries its row's
		// value of the order field, which another ordering would misread.
		var byName struct {
			Users struct{ PageInfo struct{ EndCursor string } }
		}
		must(t, e, grace, `{users(first:1, orderBy:{field:NAME}){edges{cursor} pageInfo{endCursor}}}`, nil, &byName)
		nameCursor := byName.Users.PageInfo.EndCursor
		for _, c := range []struct {
			order string
			ok    bool
		}{
			{`{field:NAME}`, true},
			{`{field:NAME, direction:ASC}`, true},
			{`{field:NAME, direction:DESC}`, false},
			{`{field:EMAIL}`, false},
			{`{field:CREATED_AT}`, false},
		} {
			q := `query($c:Cursor){users(first:5, after:$c, orderBy:` + c.order + `){totalCount}}`
			if r := e.Do(grace, q, map[string]any{"c": nameCursor}); (r.Code() == "") != c.ok || (!c.ok && r.Code() != "INVALID_INPUT") {
				t.Errorf("a cursor of users by name, read with orderBy %s: %q %+v", c.order, r.Code(), r.Errors)
			}
		}
		if r := e.Do(grace, `query($c:Cursor){users(first:5, after:$c){totalCount}}`, map[string]any{"c": nameCursor}); r.Code() != "INVALID_INPUT" {
			t.Errorf("a cursor of users by name, read in the default order: %q", r.Code())
		}
		vars := map[string]any{"c": nameCursor, "o": map[string]any{"field": "NAME"}}
		must(t, e, grace, `query($c:Cursor, $o:UserOrder){users(first:5, after:$c, orderBy:$o){totalCount}}`, vars, nil)
		must(t, e, grace, `query($c:Cursor){me{organization{users(first:5,after:$c){totalCount}}}}`, map[string]any{"c": own}, nil)

		// What no process wrote.
		const q = `query($id:ID!){node(id:$id){id}}`
		for _, c := range []struct{ id, code string }{
			{strconv.Itoa(rows[0]), "INVALID_INPUT"},
			{"abc", "INVALID_INPUT"},
			{e.ID(rows[2] + 1000), "NOT_FOUND"},
		} {
			if r := e.Do(grace, q, map[string]any{"id": c.id}); r.Code() != c.code {
				t.Errorf("node(id:%q): %q %s, want %s", c.id, r.Code(), r.Data, c.code)
			}
		}
	})
}
