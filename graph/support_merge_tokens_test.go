package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/internal/support"
	"certlink/internal/testenv"
)

func TestSupportTickets(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		alex, grace, mona := e.Demo("alex@contoso.example"), e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")
		riley, sam, ops := e.Demo("riley@contoso.example"), e.Demo("sam@fabrikam.example"), e.Demo("ops@certlink.example")
		const create = `mutation($c:String!){createSupportTicket(input:{category:$c,subject:"Cannot link",body:"It says limited."}){id status author{email}}}`
		var tk struct{ CreateSupportTicket struct{ ID, Status string } }
		must(t, e, alex, create, map[string]any{"c": "association"}, &tk)
		id := tk.CreateSupportTicket.ID
		if got := call(t, e, alex, create, map[string]any{"c": "NONSENSE"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("bad category: %q", got)
		}
		count := func(tok string) int {
			var out struct{ SupportTickets struct{ TotalCount int } }
			must(t, e, tok, `{supportTickets{totalCount}}`, nil, &out)
			return out.SupportTickets.TotalCount
		}
		for name, c := range map[string]struct {
			tok  string
			want int
		}{"author": {alex, 1}, "GA": {grace, 1}, "MPN admin": {mona, 1}, "operator": {ops, 1}, "colleague": {riley, 0}, "other org": {sam, 0}} {
			if got := count(c.tok); got != c.want {
				t.Fatalf("%s sees %d tickets, want %d", name, got, c.want)
			}
		}
		const reply = `mutation($id:ID!,$b:String!){replyToSupportTicket(input:{ticketId:$id,body:$b}){status replies{body fromStaff author{email}}}}`
		for name, tok := range map[string]string{"colleague": riley, "other org": sam} {
			if got := call(t, e, tok, reply, map[string]any{"id": id, "b": "x"}, nil); got != "NOT_FOUND" {
				t.Fatalf("%s replies: %q", name, got)
			}
		}
		var r struct {
			ReplyToSupportTicket struct {
				Status  string
				Replies []struct {
					Body      string
					FromStaff bool
				}
			}
		}
		must(t, e, grace, reply, map[string]any{"id": id, "b": "Wait until next month."}, &r)
		if r.ReplyToSupportTicket.Status != "ANSWERED" || !r.ReplyToSupportTicket.Replies[0].FromStaff {
			t.Fatalf("after the admin's answer: %+v", r)
		}
		must(t, e, ops, reply, map[string]any{"id": id, "b": "Operator here."}, nil)
		// The author sees the answers.
		var mine struct {
			SupportTickets struct {
				Edges []struct {
					Node struct {
						Replies []struct{ Body string }
					}
				}
			}
		}
		must(t, e, alex, `{supportTickets{edges{node{replies{body}}}}}`, nil, &mine)
		if rs := mine.SupportTickets.Edges[0].Node.Replies; len(rs) != 2 || rs[0].Body != "Wait until next month." {
			t.Fatalf("author sees: %+v", rs)
		}
		if got := call(t, e, riley, `mutation($id:ID!){closeSupportTicket(id:$id){status}}`, map[string]any{"id": id}, nil); got != "NOT_FOUND" {
			t.Fatalf("colleague closes: %q", got)
		}
		must(t, e, alex, `mutation($id:ID!){closeSupportTicket(id:$id){status}}`, map[string]any{"id": id}, nil)
		if got := call(t, e, grace, reply, map[string]any{"id": id, "b": "late"}, nil); got != "CONFLICT" {
			t.Fatalf("reply to a closed ticket: %q", got)
		}
	})
}

