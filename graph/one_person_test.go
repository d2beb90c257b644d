package graph_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent/profile"
	"certlink/internal/app"
	"certlink/internal/testenv"
)

const (
	qPreviewKind = `mutation($k:LinkKind!,$e:String!){previewAssociation(input:{kind:$k,email:$e,password:"learn-demo"}){alsoEnds alsoEndsInOrganization moves}}`
	mLinkPU      = `mutation($e:String!){associatePartnerUniversity(input:{email:$e,password:"learn-demo"}){user{partnerUniversity{email}}}}`
	mLinkLearn   = `mutation($e:String!){associateLearningAccount(input:{email:$e,password:"learn-demo"}){user{learningAccount{mcid}}}}`
	qMyLinks     = `{me{learningAccount{mcid} partnerUniversity{email}}}`
)

type myLinks struct {
	Me struct {
		LearningAccount   *struct{ Mcid string }
		PartnerUniversity *struct{ Email string }
	}
}

func linksOf(t *testing.T, e *testenv.Env, tok string) myLinks {
	t.Helper()
	var out myLinks
	must(t, e, tok, qMyLinks, nil, &out)
	return out
}

// One directory account is one person: its Learning profile and its Partner
// University access go to one work account. A review linked alex's Partner
// University access to mona and his MCID to grace, and one person counted as
// two "distinct people" for a requirement listing an exam and an assessment
// (C2). Associating one of them now ends the other's link to another work
// account, as a move ends an MCID's (L5) — and says so beforehand.
func TestOnePersonsAccountsGoToOneWorkAccount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		// No cooldown: the Partner University access ended at mona is
		// associated again within minutes below.
		e := testenv.Start(t, d, func(c *app.Config) { c.AssociationCooldown = 0 })
		alex, grace, mona := e.Demo("alex@contoso.example"), e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")
		var pre struct {
			PreviewAssociation struct {
				AlsoEnds, AlsoEndsInOrganization *string
				Moves                            bool
			}
		}
		must(t, e, mona, qPreviewKind, map[string]any{"k": "PARTNER_UNIVERSITY", "e": "alex@learn.example"}, &pre)
		if p := pre.PreviewAssociation; p.AlsoEnds == nil || *p.AlsoEnds != "LEARNING" || p.AlsoEndsInOrganization != nil || p.Moves {
			t.Fatalf("mona's preview of alex's Partner University access: %+v", p)
		}
		must(t, e, mona, mLinkPU, map[string]any{"e": "alex@learn.example"}, nil)
		if l := linksOf(t, e, alex); l.Me.LearningAccount != nil {
			t.Fatalf("alex's MCID still linked to alex beside his Partner University access at mona: %+v", l.Me.LearningAccount)
		}
		if l := linksOf(t, e, mona); l.Me.PartnerUniversity == nil {
			t.Fatal("mona's Partner University access missing")
		}
		// History and the admins' notice name the cause: the MCID is linked
		// nowhere, its person's other account went to another work account.
		var log struct {
			AuditLog struct {
				Edges []struct {
					Node struct{ Action, Detail string }
				}
			}
		}
		must(t, e, grace, `{auditLog(first:5,where:{actions:["LINK_ENDED_OTHER_ACCOUNT"]}){edges{node{action detail}}}}`, nil, &log)
		if len(log.AuditLog.Edges) != 1 || !strings.Contains(log.AuditLog.Edges[0].Node.Detail, "9900001") {
			t.Fatalf("the ended MCID's history: %+v", log.AuditLog.Edges)
		}
		told := false
		for _, n := range notifications(t, e, grace) {
			if strings.Contains(n.Title, "Alex Wilber's Learning account stopped counting: their Partner University access was associated with another work account") {
				told = true
			}
			if strings.Contains(n.Title+n.Body, "associated with another work account of your organization") {
				t.Fatalf("the notice calls it a move of the MCID: %+v", n)
			}
		}
		if !told {
			t.Fatalf("grace was not told why alex's MCID stopped counting: %+v", notifications(t, e, grace))
		}
		must(t, e, grace, qPreviewKind, map[string]any{"k": "LEARNING", "e": "alex@learn.example"}, &pre)
		if p := pre.PreviewAssociation; p.AlsoEnds == nil || *p.AlsoEnds != "PARTNER_UNIVERSITY" || p.Moves {
			t.Fatalf("grace's preview of alex's MCID: %+v", p)
		}
		must(t, e, grace, mLinkLearn, map[string]any{"e": "alex@learn.example"}, nil)
		if l := linksOf(t, e, mona); l.Me.PartnerUniversity != nil {
			t.Fatalf("alex's Partner University access still linked to mona beside his MCID at grace: %+v", l.Me.PartnerUniversity)
		}
		if l := linksOf(t, e, grace); l.Me.LearningAccount == nil || l.Me.LearningAccount.Mcid != "9900001" {
			t.Fatalf("grace's MCID: %+v", l.Me.LearningAccount)
		}
		// The same work account holds both: nothing ends (L4).
		must(t, e, grace, qPreviewKind, map[string]any{"k": "PARTNER_UNIVERSITY", "e": "alex@learn.example"}, &pre)
		if p := pre.PreviewAssociation; p.AlsoEnds != nil {
			t.Fatalf("grace's preview of her own person's Partner University access: %+v", p)
		}
		must(t, e, grace, mLinkPU, map[string]any{"e": "alex@learn.example"}, nil)
		if l := linksOf(t, e, grace); l.Me.LearningAccount == nil || l.Me.PartnerUniversity == nil {
			t.Fatalf("grace holds both: %+v", l.Me)
		}
	})
}

