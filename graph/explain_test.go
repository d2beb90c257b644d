package graph_test

import (
	"encoding/csv"
	"sort"
	"strings"
	"testing"
	"time"

	"certlink/ent/association"
	"certlink/ent/auditevent"
	"certlink/ent/outboxmessage"
	"certlink/ent/user"
	"certlink/internal/auth"
	"certlink/internal/testenv"
)

const qPreview = `mutation($e:String,$p:String){previewAssociation(input:{kind:LEARNING,email:$e,password:$p}){
  mcid name alreadyYours moves movesFromOrganization replaceFirst allowed nextAssociationAllowedAt associationsRemaining usesQuota nextAfterThisAt}}`

type preview struct {
	Mcid, Name                                 string
	AlreadyYours, Moves, ReplaceFirst, Allowed bool
	UsesQuota                                  bool
	MovesFromOrganization                      *string
	NextAssociationAllowedAt, NextAfterThisAt  *time.Time
	AssociationsRemaining                      int
}

func previewOf(t *testing.T, e *testenv.Env, tok, email string) preview {
	t.Helper()
	var out struct{ PreviewAssociation preview }
	must(t, e, tok, qPreview, map[string]any{"e": email, "p": "learn-demo"}, &out)
	return out.PreviewAssociation
}

// TestPreviewAssociation (L3, L5, L6): before associating, the person learns
// what applies to the MCID they entered — that its link elsewhere ends and
// where, its own limit with the very date a refusal would give — and nothing
// changes by asking.
func TestPreviewAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		lee, riley, alex := e.Demo("lee@fabrikam.example"), e.Demo("riley@contoso.example"), e.Demo("alex@contoso.example")
		free := previewOf(t, e, lee, "jordan@learn.example")
		if free.Mcid != "9900003" || free.Moves || free.AlreadyYours || free.ReplaceFirst || !free.Allowed || !free.UsesQuota || free.AssociationsRemaining != 3 ||
			free.NextAfterThisAt == nil || free.NextAfterThisAt.Sub(time.Now()) < 29*24*time.Hour {
			t.Fatalf("jordan, free: %+v", free)
		}
		must(t, e, lee, mAssociateJordan, nil, nil)
		if p := previewOf(t, e, lee, "jordan@learn.example"); !p.AlreadyYours || !p.Allowed {
			t.Fatalf("jordan, already lee's: %+v", p)
		}
		c := e.App.DB.Client
		events := c.AuditEvent.Query().CountX(sys())
		moved := previewOf(t, e, riley, "jordan@learn.example")
		if !moved.Moves || moved.MovesFromOrganization == nil || *moved.MovesFromOrganization != "Fabrikam Inc" || moved.Allowed ||
			moved.NextAssociationAllowedAt == nil || moved.AssociationsRemaining != 2 {
			t.Fatalf("jordan, seen by riley: %+v", moved)
		}
		// The refusal names the same date.
		r := e.Do(riley, mAssociateJordan, nil)
		if r.Code() != "ASSOCIATION_LIMITED" || r.Errors[0].Extensions["nextAssociationAllowedAt"] != moved.NextAssociationAllowedAt.UTC().Format(time.RFC3339Nano) {
			t.Fatalf("refusal %+v, preview %s", r.Errors, moved.NextAssociationAllowedAt)
		}
		if n := c.AuditEvent.Query().CountX(sys()); n != events {
			t.Fatalf("previewing wrote %d history entries", n-events)
		}
		if p := previewOf(t, e, lee, "jordan@learn.example"); !p.AlreadyYours {
			t.Fatalf("jordan left lee by a preview: %+v", p)
		}
		if p := previewOf(t, e, alex, "riley@learn.example"); !p.ReplaceFirst || p.Mcid != "9900002" || p.Moves {
			t.Fatalf("riley's MCID seen by alex, who has one: %+v", p)
		}
		if r := e.Do(riley, qPreview, map[string]any{"e": "jordan@learn.example", "p": "wrong"}); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("wrong password: %+v", r.Errors)
		}
		if r := e.Do(e.Demo("ops@certlink.example"), qPreview, map[string]any{"e": "jordan@learn.example", "p": "learn-demo"}); r.Code() != "FORBIDDEN" {
			t.Fatalf("operator: %+v", r.Errors)
		}
	})
}

