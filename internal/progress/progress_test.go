package progress_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"certlink/ent/user"
	"certlink/internal/testenv"
)

// C4: the demo's Contoso: alex (linked) meets azure-administrators; a
// requirement short of people is IN_PROGRESS; attested + skills = QUALIFIED.
func TestDemoProgress(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		p := progressOf(t, e, e.Demo("mona@contoso.example"))
		admins := p.req(t, "cloud-platform", "SILVER", "Standard", "azure-administrators")
		if !admins.Met || admins.Current != 1 || admins.Required != 1 || !slices.Equal(emails(admins), []string{"alex@contoso.example"}) {
			t.Fatalf("azure-administrators: %+v", admins)
		}
		if len(admins.Skills) != 4 || admins.Skills[0].Number != "AZ-104" {
			t.Fatalf("skills: %+v", admins.Skills)
		}
		arch := p.req(t, "cloud-platform", "SILVER", "Standard", "azure-architects")
		if arch.Met || arch.Current != 1 || arch.Required != 2 {
			t.Fatalf("azure-architects: %+v", arch)
		}
		if s := p.comp(t, "cloud-platform").Status; s != "IN_PROGRESS" {
			t.Fatalf("cloud-platform status %s", s)
		}
		if s := p.comp(t, "data-analytics").Status; s != "QUALIFIED" {
			t.Fatalf("data-analytics status %s", s)
		}
		if s := p.comp(t, "security").Status; s != "NOT_STARTED" {
			t.Fatalf("security status %s (riley is credited only through the legacy path and must not count)", s)
		}
		// MS-100's validity has ended: alex's pass counts for nothing (C3).
		if r := p.req(t, "cloud-productivity", "SILVER", "Standard", "m365-administrators"); r.Current != 0 {
			t.Fatalf("an exam past its validity counted: %+v", r)
		}
		// Both dates of a retired skill are shown.
		eng := p.req(t, "data-analytics", "SILVER", "Standard", "data-engineers")
		i := slices.IndexFunc(eng.Skills, func(s struct {
			Number     string
			RetiredOn  *time.Time
			ValidUntil *time.Time
		}) bool {
			return s.Number == "DP-203"
		})
		if i < 0 || eng.Skills[i].RetiredOn == nil || eng.Skills[i].ValidUntil == nil {
			t.Fatalf("DP-203 dates: %+v", eng.Skills)
		}
		// No demo result is completed on or after its exam's retirement (a
		// review saw DP-203 and MS-100 passed after they retired).
		var late int
		if err := e.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM results r JOIN skills s ON s.id = r.skill_id
			WHERE s.retired_on IS NOT NULL AND r.completed_at >= s.retired_on`).Scan(&late); err != nil || late != 0 {
			t.Fatalf("%d demo results completed after their exam retired (%v)", late, err)
		}
	})
}

// C3: a retired exam counts until its validity end and not from then on; the
// requirement's unmetOn forecasts that moment; C5 AT_RISK within 90 days.
func TestRetiredExamCountsUntilValidityEnd(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
		e := testenv.Start(t, d, testenv.Clock(clk.now))
		tok := e.Demo("mona@contoso.example")
		end := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)

		p := progressOf(t, e, tok)
		eng := p.req(t, "data-analytics", "SILVER", "Standard", "data-engineers")
		if !eng.Met || eng.UnmetOn == nil || !eng.UnmetOn.Equal(end) {
			t.Fatalf("before: %+v", eng)
		}
		if s := p.comp(t, "data-analytics").Status; s != "QUALIFIED" {
			t.Fatalf("127 days ahead: status %s", s)
		}

		clk.t = end.Add(-89 * 24 * time.Hour)
		if s := progressOf(t, e, tok).comp(t, "data-analytics").Status; s != "AT_RISK" {
			t.Fatalf("89 days before the validity end: status %s, want AT_RISK", s)
		}

		clk.t = end.Add(-time.Second)
		if eng := progressOf(t, e, tok).req(t, "data-analytics", "SILVER", "Standard", "data-engineers"); !eng.Met {
			t.Fatalf("a second before the validity end: %+v", eng)
		}

		clk.t = end
		p = progressOf(t, e, tok)
		eng = p.req(t, "data-analytics", "SILVER", "Standard", "data-engineers")
		if eng.Met || eng.Current != 0 || len(eng.People) != 0 {
			t.Fatalf("at the validity end: %+v", eng)
		}
		if s := p.comp(t, "data-analytics").Status; s != "IN_PROGRESS" {
			t.Fatalf("after the validity end: status %s", s)
		}
	})
}

// Expiring certifications stop counting at their expiry.
func TestExpiredResultStopsCounting(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
		e := testenv.Start(t, d, testenv.Clock(clk.now))
		tok := e.Demo("mona@contoso.example")
		ops := e.Demo("ops@certlink.example")
		// alex passes SC-300, a certification valid one month.
		r := e.Do(ops, `mutation($in:[ResultInput!]!){ingestResults(input:$in){accepted errors{index message}}}`,
			map[string]any{"in": []map[string]any{{"mcid": "9900001", "skillNumber": "SC-300",
				"completedAt": "2026-11-01T09:00:00Z", "expiresAt": "2026-12-24T00:00:00Z"}}})
		var out struct{ IngestResults struct{ Accepted int } }
		r.Decode(t, &out)
		if out.IngestResults.Accepted != 1 {
			t.Fatalf("%+v", out)
		}
		id := progressOf(t, e, tok).req(t, "security", "SILVER", "Standard", "identity-administrators")
		if !id.Met || id.UnmetOn == nil || !id.UnmetOn.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("before expiry: %+v", id)
		}
		clk.t = time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
		if id := progressOf(t, e, tok).req(t, "security", "SILVER", "Standard", "identity-administrators"); id.Met {
			t.Fatalf("after expiry: %+v", id)
		}
	})
}

// People who move between organizations count where their active link is.
func TestMovedPersonCountsForNewOrganization(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		lee := e.Demo("lee@fabrikam.example")
		r := e.Do(lee, `mutation{associateLearningAccount(input:{email:"alex@learn.example",password:"learn-demo"}){user{email}}}`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("%+v", r.Errors)
		}
		contoso := progressOf(t, e, e.Demo("mona@contoso.example"))
		if a := contoso.req(t, "cloud-platform", "SILVER", "Standard", "azure-administrators"); a.Met || a.Current != 0 {
			t.Fatalf("Contoso still counts the moved MCID: %+v", a)
		}
		fabrikam := progressOf(t, e, e.Demo("sam@fabrikam.example"))
		a := fabrikam.req(t, "cloud-platform", "SILVER", "Standard", "azure-administrators")
		if !a.Met || !slices.Equal(emails(a), []string{"lee@fabrikam.example"}) {
			t.Fatalf("Fabrikam: %+v", a)
		}
	})
}

// A deleted work account stops counting even before its links are ended (L9).
func TestDeletedUserStopsCounting(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		tok := e.Demo("grace@contoso.example")
		deleteUser(t, e.App.DB.Client, "alex@contoso.example")
		if a := progressOf(t, e, tok).req(t, "cloud-platform", "SILVER", "Standard", "azure-administrators"); a.Met {
			t.Fatalf("a deleted user still counts: %+v", a)
		}
	})
}

// C2: attestations by admins, with a note, history kept, newest in force.
func TestAttestation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		rev := progressOf(t, e, grace).req(t, "cloud-platform", "SILVER", "Standard", "azure-revenue")
		set := `mutation($r:ID!,$m:Boolean!,$n:String){setAttestation(input:{requirement:$r,met:$m,note:$n}){
			competency{key} status levels{options{name requirements{key met current attestation{met note by{email}} attestationHistory{met note}}}}}}`
		if c := e.Do(grace, set, map[string]any{"r": rev.ID, "m": true}).Code(); c != "INVALID_INPUT" {
			t.Fatalf("met without a note: %s", c)
		}
		r := e.Do(grace, set, map[string]any{"r": rev.ID, "m": true, "n": "USD 4,200 in Aug–Oct 2026"})
		var out struct {
			SetAttestation struct{ Competency struct{ Key string } }
		}
		r.Decode(t, &out)
		if out.SetAttestation.Competency.Key != "cloud-platform" {
			t.Fatalf("%+v", out)
		}
		e.Do(grace, set, map[string]any{"r": rev.ID, "m": false, "n": "Revenue recount: below target"}).Decode(t, &out)
		rev = progressOf(t, e, grace).req(t, "cloud-platform", "SILVER", "Standard", "azure-revenue")
		if rev.Met || rev.Attestation == nil || rev.Attestation.Met || rev.Attestation.By.Email != "grace@contoso.example" ||
			len(rev.AttestationHistory) != 2 || !rev.AttestationHistory[1].Met || rev.AttestationHistory[0].Met {
			t.Fatalf("history: %+v", rev)
		}
		e.Do(grace, set, map[string]any{"r": rev.ID, "m": true, "n": "Confirmed by finance"}).Decode(t, &out)
		if rev = progressOf(t, e, grace).req(t, "cloud-platform", "SILVER", "Standard", "azure-revenue"); !rev.Met || rev.Current != 1 {
			t.Fatalf("newest wins: %+v", rev)
		}
		skillReq := progressOf(t, e, grace).req(t, "cloud-platform", "SILVER", "Standard", "azure-administrators")
		if c := e.Do(grace, set, map[string]any{"r": skillReq.ID, "m": true, "n": "x"}).Code(); c != "INVALID_INPUT" {
			t.Fatalf("attesting a SKILL requirement: %s", c)
		}
		for _, who := range []string{"alex@contoso.example", "riley@contoso.example", "ops@certlink.example"} {
			if c := e.Do(e.Demo(who), set, map[string]any{"r": rev.ID, "m": false, "n": "x"}).Code(); c != "FORBIDDEN" {
				t.Fatalf("%s attested: %s", who, c)
			}
		}
		// Fabrikam's attestations are its own.
		if r := progressOf(t, e, e.Demo("sam@fabrikam.example")).req(t, "cloud-platform", "SILVER", "Standard", "azure-revenue"); r.Met || len(r.AttestationHistory) != 0 {
			t.Fatalf("another org's attestation leaked: %+v", r)
		}
	})
}

// C6: purchase only when the option is met; REQUIREMENTS_UNMET lists them all.
func TestPurchaseCompetencyOffer(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
		e := testenv.Start(t, d, testenv.Clock(clk.now))
		mona := e.Demo("mona@contoso.example")
		p := progressOf(t, e, mona)
		buy := `mutation($c:ID!,$l:CompetencyLevel!,$o:String!){purchaseCompetencyOffer(input:{competency:$c,level:$l,option:$o}){
			competency{key} status offer{level option anniversaryAt}}}`
		cloud := p.comp(t, "cloud-platform").Competency.ID
		r := e.Do(mona, buy, map[string]any{"c": cloud, "l": "SILVER", "o": "Standard"})
		if r.Refusal() != "CONFLICT/REQUIREMENTS_UNMET" {
			t.Fatalf("unmet purchase: %+v", r.Errors)
		}
		msg := r.Errors[0].Message
		for _, want := range []string{"Two people who passed an Azure architecture or DevOps exam (1 of 2 people)", "USD 1,000", "Three customer references"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
		unmet, _ := r.Errors[0].Extensions["unmet"].([]any)
		if len(unmet) != 3 {
			t.Fatalf("extensions.unmet: %+v", r.Errors[0].Extensions)
		}
		// Each names its requirement by its API ID, as setAttestation takes it
		// (review: the raw row number, which the API refuses).
		for _, u := range unmet {
			m, _ := u.(map[string]any)
			key, _ := m["key"].(string)
			if want := p.req(t, "cloud-platform", "SILVER", "Standard", key).ID; m["id"] != want {
				t.Errorf("extensions.unmet names %s by %v, the API by %s", key, m["id"], want)
			}
		}
		if c := e.Do(mona, buy, map[string]any{"c": cloud, "l": "GOLD", "o": "Distributor option"}).Code(); c != "NOT_FOUND" {
			t.Fatalf("unknown option: %s", c)
		}
		if c := e.Do(e.Demo("alex@contoso.example"), buy, map[string]any{"c": cloud, "l": "SILVER", "o": "Standard"}).Code(); c != "FORBIDDEN" {
			t.Fatalf("a user purchased: %s", c)
		}

		data := p.comp(t, "data-analytics").Competency.ID
		var out struct {
			PurchaseCompetencyOffer struct {
				Status string
				Offer  struct {
					Level, Option string
					AnniversaryAt time.Time
				}
			}
		}
		e.Do(mona, buy, map[string]any{"c": data, "l": "SILVER", "o": "Standard"}).Decode(t, &out)
		got := out.PurchaseCompetencyOffer
		if !got.Offer.AnniversaryAt.Equal(clk.t.AddDate(1, 0, 0)) || got.Offer.Option != "Standard" {
			t.Fatalf("offer: %+v", got)
		}
		// DP-203's validity ends before the anniversary: projected to fall (C5).
		if got.Status != "AT_RISK" {
			t.Fatalf("status %s, want AT_RISK (DP-203 validity ends 2027-03-31, anniversary 2027-11-24)", got.Status)
		}
		if c := e.Do(mona, buy, map[string]any{"c": data, "l": "SILVER", "o": "Standard"}).Code(); c != "CONFLICT" {
			t.Fatalf("second purchase: %s", c)
		}
		// A data engineer without expiry joins: ACTIVE.
		ops := e.Demo("ops@certlink.example")
		e.Do(ops, `mutation{ingestResults(input:[{mcid:"9900001",skillNumber:"DP-300",completedAt:"2026-10-01T00:00:00Z"}]){accepted}}`, nil)
		if s := progressOf(t, e, mona).comp(t, "data-analytics").Status; s != "ACTIVE" {
			t.Fatalf("status %s, want ACTIVE", s)
		}
		// The purchase is in the audit log, with who and until when (B3).
		var log struct {
			AuditLog struct {
				Edges []struct {
					Node struct{ Action, Detail string }
				}
			}
		}
		e.Do(e.Demo("grace@contoso.example"), `{auditLog(first:5,where:{actions:["OFFER_PURCHASED"]}){edges{node{action detail}}}}`, nil).Decode(t, &log)
		if n := log.AuditLog.Edges; len(n) != 1 || !strings.Contains(n[0].Node.Detail, "mona@contoso.example purchased the Data Analytics silver offer (Standard), in force until November 24, 2027") {
			t.Fatalf("audit log: %+v", n)
		}
		// Alex, the only data engineer, leaves the report: the offer stays
		// purchased and its requirements are unmet now — not "at risk".
		alexID := e.App.DB.Client.User.Query().Where(user.Email("alex@contoso.example")).OnlyIDX(sys())
		e.Do(mona, `mutation($id:ID!){removeFromReport(userId:$id){userId}}`, map[string]any{"id": e.ID(alexID)}).Decode(t, &struct{}{})
		if c := progressOf(t, e, mona).comp(t, "data-analytics"); c.Status != "REQUIREMENTS_UNMET" || c.Offer == nil {
			t.Fatalf("after the only carrier left: status %s, offer %+v; want REQUIREMENTS_UNMET with the offer", c.Status, c.Offer)
		}
		// The anniversary passes: no offer in force.
		clk.t = clk.t.AddDate(1, 0, 1)
		if c := progressOf(t, e, mona).comp(t, "data-analytics"); c.Offer != nil {
			t.Fatalf("offer past its anniversary: %+v", c.Offer)
		}
	})
}
