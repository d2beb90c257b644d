package graph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/competency"
	"certlink/ent/notification"
	"certlink/ent/organization"
	"certlink/ent/skill"
	"certlink/ent/supportticket"
	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/testenv"
)

// What a hostile partner tool would try across the merged API (A2, C7, U1, L9).

const allScopes = `[REPORT_READ, PROGRESS_READ, USERS_READ, AUDIT_READ]`

// apiTokenOf creates, through the API, a partner tool token of a Global Admin.
func apiTokenOf(t *testing.T, e *testenv.Env, tok, scopes string) (secret, id string) {
	t.Helper()
	var out struct {
		CreateApiToken struct {
			Secret string
			Token  struct{ ID string }
		}
	}
	must(t, e, tok, `mutation{createApiToken(input:{name:"tool",scopes:`+scopes+`}){secret token{id}}}`, nil, &out)
	return out.CreateApiToken.Secret, out.CreateApiToken.Token.ID
}

// contosoState is what a refused call must leave as it was.
type contosoState struct {
	users        []string // id/email/name/roles/deleted
	activeLinks  int
	tickets      []string // id/status
	replies      int
	tokens       []string // id/revoked
	unreadNotifs int
	attestations int
	offers       int
	results      int
	skills       int
	competencies int
	orgs         int
}