const qImpact = `query($u:ID,$k:LinkKind){linkEndingImpact(user:$u,kind:$k){countsTowards lossCount detailsVisible
  losses{competency{name} level option requirement required current after optionLost}}}`

type impact struct {
	CountsTowards, LossCount int
	DetailsVisible           bool
	Losses                   []struct {
		Competency                 struct{ Name string }
		Level, Option, Requirement string
		Required, Current, After   int
		OptionLost                 bool
	}
}

func impactOf(t *testing.T, e *testenv.Env, tok string, vars map[string]any) impact {
	t.Helper()
	var out struct{ LinkEndingImpact impact }
	must(t, e, tok, qImpact, vars, &out)
	return out.LinkEndingImpact
}

// names puts an impact's losses in carriedAlone's form.
func (im impact) names() []string {
	var out []string
	for _, l := range im.Losses {
		level := strings.ToUpper(l.Level[:1]) + strings.ToLower(l.Level[1:])
		out = append(out, `"`+l.Requirement+`" of `+l.Competency.Name+", "+level+", "+l.Option)
	}
	sort.Strings(out)
	return out
}

// TestLinkEndingImpactPredictsTheLoss (L7, L9): before Remove access, Delete
// user or Remove from report, the requirements that would lose their tick are
// exactly those the deletion then reports lost; asking changes nothing; a user
// admin who may not see competencies (C7) learns how many, not which.
func TestLinkEndingImpactPredictsTheLoss(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		seedRequirement(t, e, nil)
		grace, mona, alex := e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example"), e.Demo("alex@contoso.example")
		alexID := userID(t, e, "alex@contoso.example")
		alone := carriedAlone(t, e, mona, "alex@contoso.example")
		var want []string
		for k := range alone {
			want = append(want, k)
		}
		sort.Strings(want)
		asAdmin := impactOf(t, e, mona, map[string]any{"u": alexID})
		if strings.Join(asAdmin.names(), "|") != strings.Join(want, "|") || asAdmin.LossCount != len(want) || !asAdmin.DetailsVisible ||
			asAdmin.CountsTowards < len(want) {
			t.Fatalf("impact for mona: %+v\nwant %v", asAdmin, want)
		}
		for _, l := range asAdmin.Losses {
			if l.After >= l.Required || l.Current < l.Required {
				t.Fatalf("a loss that is not one: %+v", l)
			}
		}
		// alex, a default user, learns how many of his organization's
		// requirements his Remove access ends, not which (C7: a review read
		// the organization's progress through his own impact).
		if self := impactOf(t, e, alex, map[string]any{"k": "LEARNING"}); self.DetailsVisible || len(self.Losses) != 0 || self.LossCount != len(want) {
			t.Fatalf("alex asking about his own Remove access: %+v", self)
		}
		if self := impactOf(t, e, mona, nil); !self.DetailsVisible {
			t.Fatalf("mona, an MPN Partner Admin, asking about her own links: %+v", self)
		}
		if none := impactOf(t, e, alex, map[string]any{"k": "PARTNER_UNIVERSITY"}); none.LossCount != 0 {
			t.Fatalf("alex's Partner University access carries nothing here: %+v", none)
		}
		if riley := impactOf(t, e, e.Demo("riley@contoso.example"), nil); riley.CountsTowards != 0 || riley.LossCount != 0 {
			t.Fatalf("riley counts for nothing: %+v", riley)
		}
		// A User Management Admin may delete alex but not see competencies.
		hash, err := auth.HashPassword("certlink-demo")
		if err != nil {
			t.Fatal(err)
		}
		contoso := e.App.DB.Client.User.Query().Where(user.Email("grace@contoso.example")).OnlyX(sys()).OrganizationID
		e.App.DB.Client.User.Create().SetEmail("pat@contoso.example").SetName("Pat").SetRoles([]string{"USER_MANAGEMENT_ADMIN"}).
			SetPasswordHash(hash).SetNillableOrganizationID(contoso).ExecX(sys())
		if hidden := impactOf(t, e, e.Demo("pat@contoso.example"), map[string]any{"u": alexID}); hidden.DetailsVisible ||
			len(hidden.Losses) != 0 || hidden.LossCount != len(want) {
			t.Fatalf("impact for a User Management Admin: %+v", hidden)
		}
		if r := e.Do(e.Demo("sam@fabrikam.example"), qImpact, map[string]any{"u": alexID}); r.Code() != "NOT_FOUND" {
			t.Fatalf("another organization's admin: %+v", r.Errors)
		}
		if r := e.Do(alex, qImpact, map[string]any{"u": userID(t, e, "grace@contoso.example")}); r.Code() != "FORBIDDEN" {
			t.Fatalf("a default user asking about someone else: %+v", r.Errors)
		}
		if ns := notifications(t, e, grace); len(ns) != 0 {
			t.Fatalf("asking told someone: %+v", ns)
		}
		// The deletion loses exactly what was predicted.
		must(t, e, grace, mDelete, map[string]any{"id": alexID}, nil)
		ns := notifications(t, e, grace)
		if len(ns) != 1 {
			t.Fatalf("after the deletion: %+v", ns)
		}
		var got []string
		for k := range unmetNamed(t, []string{ns[0].Body}) {
			got = append(got, k)
		}
		sort.Strings(got)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("predicted %v, lost %v", want, got)
		}
	})
}