func TestMergeCertificationProfiles(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		ctx := sys()
		// A duplicate profile of Alex (MCID 9900099) holding one result Alex's
		// 9900001 has too and one it has not, linked to riley@contoso (who has
		// none) while the survivor 9900001 is linked to alex.
		acc := c.DirectoryAccount.Create().SetEmail("alex.old@learn.example").SetName("Alex Wilber").SaveX(ctx)
		dup := c.Profile.Create().SetKind(profile.KindLEARNING).SetMcid("9900099").SetAccount(acc).SaveX(ctx)
		surv := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(ctx)
		s1 := c.Skill.Create().SetNumber("TEST-1").SetTitle("One").SetType(skill.TypeEXAM).SaveX(ctx)
		s2 := c.Skill.Create().SetNumber("TEST-2").SetTitle("Two").SetType(skill.TypeEXAM).SaveX(ctx)
		when := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
		c.Result.Create().SetProfileID(surv.ID).SetSkillID(s1.ID).SetCompletedAt(when).SetSource("test").SaveX(ctx)
		c.Result.Create().SetProfileID(dup.ID).SetSkillID(s1.ID).SetCompletedAt(when).SetSource("test").SaveX(ctx)
		c.Result.Create().SetProfileID(dup.ID).SetSkillID(s2.ID).SetCompletedAt(when).SetSource("test").SaveX(ctx)
		// And a retake of TEST-2 a year later, only on the duplicate.
		c.Result.Create().SetProfileID(surv.ID).SetSkillID(s2.ID).SetCompletedAt(when.AddDate(-1, 0, 0)).SetSource("test").SaveX(ctx)
		// The survivor also holds the demo's results: count from there.
		held := c.Result.Query().Where(result.ProfileID(surv.ID)).CountX(ctx)
		rileyID := e.RowID(t, userID(t, e, "riley@contoso.example"))
		org := c.User.GetX(ctx, rileyID).OrganizationID
		c.Association.Create().SetKind(association.KindLEARNING).SetProfileID(dup.ID).SetUserID(rileyID).
			SetOrganizationID(*org).SetActiveProfileID(dup.ID).SetActiveUserSlot(fmt.Sprint(rileyID) + "/LEARNING").SaveX(ctx)

		const merge = `mutation($s:String!,$d:String!){mergeCertificationProfiles(input:{survivorMcid:$s,duplicateMcid:$d}){survivorMcid duplicateMcid resultsMoved resultsDropped linkMoved linkEnded}}`
		for name, tok := range map[string]string{"GA": e.Demo("grace@contoso.example"), "user": e.Demo("alex@contoso.example")} {
			if got := call(t, e, tok, merge, map[string]any{"s": "9900001", "d": "9900099"}, nil); got != "FORBIDDEN" {
				t.Fatalf("%s merges: %q", name, got)
			}
		}
		ops := e.Demo("ops@certlink.example")
		if got := call(t, e, ops, merge, map[string]any{"s": "9900001", "d": "9999999"}, nil); got != "NOT_FOUND" {
			t.Fatalf("unknown MCID: %q", got)
		}
		if got := call(t, e, ops, merge, map[string]any{"s": "9900001", "d": "9900001"}, nil); got != "INVALID_INPUT" {
			t.Fatalf("same MCID: %q", got)
		}
		var out struct {
			MergeCertificationProfiles struct {
				ResultsMoved, ResultsDropped int
				LinkMoved, LinkEnded         bool
			}
		}
		must(t, e, ops, merge, map[string]any{"s": "9900001", "d": "9900099"}, &out)
		m := out.MergeCertificationProfiles
		if m.ResultsMoved != 1 || m.ResultsDropped != 1 || m.LinkMoved || !m.LinkEnded {
			t.Fatalf("merge outcome: %+v", m)
		}
		if n := c.Result.Query().Where(result.ProfileID(surv.ID)).CountX(ctx); n != held+1 {
			t.Fatalf("survivor holds %d results, want %d (its %d and TEST-2; TEST-1 not twice)", n, held+1, held)
		}
		for sk, want := range map[*ent.Skill]int{s1: 1, s2: 2} {
			if n := c.Result.Query().Where(result.ProfileID(surv.ID), result.SkillID(sk.ID)).CountX(ctx); n != want {
				t.Fatalf("survivor holds %s %d times, want %d", sk.Number, n, want)
			}
		}
		// The report shows the survivor's TEST-2 once: the later one, moved over.
		var rep struct {
			SkillsReport struct {
				Edges []struct {
					Node struct{ CompletedAt time.Time }
				}
			}
		}
		must(t, e, e.Demo("mona@contoso.example"), `{skillsReport(where:{skillNumberIn:["TEST-2"]}){edges{node{completedAt}}}}`, nil, &rep)
		if len(rep.SkillsReport.Edges) != 1 || !rep.SkillsReport.Edges[0].Node.CompletedAt.Equal(when) {
			t.Fatalf("TEST-2 in the report after the merge: %+v", rep)
		}
		if n := c.Result.Query().Where(result.ProfileID(dup.ID)).CountX(ctx); n != 0 {
			t.Fatalf("duplicate still holds %d results", n)
		}
		if p := c.Profile.GetX(ctx, dup.ID); p.MergedIntoID == nil || *p.MergedIntoID != surv.ID {
			t.Fatalf("duplicate not marked merged: %+v", p)
		}
		if got := call(t, e, ops, merge, map[string]any{"s": "9900001", "d": "9900099"}, nil); got != "CONFLICT" {
			t.Fatalf("merging twice: %q", got)
		}
		var h historyOut
		must(t, e, ops, qHistory, map[string]any{"m": "9900099"}, &h)
		if got := strings.Join(actions(h), ","); got != "LINK_ENDED_MERGED,PROFILES_MERGED" {
			t.Fatalf("history of the duplicate: %s", got)
		}
	})
}

