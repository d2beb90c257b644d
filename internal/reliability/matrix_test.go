package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"certlink/ent/organization"
	"certlink/ent/user"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// Roles of the authorization matrix, one letter each.
var roles = []struct{ Letter, Name string }{
	{"N", "anonymous"},
	{"U", "default user"},
	{"G", "GLOBAL_ADMIN"},
	{"A", "ACCOUNT_ADMIN"},
	{"M", "USER_MANAGEMENT_ADMIN"},
	{"P", "MPN_PARTNER_ADMIN"},
	{"O", "OPERATOR"},
	{"T", "API token (all scopes)"},
	{"V", "provider token"},
}

// op is one operation of the schema with the roles allowed to call it: on its
// own organization's data (Own), and on another organization's (Other; ""
// when the operation names no other organization's data: it always works on
// the caller's own).
type op struct {
	Query      string
	Vars       func(f *fixtures, other bool) map[string]any
	Own, Other string
	HasOther   bool
	// Hidden: the operation answers NOT_FOUND for what the caller may not see.
	Hidden bool
}

// matrix lists every Query and Mutation field. TestAuthorizationMatrix fails
// when the schema has a field without a row here.
var matrix = map[string]op{
	// Public and per-person.
	"signIn":  {Query: `mutation{signIn(input:{email:"riley@contoso.example",password:"certlink-demo"}){token}}`, Own: "NUGAMPOTV"},
	"me":      {Query: `{me{email}}`, Own: "UGAMPOT"},
	"signOut": {Query: `mutation{signOut{signedOut}}`, Own: "UGAMPO"}, // tokens are revoked, not signed out
	"changePassword": {Query: `mutation{changePassword(input:{currentPassword:"wrong-password",newPassword:"a-new-password-123"}){user{email}}}`,
		Own: "UGAMPO"},
	"associateLearningAccount": {Query: `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{email}}}`,
		Own: "UGAMP"},
	"removeLearningAccount":         {Query: `mutation{removeLearningAccount{user{email}}}`, Own: "UGAMP"},
	"associatePartnerUniversity":    {Query: `mutation{associatePartnerUniversity(input:{email:"nobody@learn.example",password:"x"}){user{email}}}`, Own: "UGAMP"},
	"removePartnerUniversityAccess": {Query: `mutation{removePartnerUniversityAccess{user{email}}}`, Own: "UGAMP"},
	"previewAssociation": {Query: `mutation{previewAssociation(input:{kind:LEARNING,email:"jordan@learn.example",password:"learn-demo"}){mcid}}`,
		Own: "UGAMP"},
	"notifications":           {Query: `{notifications(first:1){totalCount}}`, Own: "UGAMPO"},
	"unreadNotificationCount": {Query: `{unreadNotificationCount}`, Own: "UGAMPO"},
	"markNotificationsRead":   {Query: `mutation{markNotificationsRead(ids:[]){marked}}`, Own: "UGAMPO"},
	"createSupportTicket": {Query: `mutation{createSupportTicket(input:{category:"Other",subject:"Matrix",body:"Hello"}){id}}`,
		Own: "UGAMPO"},

	// Competencies (C7).
	"competencyProgress": {Query: `{competencyProgress{status}}`, Own: "GPT"},
	"skillsReport":       {Query: `{skillsReport(first:1){totalCount}}`, Own: "GPT"},
	// Beyond the anchors (B1, B2, capability score): the same audience as progress.
	"simulateProgress":        {Query: `{simulateProgress(input:{}){status}}`, Own: "GPT"},
	"simulateCapabilityScore": {Query: `{simulateCapabilityScore(input:{}){points}}`, Own: "GPT"},
	"forecast":                {Query: `{forecast{at}}`, Own: "GPT"},
	"capabilityScore":         {Query: `{capabilityScore{points}}`, Own: "GPT"},
	"solutionAreas":           {Query: `{solutionAreas{key}}`, Own: "GPT"},
	"simulateSolutionAreas":   {Query: `{simulateSolutionAreas(input:{}){key}}`, Own: "GPT"},
	"qualificationHistory": {Query: `{qualificationHistory(area:"modern-work",from:"2026-01-01T00:00:00Z",to:"2026-02-01T00:00:00Z"){qualified}}`,
		Own: "GPT"},
	"ingestMetrics": {Query: `mutation{ingestMetrics(input:[{mpnId:"4100001",area:"modern-work",metric:"net-customer-adds",month:"2026-01",value:3}]){accepted}}`,
		Own: "OV"},
	"setAttestation": {Query: `mutation($r:ID!){setAttestation(input:{requirement:$r,met:false}){status}}`,
		Vars: func(f *fixtures, _ bool) map[string]any { return map[string]any{"r": f.attested} }, Own: "GP"},
	"purchaseCompetencyOffer": {Query: `mutation($c:ID!){purchaseCompetencyOffer(input:{competency:$c,level:SILVER,option:"Standard"}){status}}`,
		Vars: func(f *fixtures, _ bool) map[string]any { return map[string]any{"c": f.competency} }, Own: "GP"},

	// Operators: catalog, ingest tokens, merges.
	"catalogDocument":     {Query: `{catalogDocument}`, Own: "O"},
	"providerTokens":      {Query: `{providerTokens{id}}`, Own: "O"},
	"createProviderToken": {Query: `mutation{createProviderToken(name:"matrix-made"){token}}`, Own: "O"},
	"revokeProviderToken": {Query: `mutation($id:ID!){revokeProviderToken(id:$id){id}}`,
		Vars: func(f *fixtures, _ bool) map[string]any { return map[string]any{"id": f.providerVictim} }, Own: "O"},
	"loadCatalog": {Query: `mutation($d:String!){loadCatalog(document:$d){summary}}`,
		Vars: func(f *fixtures, _ bool) map[string]any { return map[string]any{"d": f.catalog} }, Own: "O"},
	"upsertSkill": {Query: `mutation{upsertSkill(input:{number:"MATRIX-1",title:"Matrix skill",type:EXAM}){id}}`, Own: "O"},
	"ingestResults": {Query: `mutation{ingestResults(input:[{mcid:"9900002",skillNumber:"AZ-104",completedAt:"2024-01-02T00:00:00Z"}]){accepted}}`,
		Own: "OV"},
	"mergeCertificationProfiles": {Query: `mutation{mergeCertificationProfiles(input:{survivorMcid:"99999998",duplicateMcid:"99999999"}){resultsMoved}}`,
		Own: "O"},
	"verifyOrganizationDomain": {Query: `mutation($d:String!){verifyOrganizationDomain(input:{mpnId:"4100001",domain:$d}){verifiedDomains}}`,
		Vars: func(f *fixtures, _ bool) map[string]any {
			f.seq++
			return map[string]any{"d": fmt.Sprintf("matrix%d.example", f.seq)}
		}, Own: "O"},
	"removeOrganizationDomain": {Query: `mutation{removeOrganizationDomain(input:{mpnId:"4100001",domain:"never-verified.example"}){verifiedDomains}}`,
		Own: "O"},

	// Users (U1, U2).
	"users": {Query: `{users(first:5){totalCount}}`, Own: "GAMPT"},
	"inviteUser": {Query: `mutation($e:String!){inviteUser(input:{email:$e,name:"Matrix Invitee"}){user{email}}}`,
		Vars: func(f *fixtures, _ bool) map[string]any {
			f.seq++
			return map[string]any{"e": fmt.Sprintf("matrix%d@contoso.example", f.seq)}
		}, Own: "GAM"},
	"updateUser": {Query: `mutation($id:ID!){updateUser(input:{id:$id,name:"Renamed"}){user{name}}}`,
		Vars: target(func(f *fixtures) [2]string { return f.invited }), Own: "GAM", HasOther: true},
	"resendInvite": {Query: `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`,
		Vars: target(func(f *fixtures) [2]string { return f.invited }), Own: "GAM", HasOther: true},
	"assignRoles": {Query: `mutation($id:ID!){assignRoles(input:{userId:$id,roles:[]}){user{email}}}`,
		Vars: target(func(f *fixtures) [2]string { return f.invited }), Own: "GA", HasOther: true},
	"deleteUser": {Query: `mutation($id:ID!){deleteUser(id:$id){deletedUserId}}`,
		Vars: target(func(f *fixtures) [2]string { return f.doomed }), Own: "GAM", HasOther: true},
	"removeFromReport": {Query: `mutation($id:ID!){removeFromReport(userId:$id){userId}}`,
		Vars: target(func(f *fixtures) [2]string { return f.reported }), Own: "GP", HasOther: true},
	// What ending someone's links would cost: the admins who may delete them or
	// remove them from the report (a default user asks about themself: no user).
	"linkEndingImpact": {Query: `query($id:ID!){linkEndingImpact(user:$id){lossCount}}`,
		Vars: target(func(f *fixtures) [2]string { return f.reported }), Own: "GAMP", HasOther: true},
	// People recognized through the legacy path (S3): competency admins.
	"remindToAssociate":       {Query: `mutation{remindToAssociate(mcid:"9900002"){sentTo}}`, Own: "GP"},
	"removeLegacyRecognition": {Query: `mutation{removeLegacyRecognition(mcid:"9900002"){mcid}}`, Own: "GP"},

	// Support (U3).
	"supportTickets": {Query: `{supportTickets(first:1){totalCount}}`, Own: "UGAMPO"},
	"replyToSupportTicket": {Query: `mutation($id:ID!){replyToSupportTicket(input:{ticketId:$id,body:"Reply"}){id}}`,
		Vars: target(func(f *fixtures) [2]string { return f.ticket }), Own: "UGAMPO", Other: "O", HasOther: true},
	"closeSupportTicket": {Query: `mutation($id:ID!){closeSupportTicket(id:$id){id}}`,
		Vars: target(func(f *fixtures) [2]string { return f.ticket }), Own: "UGAMPO", Other: "O", HasOther: true},

	// History, audit, tokens, mail.
	"linkHistory":       {Query: `{linkHistory(mcid:"9900002"){action}}`, Own: "UGAMPOT", Hidden: true},
	"linkHistoryEvents": {Query: `{linkHistoryEvents(mcid:"9900002", first:1){totalCount}}`, Own: "UGAMPOT", Hidden: true},
	"auditLog":          {Query: `{auditLog(first:1){totalCount}}`, Own: "GT"},
	"auditActions":      {Query: `{auditActions{action}}`, Own: "UGAMPOTV"},
	"apiTokens":         {Query: `{apiTokens{id}}`, Own: "G"},
	"createApiToken":    {Query: `mutation{createApiToken(input:{name:"matrix",scopes:[REPORT_READ]}){secret}}`, Own: "G"},
	"revokeApiToken": {Query: `mutation($id:ID!){revokeApiToken(id:$id){id}}`,
		Vars: target(func(f *fixtures) [2]string { return f.apiVictim }), Own: "G", HasOther: true},
	"devMailbox": {Query: `{devMailbox(first:1){totalCount}}`, Own: "GAMPO"},

	// Relay. A work account is read by its organization's people as users
	// allows; an operator, in no organization, reads no one's (review: an
	// operator read any account's roles and MCID through node).
	"node": {Query: `query($id:ID!){node(id:$id){id}}`,
		Vars: target(func(f *fixtures) [2]string { return f.member }), Own: "GAMPT", HasOther: true, Hidden: true},
	"nodes": {Query: `query($id:ID!){nodes(ids:[$id]){id}}`,
		Vars: target(func(f *fixtures) [2]string { return f.member }), Own: "GAMPT", HasOther: true, Hidden: true},
}

