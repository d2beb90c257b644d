package graph_test

import (
	"certlink/ent/auditevent"
	"certlink/ent/schemamark"
	"strings"
	"testing"
	"time"

	"certlink/ent/directoryaccount"
	"certlink/ent/outboxmessage"
	"certlink/ent/profile"
	"certlink/internal/testenv"
)

// TestMergeTellsTheOrganizationThatLoses (N1): an operator merges alex's
// MCID 9900001 — which alone meets Contoso's TEST-104 requirement — into
// jordan's profile, linked to lee in Fabrikam. Contoso's link ends (MERGED)
// and the requirement falls: grace and mona are each told once, in the app
// and by mail, naming the merge; Fabrikam, which gained, hears nothing.
// Contoso's audit log shows the merge once.
func TestMergeTellsTheOrganizationThatLoses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		seedRequirement(t, e, nil)
		c := e.App.DB.Client
		ctx := sys()
		lee, sam := e.Demo("lee@fabrikam.example"), e.Demo("sam@fabrikam.example")
		grace, mona := e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")
		must(t, e, lee, mAssociateJordan, nil, nil)
		jordan := c.Profile.Query().Where(profile.HasAccountWith(directoryaccount.Email("jordan@learn.example")),
			profile.KindEQ(profile.KindLEARNING)).OnlyX(ctx)

		var out struct {
			MergeCertificationProfiles struct{ LinkEnded bool }
		}
		must(t, e, e.Demo("ops@certlink.example"), `mutation($s:String!){mergeCertificationProfiles(input:{survivorMcid:$s,duplicateMcid:"9900001"}){linkEnded}}`,
			map[string]any{"s": jordan.Mcid}, &out)
		if !out.MergeCertificationProfiles.LinkEnded {
			t.Fatalf("merge outcome: %+v", out)
		}
		for name, tok := range map[string]string{"grace": grace, "mona": mona} {
			ns := notifications(t, e, tok)
			if len(ns) != 1 {
				t.Fatalf("%s's notifications after the merge: %+v", name, ns)
			}
			n := ns[0]
			if !strings.HasPrefix(n.Title, "Alex Wilber's certification profile was merged into another") {
				t.Fatalf("%s's title does not name the merge: %q", name, n.Title)
			}
			if !strings.Contains(n.Body, "alex@contoso.example") || !strings.Contains(n.Body, "merged into another certification profile") ||
				!strings.Contains(n.Body, "1 person holding TEST-104") {
				t.Fatalf("%s's body: %s", name, n.Body)
			}
			for _, secret := range []string{"Lee", "lee@", "Fabrikam", jordan.Mcid} {
				if strings.Contains(n.Title+n.Body, secret) {
					t.Fatalf("Contoso is told %q about where the profile went: %s / %s", secret, n.Title, n.Body)
				}
			}
		}
		testenv.Eventually(t, 10*time.Second, func() bool {
			return c.OutboxMessage.Query().Where(outboxmessage.SentAtNotNil(), outboxmessage.SubjectContains("merged into another")).CountX(sys()) == 2
		}, "the at-risk mails sent")
		for _, admin := range []string{"grace@contoso.example", "mona@contoso.example"} {
			if ms := mailTo(t, e, grace, admin); len(ms) != 1 || !strings.Contains(ms[0], "merged into another") {
				t.Fatalf("mail to %s: %q, want one naming the merge", admin, ms)
			}
		}
		time.Sleep(200 * time.Millisecond)
		if ns := notifications(t, e, sam); len(ns) != 0 {
			t.Fatalf("Fabrikam, which gained, was told: %+v", ns)
		}

		// The audit log of each organization lists the merge once.
		for name, tok := range map[string]string{"Contoso": grace, "Fabrikam": sam} {
			var log struct {
				AuditLog struct{ TotalCount int }
			}
			must(t, e, tok, `{auditLog(first:10,where:{actions:["PROFILES_MERGED"]}){totalCount}}`, nil, &log)
			if log.AuditLog.TotalCount != 1 {
				t.Fatalf("%s's audit log lists the merge %d times, want 1", name, log.AuditLog.TotalCount)
			}
		}

		// The history Contoso reads of its MCID tells the merge without
		// naming the MCID, linked to Fabrikam, that it went into (review:
		// it named it); Fabrikam's history of that MCID names both.
		history := func(tok, mcid string) string {
			var h struct {
				LinkHistory []struct{ Action, Detail string }
			}
			must(t, e, tok, `query($m:String!){linkHistory(mcid:$m){action detail}}`, map[string]any{"m": mcid}, &h)
			var merged []string
			for _, ev := range h.LinkHistory {
				if ev.Action == "PROFILES_MERGED" {
					merged = append(merged, ev.Detail)
				}
			}
			if len(merged) != 1 {
				t.Fatalf("history of %s: %+v, want one merge", mcid, h.LinkHistory)
			}
			return merged[0]
		}
		if got := history(grace, "9900001"); strings.Contains(got, jordan.Mcid) || !strings.Contains(got, "merged MCID 9900001 into another certification profile") {
			t.Fatalf("Contoso's history of 9900001: %q", got)
		}
		if got := history(sam, jordan.Mcid); !strings.Contains(got, "merged MCID 9900001 into "+jordan.Mcid) {
			t.Fatalf("Fabrikam's history of %s: %q", jordan.Mcid, got)
		}
		// The organizations know the operator as certlink staff only
		// (PersonRef): the detail does not name them by address either, nor
		// finds a search by it (review: "ops@certlink.example merged …").
		staff := func(when string) {
			t.Helper()
			for _, c := range []struct{ tok, mcid string }{{grace, "9900001"}, {sam, jordan.Mcid}} {
				if got := history(c.tok, c.mcid); !strings.HasPrefix(got, "certlink staff merged MCID 9900001 into ") {
					t.Fatalf("%s: the history of %s names the operator: %q", when, c.mcid, got)
				}
				var found struct{ AuditLog struct{ TotalCount int } }
				must(t, e, c.tok, `{auditLog(first:10,where:{search:"ops@certlink"}){totalCount}}`, nil, &found)
				if found.AuditLog.TotalCount != 0 {
					t.Fatalf("%s: a search for the operator's address finds %d events", when, found.AuditLog.TotalCount)
				}
			}
		}
		staff("recorded")
		// A database from before: its details began with the address; the
		// upgrade rewrites them once.
		n, err := c.AuditEvent.Update().Where(auditevent.Action("PROFILES_MERGED")).
			SetDetail("ops@certlink.example merged MCID 9900001 into " + jordan.Mcid + ": 3 results moved.").Save(ctx)
		if err != nil || n != 2 {
			t.Fatalf("making old details: %d %v", n, err)
		}
		if _, err := c.SchemaMark.Delete().Where(schemamark.Name("audit_events: operators named certlink staff")).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.App.DB.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		staff("after the upgrade")
	})
}