func TestMergeMovesLinkWithoutQuota(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		seedRequirement(t, e, nil) // met by 9900001's result alone
		c := e.App.DB.Client
		ctx := sys()
		// 9900002 (riley@learn, unlinked) survives; alex's linked 9900001 is the duplicate.
		must(t, e, e.Demo("ops@certlink.example"), `mutation{mergeCertificationProfiles(input:{survivorMcid:"9900002",duplicateMcid:"9900001"}){linkMoved}}`, nil, nil)
		surv := c.Profile.Query().Where(profile.Mcid("9900002")).OnlyX(ctx)
		a := c.Association.Query().Where(association.ActiveProfileID(surv.ID)).OnlyX(ctx)
		if a.CountsQuota || a.UserID != e.RowID(t, userID(t, e, "alex@contoso.example")) {
			t.Fatalf("moved link: %+v", a)
		}
		var me struct {
			Me struct{ LearningAccount struct{ Mcid string } }
		}
		must(t, e, e.Demo("alex@contoso.example"), `{me{learningAccount{mcid}}}`, nil, &me)
		if me.Me.LearningAccount.Mcid != "9900002" {
			t.Fatalf("alex's link after the merge: %+v", me)
		}
		// The link and the result moved together in one transaction: the
		// requirement stayed met, so nobody was warned.
		if ns := notifications(t, e, e.Demo("grace@contoso.example")); len(ns) != 0 {
			t.Fatalf("a merge within the organization warned: %+v", ns)
		}
		// Alex now holds AZ-104 (from 9900001) and AZ-204 (from 9900002), both
		// for the same requirement: one person, counted once.
		if got := carriedAlone(t, e, e.Demo("mona@contoso.example"), "alex@contoso.example"); !got[`"One person who passed an Azure administration or development exam" of Cloud Platform, Silver, Standard`] {
			t.Fatalf("after the merge alex no longer counts once for azure-administrators: %v", got)
		}
		var p struct {
			CompetencyProgress []struct {
				Competency struct{ Key string }
				Levels     []struct {
					Options []struct {
						Requirements []struct {
							Key, Kind string
							Current   int
							People    []struct{ Email string }
						}
					}
				}
			}
		}
		must(t, e, e.Demo("mona@contoso.example"), `{competencyProgress{competency{key} levels{options{requirements{key kind current people{email}}}}}}`, nil, &p)
		for _, cp := range p.CompetencyProgress {
			for _, l := range cp.Levels {
				for _, op := range l.Options {
					for _, r := range op.Requirements {
						if r.Kind == "SKILL" && r.Current != len(r.People) || (len(r.People) > 1 && r.People[0].Email == r.People[1].Email) {
							t.Fatalf("%s/%s counted twice: current %d, people %v", cp.Competency.Key, r.Key, r.Current, r.People)
						}
						if cp.Competency.Key == "cloud-platform" && r.Key == "azure-administrators" && r.Current != 1 {
							t.Fatalf("azure-administrators: %d people after the merge, want 1 (alex once)", r.Current)
						}
					}
				}
			}
		}
	})
}