// target picks the own or the other organization's id of a fixture pair.
func target(pick func(f *fixtures) [2]string) func(f *fixtures, other bool) map[string]any {
	return func(f *fixtures, other bool) map[string]any {
		p := pick(f)
		if other {
			return map[string]any{"id": p[1]}
		}
		return map[string]any{"id": p[0]}
	}
}

// fixtures are the ids the operations name: [own (Contoso), other (Fabrikam)].
type fixtures struct {
	tokens                        map[string]string // role letter → bearer
	attested, competency, catalog string
	providerVictim                string
	invited, doomed, reported     [2]string
	ticket, apiVictim, member     [2]string
	seq                           int
}

func setupMatrix(t *testing.T, e *testenv.Env) *fixtures {
	t.Helper()
	ctx := viewer.System(context.Background())
	c := e.App.DB.Client
	session := func(email string) string {
		u, err := c.User.Query().Where(user.Email(email)).Only(ctx)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		s, err := e.App.Accounts.OpenSession(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return s.Secret
	}
	contoso := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyX(ctx)
	fabrikam := c.Organization.Query().Where(organization.MpnID("4100002")).OnlyX(ctx)
	newUser := func(email string, orgID int, roles ...string) string {
		u := c.User.Create().SetEmail(email).SetName(email).SetOrganizationID(orgID).SetRoles(append([]string{}, roles...)).SaveX(ctx)
		return e.ID(u.ID)
	}
	newUser("accounts@contoso.example", contoso.ID, "ACCOUNT_ADMIN")
	newUser("people@contoso.example", contoso.ID, "USER_MANAGEMENT_ADMIN")
	f := &fixtures{tokens: map[string]string{
		"U": session("riley@contoso.example"), "G": session("grace@contoso.example"),
		"A": session("accounts@contoso.example"), "M": session("people@contoso.example"),
		"P": session("mona@contoso.example"), "O": session("ops@certlink.example"),
	}}
	sam, lee, ops, grace := session("sam@fabrikam.example"), session("lee@fabrikam.example"), f.tokens["O"], f.tokens["G"]
	must := func(tok, q string, vars map[string]any, out any) {
		t.Helper()
		r := e.Do(tok, q, vars)
		r.Decode(t, out)
	}
	var api struct {
		CreateApiToken struct {
			Secret string
			Token  struct{ ID string }
		}
	}
	must(grace, `mutation{createApiToken(input:{name:"matrix",scopes:[REPORT_READ,PROGRESS_READ,USERS_READ,AUDIT_READ]}){secret token{id}}}`, nil, &api)
	f.tokens["T"] = api.CreateApiToken.Secret
	must(grace, `mutation{createApiToken(input:{name:"victim",scopes:[REPORT_READ]}){secret token{id}}}`, nil, &api)
	f.apiVictim[0] = api.CreateApiToken.Token.ID
	must(sam, `mutation{createApiToken(input:{name:"victim",scopes:[REPORT_READ]}){secret token{id}}}`, nil, &api)
	f.apiVictim[1] = api.CreateApiToken.Token.ID
	var prov struct {
		CreateProviderToken struct {
			Token         string
			ProviderToken struct{ ID string }
		}
	}
	must(ops, `mutation{createProviderToken(name:"matrix"){token providerToken{id}}}`, nil, &prov)
	f.tokens["V"] = prov.CreateProviderToken.Token
	must(ops, `mutation{createProviderToken(name:"victim"){token providerToken{id}}}`, nil, &prov)
	f.providerVictim = prov.CreateProviderToken.ProviderToken.ID
	var doc struct{ CatalogDocument string }
	must(ops, `{catalogDocument}`, nil, &doc)
	f.catalog = doc.CatalogDocument
	var progress struct {
		CompetencyProgress []struct {
			Competency struct{ ID string }
			Levels     []struct {
				Options []struct{ Requirements []struct{ ID, Kind string } }
			}
		}
	}
	must(grace, `{competencyProgress{competency{id} levels{options{requirements{id kind}}}}}`, nil, &progress)
	f.competency = progress.CompetencyProgress[0].Competency.ID
	for _, cp := range progress.CompetencyProgress {
		for _, l := range cp.Levels {
			for _, o := range l.Options {
				for _, r := range o.Requirements {
					if r.Kind == "ATTESTED" && f.attested == "" {
						f.attested = r.ID
					}
				}
			}
		}
	}
	f.invited = [2]string{newUser("invited@contoso.example", contoso.ID), newUser("invited@fabrikam.example", fabrikam.ID)}
	f.doomed = [2]string{newUser("doomed@contoso.example", contoso.ID), newUser("doomed@fabrikam.example", fabrikam.ID)}
	f.reported = [2]string{newUser("reported@contoso.example", contoso.ID), newUser("reported@fabrikam.example", fabrikam.ID)}
	f.member = [2]string{newUser("member@contoso.example", contoso.ID), newUser("member@fabrikam.example", fabrikam.ID)}
	// History for linkHistory: riley links MCID 9900002 to Contoso.
	var linked struct {
		AssociateLearningAccount struct{ User struct{ Email string } }
	}
	must(f.tokens["U"], `mutation{associateLearningAccount(input:{email:"riley@learn.example",password:"learn-demo"}){user{email}}}`, nil, &linked)
	var ticket struct{ CreateSupportTicket struct{ ID string } }
	must(f.tokens["U"], `mutation{createSupportTicket(input:{category:"Other",subject:"Own",body:"Help"}){id}}`, nil, &ticket)
	f.ticket[0] = ticket.CreateSupportTicket.ID
	must(lee, `mutation{createSupportTicket(input:{category:"Other",subject:"Other",body:"Help"}){id}}`, nil, &ticket)
	f.ticket[1] = ticket.CreateSupportTicket.ID
	return f
}

// denied reports whether an answer refuses the caller: UNAUTHENTICATED or
// FORBIDDEN; on another organization's data, NOT_FOUND too (its existence is
// not revealed). Any other outcome — data, or an error about the input — means
// the caller got past authorization.
func denied(r *testenv.Response, other bool) bool {
	for _, e := range r.Errors {
		switch e.Extensions["code"] {
		case "UNAUTHENTICATED", "FORBIDDEN":
			return true
		case "NOT_FOUND":
			if other {
				return true
			}
		}
	}
	return false
}

// U1, C7, L2, A2: every operation of the schema × every role × own and other
// organization gives the expected allow or deny. Each role runs on its own
// fresh certlink, so what one role's mutations change cannot hide another's
// answer.
func TestAuthorizationMatrix(t *testing.T) {
	e0 := testenv.Start(t, testenv.SQLite)
	var schema struct {
		Schema struct {
			QueryType, MutationType struct{ Fields []struct{ Name string } }
		} `json:"__schema"`
	}
	e0.Do(e0.Demo("grace@contoso.example"), `{__schema{queryType{fields{name}} mutationType{fields{name}}}}`, nil).Decode(t, &schema)
	var ops []string
	for _, fl := range append(schema.Schema.QueryType.Fields, schema.Schema.MutationType.Fields...) {
		ops = append(ops, fl.Name)
		if _, ok := matrix[fl.Name]; !ok {
			t.Errorf("the operation %s has no row in the authorization matrix: add one", fl.Name)
		}
	}
	if t.Failed() {
		return
	}
	sort.Strings(ops)
	// signOut ends the caller's session: last.
	ops = append(slices.DeleteFunc(ops, func(s string) bool { return s == "signOut" }), "signOut")

	var report strings.Builder
	for _, role := range roles {
		t.Run(role.Name, func(t *testing.T) {
			e := testenv.Start(t, testenv.SQLite)
			f := setupMatrix(t, e)
			for _, name := range ops {
				o := matrix[name]
				for _, other := range []bool{false, true} {
					if other && !o.HasOther {
						continue
					}
					want := strings.Contains(o.Own, role.Letter)
					if other {
						want = strings.Contains(o.Other, role.Letter)
					}
					var vars map[string]any
					if o.Vars != nil {
						vars = o.Vars(f, other)
					}
					r := e.Do(f.tokens[role.Letter], o.Query, vars)
					if r.Status >= 500 || r.Code() == "INTERNAL" {
						t.Errorf("%s (other=%v): status %d %+v", name, other, r.Status, r.Errors)
					}
					got := !denied(r, other || o.Hidden)
					fmt.Fprintf(&report, "%s %s other=%v allowed=%v %s\n", role.Letter, name, other, got, firstError(r))
					if got != want {
						t.Errorf("[%s] %s on %s data: allowed=%v, want %v (answer: %s)", role.Letter, name, map[bool]string{false: "its own", true: "another organization's"}[other], got, want, firstError(r))
					}
				}
			}
		})
	}
	if t.Failed() {
		t.Logf("observed:\n%s", report.String())
	}
}

func firstError(r *testenv.Response) string {
	if len(r.Errors) == 0 {
		return "ok"
	}
	b, _ := json.Marshal(r.Errors[0].Extensions["code"])
	return string(b) + " " + r.Errors[0].Message
}