// TestAuditLogReadableFilteredExported (B3): a deleted user is named by the
// address they had, actions and roles in words; the log filters by action,
// person and dates; the CSV export holds what the filter keeps; offer
// purchases are logged (TestPurchaseCompetencyOffer).
func TestAuditLogReadableFilteredExported(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		var inv struct {
			InviteUser struct{ User struct{ ID string } }
		}
		must(t, e, grace, `mutation{inviteUser(input:{email:"casey@contoso.example",name:"Casey Jones",roles:[MPN_PARTNER_ADMIN]}){user{id}}}`, nil, &inv)
		must(t, e, grace, mDelete, map[string]any{"id": inv.InviteUser.User.ID}, nil)
		var log struct {
			AuditLog struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Action, ActionLabel, Detail string
						User                        *struct {
							Name, Email string
							Deleted     bool
						}
					}
				}
			}
		}
		q := `query($w:AuditLogWhere){auditLog(first:10,where:$w){totalCount edges{node{action actionLabel detail user{name email deleted}}}}}`
		must(t, e, grace, q, map[string]any{"w": map[string]any{"user": inv.InviteUser.User.ID}}, &log)
		if log.AuditLog.TotalCount != 2 {
			t.Fatalf("casey's history: %+v", log.AuditLog)
		}
		for _, ed := range log.AuditLog.Edges {
			n := ed.Node
			if n.User == nil || n.User.Email != "casey@contoso.example" || !n.User.Deleted || n.User.Name != "Casey Jones" {
				t.Fatalf("the person concerned: %+v", n.User)
			}
			if n.Action == "USER_INVITED" && (!strings.Contains(n.Detail, "MPN Partner Admin") || strings.Contains(n.Detail, "MPN_PARTNER_ADMIN")) {
				t.Fatalf("roles in words: %q", n.Detail)
			}
		}
		if l := log.AuditLog.Edges[0].Node; l.Action != "USER_DELETED" || l.ActionLabel != "User deleted" {
			t.Fatalf("newest first, in words: %+v", l)
		}
		must(t, e, grace, q, map[string]any{"w": map[string]any{"actions": []string{"USER_INVITED"}, "search": "casey"}}, &log)
		if log.AuditLog.TotalCount != 1 {
			t.Fatalf("invitations of casey: %d", log.AuditLog.TotalCount)
		}
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
		must(t, e, grace, q, map[string]any{"w": map[string]any{"from": tomorrow}}, &log)
		if log.AuditLog.TotalCount != 0 {
			t.Fatalf("from tomorrow: %d", log.AuditLog.TotalCount)
		}
		if r := e.Do(grace, q, map[string]any{"w": map[string]any{"from": tomorrow, "to": "2020-01-01"}}); r.Code() != "INVALID_INPUT" {
			t.Fatalf("from after to: %+v", r.Errors)
		}
		res, body := e.Get(grace, "/reports/audit.csv?action=USER_DELETED&action=USER_INVITED")
		recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if res.StatusCode != 200 || err != nil || len(recs) != 3 || recs[0][1] != "Action" || recs[1][1] != "User deleted" ||
			recs[1][6] != "casey@contoso.example" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; filename=audit-log-") {
			t.Fatalf("export: %d %v %q", res.StatusCode, err, recs)
		}
		if res, _ := e.Get(grace, "/reports/audit.csv?from=yesterday"); res.StatusCode != 400 {
			t.Fatalf("bad date: %d", res.StatusCode)
		}
		// linkHistory of no MCID would be every event that concerns none —
		// the organization's audit log — for people barred from it (mona is
		// an MPN Partner Admin, an operator sees every organization's): an
		// outside review's case.
		for _, who := range []string{"mona@contoso.example", "ops@certlink.example"} {
			for _, m := range []string{"", "  "} {
				r := e.Do(e.Demo(who), `query($m:String!){linkHistory(mcid:$m){action detail}}`, map[string]any{"m": m})
				if r.Code() != "INVALID_INPUT" || strings.Contains(string(r.Data), "USER_INVITED") {
					t.Fatalf("%s asking the history of MCID %q: %q %s", who, m, r.Code(), r.Data)
				}
			}
		}
		// A filter Go's URL.Query would drop (";") refuses the export, not
		// widens it to the whole log.
		for _, q := range []string{"action=FOO;", "mcId=9900001", "form=2030-01-01", "serach=alex", "mcid=1&mcid=2", "action=BOGUS"} {
			// A misspelt, repeated or unknown filter refuses the export
			// rather than widening it to the whole log (or emptying it).
			if res, body := e.Get(grace, "/reports/audit.csv?"+q); res.StatusCode != 400 || !strings.Contains(string(body), "INVALID_INPUT") {
				t.Fatalf("an audit export with %s: %d %s", q, res.StatusCode, body)
			}
		}
		if res, body := e.Get(grace, "/reports/audit.csv?action=DOMAIN_CHANGED&action=USER_INVITED"); res.StatusCode != 200 {
			t.Fatalf("two known actions: %d %s", res.StatusCode, body)
		}
		if res, _ := e.Get(e.Demo("mona@contoso.example"), "/reports/audit.csv"); res.StatusCode != 403 {
			t.Fatalf("an MPN Partner Admin exported the audit log: %d", res.StatusCode)
		}
	})
}