// Two work accounts associating one person's two accounts at once: one after
// the other, whatever the order, never both (every database; on MariaDB the
// two transactions hold the directory account's profiles).
func TestOnePersonsAccountsRacing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) { c.AssociationCooldown, c.AssociationsPerYear = 0, 1000 })
		riley, mona := e.Demo("riley@contoso.example"), e.Demo("mona@contoso.example")
		for round := range 8 {
			var wg sync.WaitGroup
			codes := make([]string, 2)
			start := make(chan struct{})
			for i, op := range []struct{ tok, q string }{{riley, mLinkLearn}, {mona, mLinkPU}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					codes[i] = call(t, e, op.tok, op.q, map[string]any{"e": "riley@learn.example"}, nil)
				}()
			}
			close(start)
			wg.Wait()
			r, m := linksOf(t, e, riley), linksOf(t, e, mona)
			if r.Me.LearningAccount != nil && m.Me.PartnerUniversity != nil {
				t.Fatalf("round %d (codes %q): riley holds the MCID and mona the Partner University access of one person", round, codes)
			}
			if r.Me.LearningAccount == nil && m.Me.PartnerUniversity == nil {
				t.Fatalf("round %d (codes %q): neither holds anything", round, codes)
			}
			// Both end up free for the next round.
			for _, tok := range []string{riley, mona} {
				call(t, e, tok, `mutation{removeLearningAccount{user{id}}}`, nil, nil)
				call(t, e, tok, `mutation{removePartnerUniversityAccess{user{id}}}`, nil, nil)
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// An MCID merge says two directory accounts are one person's (U4): their
// accounts then go to one work account too. A review linked alex's Partner
// University access to lee (Fabrikam) and riley's MCID to riley (Contoso),
// then merged riley's MCID into alex's: the survivor went to riley and one
// person counted in both organizations. Now the other link ends (MERGED).
func TestMergedPersonsAccountsGoToOneWorkAccount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		alex, lee, riley, ops := e.Demo("alex@contoso.example"), e.Demo("lee@fabrikam.example"), e.Demo("riley@contoso.example"), e.Demo("ops@certlink.example")
		must(t, e, alex, `mutation{removeLearningAccount{user{id}}}`, nil, nil)
		must(t, e, lee, mLinkPU, map[string]any{"e": "alex@learn.example"}, nil)
		must(t, e, riley, mLinkLearn, map[string]any{"e": "riley@learn.example"}, nil)
		var m struct{ MergeCertificationProfiles struct{ LinkMoved bool } }
		must(t, e, ops, `mutation{mergeCertificationProfiles(input:{survivorMcid:"9900001",duplicateMcid:"9900002"}){linkMoved}}`, nil, &m)
		if !m.MergeCertificationProfiles.LinkMoved {
			t.Fatal("riley's link did not move to the survivor")
		}
		if l := linksOf(t, e, riley); l.Me.LearningAccount == nil || l.Me.LearningAccount.Mcid != "9900001" {
			t.Fatalf("riley's MCID after the merge: %+v", l.Me.LearningAccount)
		}
		if l := linksOf(t, e, lee); l.Me.PartnerUniversity != nil {
			t.Fatalf("the merged person's Partner University access is still linked to lee in another organization: %+v", l.Me.PartnerUniversity)
		}
	})
}