func snapshot(t *testing.T, e *testenv.Env) contosoState {
	t.Helper()
	c, ctx := e.App.DB.Client, sys()
	var s contosoState
	for _, u := range c.User.Query().Order(ent.Asc(user.FieldID)).AllX(ctx) {
		s.users = append(s.users, strings.Join([]string{e.ID(u.ID), u.Email, u.Name, strings.Join(u.Roles, "+"), boolWord(u.DeletedAt != nil), boolWord(u.MustChangePassword)}, "/"))
	}
	s.activeLinks = c.Association.Query().Where(association.EndedAtIsNil()).CountX(ctx)
	for _, tk := range c.SupportTicket.Query().Order(ent.Asc(supportticket.FieldID)).AllX(ctx) {
		s.tickets = append(s.tickets, e.ID(tk.ID)+"/"+string(tk.Status))
	}
	s.replies = c.TicketReply.Query().CountX(ctx)
	for _, tk := range c.Token.Query().Where(token.KindNEQ(token.KindSESSION)).Order(ent.Asc(token.FieldID)).AllX(ctx) {
		s.tokens = append(s.tokens, e.ID(tk.ID)+"/"+boolWord(tk.RevokedAt != nil))
	}
	s.unreadNotifs = c.Notification.Query().Where(notification.ReadAtIsNil()).CountX(ctx)
	s.attestations = c.Attestation.Query().CountX(ctx)
	s.offers = c.OfferPurchase.Query().CountX(ctx)
	s.results = c.Result.Query().CountX(ctx)
	s.skills = c.Skill.Query().CountX(ctx)
	s.competencies = c.Competency.Query().CountX(ctx)
	s.orgs = c.Organization.Query().CountX(ctx)
	return s
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func sameState(t *testing.T, what string, before, after contosoState) {
	t.Helper()
	if !slices.Equal(before.users, after.users) || before.activeLinks != after.activeLinks ||
		!slices.Equal(before.tickets, after.tickets) || before.replies != after.replies ||
		!slices.Equal(before.tokens, after.tokens) || before.unreadNotifs != after.unreadNotifs ||
		before.attestations != after.attestations || before.offers != after.offers || before.results != after.results ||
		before.skills != after.skills || before.competencies != after.competencies || before.orgs != after.orgs {
		t.Fatalf("%s changed something:\nbefore %+v\nafter  %+v", what, before, after)
	}
}

// contosoIDs are Contoso's objects a Fabrikam tool might name.
type contosoIDs struct {
	org, grace, riley, alex, ticket, apiToken, notification, competency, skill string
}

func contosoObjects(t *testing.T, e *testenv.Env) contosoIDs {
	t.Helper()
	c, ctx := e.App.DB.Client, sys()
	var ids contosoIDs
	ids.org = e.ID(c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(ctx))
	ids.grace, ids.riley, ids.alex = userID(t, e, "grace@contoso.example"), userID(t, e, "riley@contoso.example"), userID(t, e, "alex@contoso.example")
	var tk struct{ CreateSupportTicket struct{ ID string } }
	must(t, e, e.Demo("alex@contoso.example"), `mutation{createSupportTicket(input:{category:"association",subject:"s",body:"b"}){id}}`, nil, &tk)
	ids.ticket = tk.CreateSupportTicket.ID
	_, ids.apiToken = apiTokenOf(t, e, e.Demo("grace@contoso.example"), `[REPORT_READ]`)
	ids.notification = e.ID(c.Notification.Create().SetUserID(e.RowID(t, ids.grace)).SetTitle("t").SetBody("b").SetLink("/competencies").
		SetDedupeKey("hostile-test").SetCreatedAt(time.Now().UTC()).SaveX(ctx).ID)
	ids.competency = e.ID(c.Competency.Query().Where(competency.Key("cloud-platform")).OnlyIDX(ctx))
	ids.skill = e.ID(c.Skill.Query().Where(skill.Number("AZ-104")).OnlyIDX(ctx))
	return ids
}

// mutationsOn lists every mutation that takes an ID, aimed at ids.
func mutationsOn(ids contosoIDs) []struct {
	name, q string
	vars    map[string]any
} {
	return []struct {
		name, q string
		vars    map[string]any
	}{
		{"updateUser", `mutation($id:ID!){updateUser(input:{id:$id,name:"Pwned"}){user{id}}}`, map[string]any{"id": ids.riley}},
		{"updateUser email", `mutation($id:ID!){updateUser(input:{id:$id,email:"pwned@fabrikam.example"}){user{id}}}`, map[string]any{"id": ids.grace}},
		{"resendInvite", `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": ids.riley}},
		{"assignRoles", `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[]}){user{id}}}`, map[string]any{"id": ids.grace}},
		{"deleteUser", `mutation($id:ID!){deleteUser(id:$id){deletedUserId}}`, map[string]any{"id": ids.alex}},
		{"removeFromReport", `mutation($id:ID!){removeFromReport(userId:$id){userId}}`, map[string]any{"id": ids.alex}},
		{"replyToSupportTicket", `mutation($id:ID!){replyToSupportTicket(input:{ticketId:$id,body:"x"}){id}}`, map[string]any{"id": ids.ticket}},
		{"closeSupportTicket", `mutation($id:ID!){closeSupportTicket(id:$id){id}}`, map[string]any{"id": ids.ticket}},
		{"revokeApiToken", `mutation($id:ID!){revokeApiToken(id:$id){id}}`, map[string]any{"id": ids.apiToken}},
		{"revokeProviderToken", `mutation($id:ID!){revokeProviderToken(id:$id){id}}`, map[string]any{"id": ids.apiToken}},
	}
}

// Another organization's IDs in every mutation that takes one: NOT_FOUND, and
// nothing changes — for its Global Admin and for its all-scopes API token.
func TestOtherOrganizationsIDs(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ids := contosoObjects(t, e)
		sam := e.Demo("sam@fabrikam.example")
		samTool, _ := apiTokenOf(t, e, sam, allScopes)
		before := snapshot(t, e)
		for _, m := range mutationsOn(ids) {
			want := "NOT_FOUND"
			if m.name == "revokeProviderToken" {
				want = "FORBIDDEN" // operators only, whatever the id
			}
			if got := call(t, e, sam, m.q, m.vars, nil); got != want {
				t.Fatalf("Fabrikam's Global Admin: %s on a Contoso id: %q, want %s", m.name, got, want)
			}
			if got := call(t, e, samTool, m.q, m.vars, nil); got != "FORBIDDEN" && got != "NOT_FOUND" {
				t.Fatalf("Fabrikam's API token: %s on a Contoso id: %q", m.name, got)
			}
		}
		if got := call(t, e, sam, `mutation($ids:[ID!]!){markNotificationsRead(ids:$ids){marked}}`, map[string]any{"ids": []string{ids.notification}}, nil); got != "NOT_FOUND" {
			t.Fatalf("sam marking grace's notification read: %q, want NOT_FOUND", got)
		}
		// Fabrikam's own attestation and offer calls touch only Fabrikam: the
		// catalog ids are shared, the organization is the caller's.
		sameState(t, "another organization's calls", before, snapshot(t, e))
	})
}

// API tokens read; they never change anything (A2): every mutation is refused,
// even for a Global Admin's token carrying every scope.
func TestAPITokensCannotMutate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ids := contosoObjects(t, e)
		grace := e.Demo("grace@contoso.example")
		tool, _ := apiTokenOf(t, e, grace, allScopes)
		reqID := e.ID(e.App.DB.Client.Requirement.Query().FirstIDX(sys()))
		before := snapshot(t, e)
		calls := append(mutationsOn(ids), []struct {
			name, q string
			vars    map[string]any
		}{
			{"signOut", `mutation{signOut{signedOut}}`, nil},
			{"associateLearningAccount", `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{id}}}`, nil},
			{"removeLearningAccount", `mutation{removeLearningAccount{user{id}}}`, nil},
			{"associatePartnerUniversity", `mutation{associatePartnerUniversity(input:{email:"jordan@learn.example",password:"learn-demo"}){user{id}}}`, nil},
			{"removePartnerUniversityAccess", `mutation{removePartnerUniversityAccess{user{id}}}`, nil},
			{"setAttestation", `mutation($r:ID!){setAttestation(input:{requirement:$r,met:false,note:"x"}){status}}`, map[string]any{"r": reqID}},
			{"purchaseCompetencyOffer", `mutation($c:ID!){purchaseCompetencyOffer(input:{competency:$c,level:SILVER,option:"Standard"}){status}}`, map[string]any{"c": ids.competency}},
			{"ingestResults", `mutation{ingestResults(input:[{mcid:"9900001",skillNumber:"AZ-900",completedAt:"2026-01-01T00:00:00Z"}]){accepted}}`, nil},
			{"createProviderToken", `mutation{createProviderToken(name:"x"){token}}`, nil},
			{"loadCatalog", `mutation{loadCatalog(document:"{}"){summary}}`, nil},
			{"upsertSkill", `mutation{upsertSkill(input:{number:"AZ-104",title:"Pwned",type:EXAM}){number}}`, nil},
			{"inviteUser", `mutation{inviteUser(input:{email:"tool@contoso.example",name:"Tool",roles:[GLOBAL_ADMIN]}){temporaryPassword}}`, nil},
			{"changePassword", `mutation{changePassword(input:{currentPassword:"certlink-demo",newPassword:"a-new-password-1"}){user{id}}}`, nil},
			{"markNotificationsRead", `mutation($ids:[ID!]!){markNotificationsRead(ids:$ids){marked}}`, map[string]any{"ids": []string{ids.notification}}},
			{"createSupportTicket", `mutation{createSupportTicket(input:{category:"association",subject:"s",body:"b"}){id}}`, nil},
			{"mergeCertificationProfiles", `mutation{mergeCertificationProfiles(input:{survivorMcid:"9900002",duplicateMcid:"9900001"}){linkMoved}}`, nil},
			{"createApiToken", `mutation{createApiToken(input:{name:"more",scopes:[USERS_READ]}){secret}}`, nil},
		}...)
		for _, m := range calls {
			if got := call(t, e, tool, m.q, m.vars, nil); got != "FORBIDDEN" {
				t.Errorf("an API token called %s: %q, want FORBIDDEN", m.name, got)
			}
		}
		sameState(t, "an API token's mutations", before, snapshot(t, e))
		// The token still reads, and still works.
		if got := call(t, e, tool, `{competencyProgress{status}}`, nil, nil); got != "" {
			t.Fatalf("the token stopped reading: %q", got)
		}
	})
}

// A deleted work account's API tokens stop at once (L9), and a token's powers
// follow its maker's current roles: demoted, it reads nothing.
func TestTokensOfDeletedAndDemotedUsers(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		monaID := userID(t, e, "mona@contoso.example")
		must(t, e, grace, `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[GLOBAL_ADMIN,MPN_PARTNER_ADMIN]}){user{id}}}`, map[string]any{"id": monaID}, nil)
		mona := e.Demo("mona@contoso.example")
		monaTool, _ := apiTokenOf(t, e, mona, allScopes)
		graceTool, _ := apiTokenOf(t, e, grace, allScopes)
		for _, tok := range []string{monaTool, graceTool} {
			if got := call(t, e, tok, `{competencyProgress{status}}`, nil, nil); got != "" {
				t.Fatalf("a fresh token: %q", got)
			}
		}
		// Demoted to MPN Partner Admin: her token no longer lists users.
		must(t, e, grace, `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[MPN_PARTNER_ADMIN]}){user{id}}}`, map[string]any{"id": monaID}, nil)
		if got := call(t, e, monaTool, `{auditLog(first:5){totalCount}}`, nil, nil); got != "FORBIDDEN" {
			t.Fatalf("a demoted admin's token reads the audit log: %q", got)
		}
		// To a plain user: it reads no progress, no report, no CSV.
		must(t, e, grace, `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[]}){user{id}}}`, map[string]any{"id": monaID}, nil)
		for _, q := range []string{`{competencyProgress{status}}`, `{skillsReport(first:5){totalCount}}`} {
			if got := call(t, e, monaTool, q, nil, nil); got != "FORBIDDEN" {
				t.Fatalf("a plain user's token: %s gave %q", q, got)
			}
		}
		if res, _ := e.Get(monaTool, "/reports/skills.csv"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a plain user's token downloads the CSV: %d", res.StatusCode)
		}
		// Deleted: every token of the account is refused, everywhere.
		must(t, e, grace, `mutation($id:ID!){deleteUser(id:$id){deletedUserId}}`, map[string]any{"id": monaID}, nil)
		for _, q := range []string{`{competencyProgress{status}}`, `{skillsReport(first:5){totalCount}}`, `{users(first:5){totalCount}}`, `{me{email}}`} {
			if got := call(t, e, monaTool, q, nil, nil); got != "UNAUTHENTICATED" {
				t.Fatalf("a deleted user's token: %s gave %q", q, got)
			}
		}
		if res, _ := e.Get(monaTool, "/reports/skills.csv"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a deleted user's token downloads the CSV: %d", res.StatusCode)
		}
		// Grace's token is untouched by mona's deletion.
		if got := call(t, e, graceTool, `{competencyProgress{status}}`, nil, nil); got != "" {
			t.Fatalf("grace's token after mona's deletion: %q", got)
		}
	})
}

// An invited user holding a temporary password does nothing but set their own
// (U2) — not through GraphQL, not through the CSV — even as an admin.
func TestInvitedUserMustChangePasswordFirst(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		var inv struct {
			InviteUser struct{ TemporaryPassword string }
		}
		must(t, e, grace, `mutation{inviteUser(input:{email:"nina@contoso.example",name:"Nina",roles:[MPN_PARTNER_ADMIN]}){temporaryPassword}}`, nil, &inv)
		nina := e.SignIn("nina@contoso.example", inv.InviteUser.TemporaryPassword)
		reqID := e.ID(e.App.DB.Client.Requirement.Query().FirstIDX(sys()))
		compID := e.ID(e.App.DB.Client.Competency.Query().Where(competency.Key("cloud-platform")).OnlyIDX(sys()))
		for _, q := range []struct {
			name, q string
			vars    map[string]any
		}{
			{"competencyProgress", `{competencyProgress{status}}`, nil},
			{"skillsReport", `{skillsReport(first:5){totalCount}}`, nil},
			{"setAttestation", `mutation($r:ID!){setAttestation(input:{requirement:$r,met:false,note:"x"}){status}}`, map[string]any{"r": reqID}},
			{"purchaseCompetencyOffer", `mutation($c:ID!){purchaseCompetencyOffer(input:{competency:$c,level:SILVER,option:"Standard"}){status}}`, map[string]any{"c": compID}},
			{"users", `{users(first:5){totalCount}}`, nil},
			{"node", `query($id:ID!){node(id:$id){id}}`, map[string]any{"id": userID(t, e, "grace@contoso.example")}},
			{"notifications", `{notifications(first:5){totalCount}}`, nil},
		} {
			if got := call(t, e, nina, q.q, q.vars, nil); got != "FORBIDDEN/PASSWORD_CHANGE_REQUIRED" {
				t.Fatalf("%s before the password change: %q", q.name, got)
			}
		}
		res, body := e.Get(nina, "/reports/skills.csv")
		if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"code":"FORBIDDEN"`) || !strings.Contains(string(body), `"reason":"PASSWORD_CHANGE_REQUIRED"`) {
			t.Fatalf("CSV before the password change: %d %s", res.StatusCode, body)
		}
		must(t, e, nina, `mutation($p:String!){changePassword(input:{currentPassword:$p,newPassword:"chosen-by-me-at-last-1"}){user{email}}}`, map[string]any{"p": inv.InviteUser.TemporaryPassword}, nil)
		nina = e.SignIn("nina@contoso.example", "chosen-by-me-at-last-1")
		if got := call(t, e, nina, `{competencyProgress{status}}`, nil, nil); got != "" {
			t.Fatalf("after the password change: %q", got)
		}
		if res, _ := e.Get(nina, "/reports/skills.csv"); res.StatusCode != http.StatusOK {
			t.Fatalf("CSV after the password change: %d", res.StatusCode)
		}
	})
}