// TestNeedsAssociationChaseAndRemove (S3): admins remind a person recognized
// only through the legacy path to associate — once a day — or take them out
// of the report; history keeps both.
func TestNeedsAssociationChaseAndRemove(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		var out struct{ RemindToAssociate struct{ Mcid, SentTo string } }
		must(t, e, mona, `mutation{remindToAssociate(mcid:"9900002"){mcid sentTo}}`, nil, &out)
		if out.RemindToAssociate.SentTo != "riley@learn.example" {
			t.Fatalf("reminder: %+v", out)
		}
		c := e.App.DB.Client
		mail := c.OutboxMessage.Query().Where(outboxmessage.ToAddress("riley@learn.example")).AllX(sys())
		if len(mail) != 1 || !strings.Contains(mail[0].Body, "/profile") || !strings.Contains(mail[0].Subject, "Contoso Ltd") {
			t.Fatalf("reminder mail: %+v", mail)
		}
		if r := e.Do(mona, `mutation{remindToAssociate(mcid:"9900002"){mcid}}`, nil); r.Code() != "CONFLICT" {
			t.Fatalf("second reminder the same day: %+v", r.Errors)
		}
		for _, m := range []string{"9900001", "0000000"} { // linked; unknown
			if r := e.Do(mona, `mutation($m:String!){remindToAssociate(mcid:$m){mcid}}`, map[string]any{"m": m}); r.Code() != "NOT_FOUND" {
				t.Fatalf("reminding %s: %+v", m, r.Errors)
			}
		}
		if r := e.Do(e.Demo("riley@contoso.example"), `mutation{removeLegacyRecognition(mcid:"9900002"){mcid}}`, nil); r.Code() != "FORBIDDEN" {
			t.Fatalf("a default user removed someone: %+v", r.Errors)
		}
		must(t, e, mona, `mutation{removeLegacyRecognition(mcid:"9900002"){mcid}}`, nil, nil)
		var rep struct {
			SkillsReport struct{ TotalCount int }
		}
		must(t, e, mona, `{skillsReport(first:1,where:{mcid:"9900002"}){totalCount}}`, nil, &rep)
		if rep.SkillsReport.TotalCount != 0 {
			t.Fatalf("9900002 still in the report: %d rows", rep.SkillsReport.TotalCount)
		}
		if r := e.Do(mona, `mutation{removeLegacyRecognition(mcid:"9900002"){mcid}}`, nil); r.Code() != "NOT_FOUND" {
			t.Fatalf("removing again: %+v", r.Errors)
		}
		for _, a := range []string{"ASSOCIATION_REMINDER_SENT", "LEGACY_RECOGNITION_REMOVED"} {
			if n := c.AuditEvent.Query().Where(auditevent.Action(a), auditevent.Mcid("9900002")).CountX(sys()); n != 1 {
				t.Fatalf("%s events: %d", a, n)
			}
		}
	})
}