func TestAPITokens(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		const create = `mutation($n:String!,$s:[ApiTokenScope!]!){createApiToken(input:{name:$n,scopes:$s}){secret token{id name scopes lastUsedAt createdBy{email}}}}`
		for name, tok := range map[string]string{"MPN admin": e.Demo("mona@contoso.example"), "user": e.Demo("alex@contoso.example"), "operator": e.Demo("ops@certlink.example")} {
			if got := call(t, e, tok, create, map[string]any{"n": "x", "s": []string{"USERS_READ"}}, nil); got != "FORBIDDEN" {
				t.Fatalf("%s creates a token: %q", name, got)
			}
		}
		if got := call(t, e, grace, create, map[string]any{"n": "x", "s": []string{}}, nil); got != "INVALID_INPUT" {
			t.Fatalf("no scopes: %q", got)
		}
		type created struct {
			CreateApiToken struct {
				Secret string
				Token  struct{ ID string }
			}
		}
		var users, report created
		must(t, e, grace, create, map[string]any{"n": "HR sync", "s": []string{"USERS_READ"}}, &users)
		must(t, e, grace, create, map[string]any{"n": "BI", "s": []string{"REPORT_READ"}}, &report)
		if !strings.HasPrefix(users.CreateApiToken.Secret, "clt_") {
			t.Fatalf("secret %q", users.CreateApiToken.Secret)
		}
		if got := call(t, e, users.CreateApiToken.Secret, qUsers, nil, nil); got != "" {
			t.Fatalf("USERS_READ token lists users: %q", got)
		}
		if got := call(t, e, report.CreateApiToken.Secret, qUsers, nil, nil); got != "FORBIDDEN/SCOPE_MISSING" {
			t.Fatalf("REPORT_READ token lists users: %q", got)
		}
		// A scope the token lacks is told as such (reason SCOPE_MISSING,
		// naming it), not as a role its maker, a Global Admin, lacks.
		for q, scope := range map[string]string{qUsers: "USERS_READ", `{auditLog(first:1){totalCount}}`: "AUDIT_READ"} {
			r := e.Do(report.CreateApiToken.Secret, q, nil)
			if r.Code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "SCOPE_MISSING" || r.Errors[0].Extensions["scope"] != scope ||
				!strings.Contains(r.Errors[0].Message, "lacks the "+scope+" scope") {
				t.Fatalf("a REPORT_READ token asking for %s: %+v", scope, r.Errors)
			}
		}
		if r := e.Do(users.CreateApiToken.Secret, `{skillsReport(first:1){totalCount}}`, nil); r.Code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "SCOPE_MISSING" {
			t.Fatalf("a USERS_READ token reading the report: %+v", r.Errors)
		}
		// A token changes nothing, even its creator's things.
		if got := call(t, e, users.CreateApiToken.Secret, create, map[string]any{"n": "y", "s": []string{"USERS_READ"}}, nil); got != "FORBIDDEN" {
			t.Fatalf("a token creates a token: %q", got)
		}
		if got := call(t, e, users.CreateApiToken.Secret, mDelete, map[string]any{"id": userID(t, e, "riley@contoso.example")}, nil); got != "FORBIDDEN" {
			t.Fatalf("a token deletes a user: %q", got)
		}
		var list struct {
			ApiTokens []struct {
				Name       string
				LastUsedAt *string
				Scopes     []string
			}
		}
		must(t, e, grace, `{apiTokens{name lastUsedAt scopes}}`, nil, &list)
		if len(list.ApiTokens) != 2 || list.ApiTokens[1].Name != "HR sync" || list.ApiTokens[1].LastUsedAt == nil {
			t.Fatalf("apiTokens: %+v", list)
		}
		if got := call(t, e, e.Demo("sam@fabrikam.example"), `mutation($id:ID!){revokeApiToken(id:$id){revokedAt}}`, map[string]any{"id": users.CreateApiToken.Token.ID}, nil); got != "NOT_FOUND" {
			t.Fatalf("another org revokes: %q", got)
		}
		must(t, e, grace, `mutation($id:ID!){revokeApiToken(id:$id){revokedAt}}`, map[string]any{"id": users.CreateApiToken.Token.ID}, nil)
		// A revoked token is told so, and when: a partner tool that starts
		// again learns why, instead of "Sign in first." (review).
		if r := e.Do(users.CreateApiToken.Secret, qUsers, nil); r.Code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, "This API token was revoked at ") ||
			r.Errors[0].Extensions["revokedAt"] == nil {
			t.Fatalf("revoked token: %+v", r.Errors)
		}
		if r := e.Do("clt_never-issued", qUsers, nil); r.Code() != "UNAUTHENTICATED" || strings.Contains(r.Errors[0].Message, "revoked") {
			t.Fatalf("a token never issued: %+v", r.Errors)
		}
		// The downloads' refusals carry the same facts as the API's.
		download := func(tok, path string) (int, map[string]any) {
			t.Helper()
			res, body := e.Get(tok, path)
			var out struct{ Error map[string]any }
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatalf("%s: %d %s", path, res.StatusCode, body)
			}
			return res.StatusCode, out.Error
		}
		if status, got := download(users.CreateApiToken.Secret, "/reports/skills.csv"); status != 401 || got["code"] != "UNAUTHENTICATED" || got["revokedAt"] == nil {
			t.Fatalf("a revoked token's download: %d %v", status, got)
		}
		if status, got := download(report.CreateApiToken.Secret, "/reports/audit.csv"); status != 403 || got["reason"] != "SCOPE_MISSING" || got["scope"] != "AUDIT_READ" {
			t.Fatalf("a REPORT_READ token's audit download: %d %v", status, got)
		}
		// The audit log (GA only) holds both creations and the revocation,
		// after the demo's seeded link.
		var log struct {
			AuditLog struct {
				TotalCount int
				Edges      []struct{ Node struct{ Action string } }
			}
		}
		must(t, e, grace, `{auditLog(first:2){totalCount edges{node{action}}}}`, nil, &log)
		if log.AuditLog.TotalCount != 4 || log.AuditLog.Edges[0].Node.Action != "API_TOKEN_REVOKED" || len(log.AuditLog.Edges) != 2 {
			t.Fatalf("audit log: %+v", log)
		}
		if got := call(t, e, e.Demo("mona@contoso.example"), `{auditLog{totalCount}}`, nil, nil); got != "FORBIDDEN" {
			t.Fatalf("MPN admin reads the audit log: %q", got)
		}
	})
}