// node(id:) and nodes(ids:) on every node type: another organization's
// Organization and User are not found; the catalog (Competency, Skill) is
// public data; the anonymous see nothing. An API token without USERS_READ
// cannot list its organization's people through node or Organization.users.
func TestNodeAcrossOrganizations(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ids := contosoObjects(t, e)
		sam, lee := e.Demo("sam@fabrikam.example"), e.Demo("lee@fabrikam.example")
		samTool, _ := apiTokenOf(t, e, sam, allScopes)
		const node = `query($id:ID!){node(id:$id){id __typename ... on User{email} ... on Organization{name users(first:10){edges{node{email}}}}}}`
		for _, who := range []struct{ name, tok string }{{"Fabrikam GA", sam}, {"Fabrikam user", lee}, {"Fabrikam API token", samTool}} {
			for _, id := range []string{ids.org, ids.grace, ids.riley, ids.alex} {
				r := e.Do(who.tok, node, map[string]any{"id": id})
				if r.Code() != "NOT_FOUND" || strings.Contains(string(r.Data), "contoso") {
					t.Fatalf("%s: node(%s) gave %q %s", who.name, id, r.Code(), r.Data)
				}
			}
			r := e.Do(who.tok, `query($ids:[ID!]!){nodes(ids:$ids){id}}`, map[string]any{"ids": []string{ids.org, ids.grace}})
			if strings.Contains(string(r.Data), ids.grace) || strings.Contains(string(r.Data), ids.org) {
				t.Fatalf("%s: nodes() revealed Contoso: %s", who.name, r.Data)
			}
			for _, id := range []string{ids.competency, ids.skill} {
				if got := call(t, e, who.tok, node, map[string]any{"id": id}, nil); got != "" {
					t.Fatalf("%s: the public catalog node %s: %q", who.name, id, got)
				}
			}
		}
		for _, id := range []string{ids.org, ids.grace, ids.competency, ids.skill} {
			if got := call(t, e, "", node, map[string]any{"id": id}, nil); got != "UNAUTHENTICATED" {
				t.Fatalf("anonymous node(%s): %q", id, got)
			}
		}
		// Within Contoso: a report-only token sees no one through node or the
		// organization's users; a USERS_READ token does.
		grace := e.Demo("grace@contoso.example")
		reportOnly, _ := apiTokenOf(t, e, grace, `[REPORT_READ]`)
		usersRead, _ := apiTokenOf(t, e, grace, `[USERS_READ]`)
		if r := e.Do(reportOnly, node, map[string]any{"id": ids.riley}); r.Code() != "NOT_FOUND" {
			t.Fatalf("a REPORT_READ token reads a user through node: %q %s", r.Code(), r.Data)
		}
		var org struct {
			Node struct {
				Users struct {
					Edges []struct{ Node struct{ Email string } }
				}
			}
		}
		must(t, e, reportOnly, node, map[string]any{"id": ids.org}, &org)
		for _, ed := range org.Node.Users.Edges {
			if ed.Node.Email != "grace@contoso.example" {
				t.Fatalf("a REPORT_READ token lists the organization's users: %+v", org.Node.Users.Edges)
			}
		}
		var u struct{ Node struct{ Email string } }
		must(t, e, usersRead, node, map[string]any{"id": ids.riley}, &u)
		if u.Node.Email != "riley@contoso.example" {
			t.Fatalf("a USERS_READ token reading riley: %+v", u)
		}
	})
}