// TestMoveWithinOrganizationUsesNoQuota (L6): re-linking an MCID to the
// organization it is already linked to — a colleague's work account taking
// it over — is no new association: no cooldown, no quota, and the preview
// says so before.
func TestMoveWithinOrganizationUsesNoQuota(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		alex, riley := e.Demo("alex@contoso.example"), e.Demo("riley@contoso.example")
		const takeAlex = `mutation{associateLearningAccount(input:{email:"alex@learn.example",password:"learn-demo"}){user{email}}}`
		remaining := func(tok string) int {
			var out me
			must(t, e, tok, meQuery, nil, &out)
			return out.Me.Remaining
		}
		before := remaining(alex)
		p := previewOf(t, e, riley, "alex@learn.example")
		if !p.Moves || !p.Allowed || p.UsesQuota || p.NextAfterThisAt != nil || p.AssociationsRemaining != before {
			t.Fatalf("preview of a move within the organization: %+v (remaining before %d)", p, before)
		}
		// Back and forth within a minute: a cooldown would refuse the second.
		start := time.Now().Add(-time.Second)
		for i, tok := range []string{riley, alex, riley} {
			if r := e.Do(tok, takeAlex, nil); len(r.Errors) > 0 {
				t.Fatalf("move %d within the organization: %+v", i, r.Errors)
			}
		}
		if n := remaining(riley); n != before {
			t.Fatalf("associations remaining after three moves within the organization: %d, want %d", n, before)
		}
		c := e.App.DB.Client
		if n := c.Association.Query().Where(association.CountsQuota(true), association.StartedAtGT(start)).CountX(sys()); n != 0 {
			t.Fatalf("%d of the moves within the organization counted as new associations", n)
		}
		// Another organization taking it is a new association for the MCID.
		lee := e.Demo("lee@fabrikam.example")
		if p := previewOf(t, e, lee, "alex@learn.example"); !p.Moves || !p.UsesQuota || p.MovesFromOrganization == nil || *p.MovesFromOrganization != "Contoso Ltd" {
			t.Fatalf("preview from another organization: %+v", p)
		}
	})
}