// U4 at scale: a profile with thousands of results merges in one request, in
// a number of statements that does not grow with them (an outside reviewer's
// 5,400-result merge ran one statement per result and always hit the request
// timeout).
func TestMergeOfThousandsOfResults(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		ctx := sys()
		acc := c.DirectoryAccount.Create().SetEmail("many@learn.example").SetName("Many Results").SaveX(ctx)
		dup := c.Profile.Create().SetKind(profile.KindLEARNING).SetMcid("9900098").SetAccount(acc).SaveX(ctx)
		surv := c.Profile.Query().Where(profile.Mcid("9900002")).OnlyX(ctx)
		sk := c.Skill.Create().SetNumber("TEST-MANY").SetTitle("Many").SetType(skill.TypeEXAM).SaveX(ctx)
		const n = 3000
		when := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for start := 0; start < n; start += 500 {
			var b []*ent.ResultCreate
			for i := start; i < start+500; i++ {
				b = append(b, c.Result.Create().SetProfileID(dup.ID).SetSkillID(sk.ID).SetCompletedAt(when.Add(time.Duration(i)*time.Hour)).SetSource("test"))
			}
			c.Result.CreateBulk(b...).SaveX(ctx)
		}
		// The survivor holds the first of them already: dropped, not doubled.
		c.Result.Create().SetProfileID(surv.ID).SetSkillID(sk.ID).SetCompletedAt(when).SetSource("test").SaveX(ctx)

		before := e.Queries.Count()
		var out struct {
			MergeCertificationProfiles struct{ ResultsMoved, ResultsDropped int }
		}
		must(t, e, e.Demo("ops@certlink.example"), `mutation{mergeCertificationProfiles(input:{survivorMcid:"9900002",duplicateMcid:"9900098"}){resultsMoved resultsDropped}}`, nil, &out)
		statements := e.Queries.Count() - before
		if m := out.MergeCertificationProfiles; m.ResultsMoved != n-1 || m.ResultsDropped != 1 {
			t.Fatalf("merge outcome: %+v, want %d moved and 1 dropped", m, n-1)
		}
		if got := c.Result.Query().Where(result.ProfileID(surv.ID), result.SkillID(sk.ID)).CountX(ctx); got != n {
			t.Fatalf("survivor holds %d TEST-MANY results, want %d", got, n)
		}
		if got := c.Result.Query().Where(result.ProfileID(dup.ID)).CountX(ctx); got != 0 {
			t.Fatalf("duplicate still holds %d results", got)
		}
		if statements > 150 {
			t.Fatalf("merging %d results took %d statements: it grows with the results", n, statements)
		}
		t.Logf("merge of %d results: %d statements", n, statements)
	})
}