// TestTokenReadsItsCreatorOnlyByScope: a partner tool's token acts for the
// admin who made it, but their roles, links and association dates are
// personal: a PROGRESS_READ token gets FORBIDDEN for them (name and email
// stay readable), a USERS_READ token reads them as it reads anyone's of the
// organization, and the admin's own session always does.
func TestTokenReadsItsCreatorOnlyByScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		progressOnly, _ := apiTokenOf(t, e, grace, `[PROGRESS_READ]`)
		users, _ := apiTokenOf(t, e, grace, `[USERS_READ]`)
		for _, f := range []string{"roles", "learningAccount{mcid}", "partnerUniversity{email}", "nextAssociationAllowedAt",
			"associationsRemaining", "mustChangePassword", "createdAt"} {
			q := `{me{email ` + f + `}}`
			if r := e.Do(progressOnly, q, nil); r.Code() != "FORBIDDEN" {
				t.Errorf("PROGRESS_READ token, %s: %s %+v", q, r.Data, r.Errors)
			}
			if r := e.Do(users, q, nil); len(r.Errors) > 0 {
				t.Errorf("USERS_READ token, %s: %+v", q, r.Errors)
			}
			if r := e.Do(grace, q, nil); len(r.Errors) > 0 {
				t.Errorf("grace's session, %s: %+v", q, r.Errors)
			}
		}
		var out me
		must(t, e, progressOnly, `{me{email name}}`, nil, &out)
		if out.Me.Email != "grace@contoso.example" {
			t.Fatalf("the token's me: %+v", out.Me)
		}
	})
}