// One person is every directory account MCID merges joined, in chains too.
// A recheck merged riley's MCID into jordan's and jordan's into alex's, with
// riley's Partner University access at lee (Fabrikam) and alex's MCID at
// alex (Contoso): the second merge looked at jordan's and alex's accounts
// only, and one person counted in both organizations. And after a merge, a
// later association of the merged account's other profile ended nothing.
func TestMergedPersonIsOnePersonLater(t *testing.T) {
	const merge = `mutation($s:String!,$d:String!){mergeCertificationProfiles(input:{survivorMcid:$s,duplicateMcid:$d}){linkMoved}}`
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		t.Run("chain", func(t *testing.T) {
			e := testenv.Start(t, d)
			alex, lee, ops := e.Demo("alex@contoso.example"), e.Demo("lee@fabrikam.example"), e.Demo("ops@certlink.example")
			must(t, e, ops, merge, map[string]any{"s": "9900003", "d": "9900002"}, nil)
			must(t, e, lee, mLinkPU, map[string]any{"e": "riley@learn.example"}, nil)
			must(t, e, ops, merge, map[string]any{"s": "9900001", "d": "9900003"}, nil)
			if l := linksOf(t, e, alex); l.Me.LearningAccount == nil || l.Me.LearningAccount.Mcid != "9900001" {
				t.Fatalf("alex's MCID after the merges: %+v", l.Me.LearningAccount)
			}
			if l := linksOf(t, e, lee); l.Me.PartnerUniversity != nil {
				t.Fatalf("riley's Partner University access, merged by a chain into alex's person, still at lee in another organization: %+v", l.Me.PartnerUniversity)
			}
			// Every merged profile names the live one: riley's MCID too.
			c := e.App.DB.Client
			riley := c.Profile.Query().Where(profile.Mcid("9900002")).OnlyX(sys())
			alexMCID := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(sys())
			if riley.MergedIntoID == nil || *riley.MergedIntoID != alexMCID.ID {
				t.Fatalf("9900002 after the chain names %v, not the survivor %d", riley.MergedIntoID, alexMCID.ID)
			}
		})
		t.Run("later association", func(t *testing.T) {
			e := testenv.Start(t, d)
			alex, lee, ops := e.Demo("alex@contoso.example"), e.Demo("lee@fabrikam.example"), e.Demo("ops@certlink.example")
			must(t, e, ops, merge, map[string]any{"s": "9900001", "d": "9900002"}, nil)
			var pre struct {
				PreviewAssociation struct{ AlsoEnds, AlsoEndsInOrganization *string }
			}
			must(t, e, lee, qPreviewKind, map[string]any{"k": "PARTNER_UNIVERSITY", "e": "riley@learn.example"}, &pre)
			if p := pre.PreviewAssociation; p.AlsoEnds == nil || *p.AlsoEnds != "LEARNING" || p.AlsoEndsInOrganization == nil {
				t.Fatalf("lee's preview of riley's Partner University access says nothing ends in Contoso: %+v", p)
			}
			must(t, e, lee, mLinkPU, map[string]any{"e": "riley@learn.example"}, nil)
			if l := linksOf(t, e, alex); l.Me.LearningAccount != nil {
				t.Fatalf("the MCID riley's was merged into stays at alex (Contoso) beside riley's access at lee (Fabrikam): %+v", l.Me.LearningAccount)
			}
		})
	})
}