// TestSupportTicketRoom: a ticket holds at most MaxReplies replies and
// MaxTicketBytes of text, counted under the ticket's row, so replies racing
// through the API never pass the bound; past it a reply is refused (CONFLICT
// naming the limit), nothing is cut from what is shown, and the newest reply
// is always among the ticket's replies (outside review: one user's 1,000
// replies of 64 KiB made a 33 MB answer, and hid the answers after the
// 500th).
func TestSupportTicketRoom(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		alex, grace := e.Demo("alex@contoso.example"), e.Demo("grace@contoso.example")
		const (
			create = `mutation($b:String!){createSupportTicket(input:{category:"OTHER",subject:"Room",body:$b}){id}}`
			reply  = `mutation($id:ID!,$b:String!){replyToSupportTicket(input:{ticketId:$id,body:$b}){id}}`
		)
		var tk struct{ CreateSupportTicket struct{ ID string } }
		must(t, e, alex, create, map[string]any{"b": "Many follow-ups."}, &tk)
		id := tk.CreateSupportTicket.ID
		var (
			mu    sync.Mutex
			codes = map[string]int{}
			wg    sync.WaitGroup
		)
		const tries = support.MaxReplies + 30
		next := make(chan int, tries)
		for i := range tries {
			next <- i
		}
		close(next)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					r := e.Do(alex, reply, map[string]any{"id": id, "b": fmt.Sprint("follow-up ", i)})
					c := r.Code()
					if c == "CONFLICT" && r.Errors[0].Extensions["limit"] != "ticketReplies" {
						c = "CONFLICT without the limit"
					}
					mu.Lock()
					codes[c]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if codes[""] != support.MaxReplies || codes["CONFLICT"] != tries-support.MaxReplies {
			t.Fatalf("%d racing replies: %v, want %d accepted and the rest CONFLICT", tries, codes, support.MaxReplies)
		}
		if got := call(t, e, grace, reply, map[string]any{"id": id, "b": "An answer."}, nil); got != "CONFLICT" {
			t.Fatalf("the admin's answer on a full ticket: %q", got)
		}
		var all struct {
			SupportTickets struct {
				Edges []struct {
					Node struct{ Replies []struct{ Body string } }
				}
			}
		}
		must(t, e, grace, `{supportTickets{edges{node{replies{body}}}}}`, nil, &all)
		if rs := all.SupportTickets.Edges[0].Node.Replies; len(rs) != support.MaxReplies {
			t.Fatalf("the full ticket shows %d replies, want all %d", len(rs), support.MaxReplies)
		}
		// Text: 16,000 four-byte characters are 64,000 bytes; three such
		// answers do not fit in 128 KiB.
		wide := strings.Repeat("\U0001D54F", 16000)
		must(t, e, alex, create, map[string]any{"b": "Long answers."}, &tk)
		id = tk.CreateSupportTicket.ID
		must(t, e, grace, reply, map[string]any{"id": id, "b": wide}, nil)
		must(t, e, alex, reply, map[string]any{"id": id, "b": wide}, nil)
		r := e.Do(grace, reply, map[string]any{"id": id, "b": wide})
		if r.Code() != "CONFLICT" || r.Errors[0].Extensions["limit"] != "ticketBytes" || !strings.Contains(r.Errors[0].Message, "128 KB") {
			t.Fatalf("a third 64 KB answer: %+v", r.Errors)
		}
		must(t, e, grace, reply, map[string]any{"id": id, "b": "A short one still fits."}, nil)
	})
}