// A merge moves the link, not the L6 limit: the survivor's allowance counts
// the associations of the MCIDs merged into it. A review associated
// jordan's MCID at lee, merged it into riley's, and riley took the merged
// MCID to Contoso the same second: the 30 days were gone.
func TestMergeKeepsTheAssociationLimit(t *testing.T) {
	const merge = `mutation($s:String!,$d:String!){mergeCertificationProfiles(input:{survivorMcid:$s,duplicateMcid:$d}){linkMoved}}`
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		lee, riley, ops := e.Demo("lee@fabrikam.example"), e.Demo("riley@contoso.example"), e.Demo("ops@certlink.example")
		must(t, e, lee, mLinkLearn, map[string]any{"e": "jordan@learn.example"}, nil)
		must(t, e, ops, merge, map[string]any{"s": "9900002", "d": "9900003"}, nil)
		var me struct {
			Me struct {
				LearningAccount          *struct{ Mcid string }
				NextAssociationAllowedAt *string
				AssociationsRemaining    int
			}
		}
		must(t, e, lee, `{me{learningAccount{mcid} nextAssociationAllowedAt associationsRemaining}}`, nil, &me)
		if me.Me.LearningAccount == nil || me.Me.LearningAccount.Mcid != "9900002" || me.Me.NextAssociationAllowedAt == nil || me.Me.AssociationsRemaining != 2 {
			t.Fatalf("lee's allowance after the merge: %+v", me.Me)
		}
		var pre struct{ PreviewAssociation struct{ Allowed bool } }
		must(t, e, riley, `mutation{previewAssociation(input:{kind:LEARNING,email:"riley@learn.example",password:"learn-demo"}){allowed}}`, nil, &pre)
		if pre.PreviewAssociation.Allowed {
			t.Fatal("riley's preview allows taking the merged MCID within the 30 days")
		}
		if got := call(t, e, riley, mLinkLearn, map[string]any{"e": "riley@learn.example"}, nil); got != "ASSOCIATION_LIMITED" {
			t.Fatalf("riley took the merged MCID within the 30 days: %q", got)
		}
	})
}

// Within one organization, the order in which a colleague associates a
// person's two accounts does not change what L6 counts: taking the Partner
// University access first ended the MCID's link at alex (the person's other
// account went to grace), and the MCID then came back as a new association,
// using a slot that taking the MCID first (a move within the organization)
// does not. Taking it back where the person is is no new association.
func TestOrderOfOnePersonsAccountsUsesNoQuota(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace, alex := e.Demo("grace@contoso.example"), e.Demo("alex@contoso.example")
		remaining := func(tok string) int {
			var me struct {
				Me struct{ AssociationsRemaining int }
			}
			must(t, e, tok, `{me{associationsRemaining}}`, nil, &me)
			return me.Me.AssociationsRemaining
		}
		before := remaining(alex) // MCID 9900001's, linked once by alex
		must(t, e, grace, mLinkPU, map[string]any{"e": "alex@learn.example"}, nil)
		var st struct {
			Me struct{ NextAssociationAllowedAt *string }
		}
		must(t, e, alex, `{me{nextAssociationAllowedAt}}`, nil, &st)
		if st.Me.NextAssociationAllowedAt != nil {
			t.Fatalf("alex's MCID, ended because its person's access went to grace, is not free to take back: %v", *st.Me.NextAssociationAllowedAt)
		}
		var pre struct {
			PreviewAssociation struct{ UsesQuota, Allowed bool }
		}
		must(t, e, grace, `mutation{previewAssociation(input:{kind:LEARNING,email:"alex@learn.example",password:"learn-demo"}){usesQuota allowed}}`, nil, &pre)
		if pre.PreviewAssociation.UsesQuota || !pre.PreviewAssociation.Allowed {
			t.Fatalf("grace's preview of the MCID her Partner University access took from alex: %+v", pre.PreviewAssociation)
		}
		must(t, e, grace, mLinkLearn, map[string]any{"e": "alex@learn.example"}, nil)
		if got := remaining(grace); got != before {
			t.Fatalf("the MCID has %d associations left after coming back within Contoso, want %d as before", got, before)
		}
	})
}
