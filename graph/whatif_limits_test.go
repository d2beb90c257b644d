package graph_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

const (
	whatIfQ   = `query($a:[PlannedResultInput!]){simulateProgress(input:{addResults:$a}){status levels{options{requirements{current met}}}}}`
	whatIfSAQ = `query($a:[PlannedResultInput!]){simulateSolutionAreas(input:{addResults:$a}){score}}`
	forecastQ = `{forecast(until:"2029-11-01"){requirements{carriers{until}}}}`
)

func plannedResults(n int) []map[string]any {
	skills := []string{"AZ-104", "AZ-900", "AZ-305", "AZ-500", "AZ-204"}
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"mcid": "9900001", "skillNumber": skills[i%len(skills)],
			"completedAt": fmt.Sprintf("2026-0%d-1%dT00:00:00Z", 1+i%9, i%10)}
	}
	return out
}

func accountID(t *testing.T, e *testenv.Env, tok string) int {
	t.Helper()
	var out struct{ Me struct{ Email string } }
	e.Do(tok, `{me{email}}`, nil).Decode(t, &out)
	u, err := e.App.DB.Client.User.Query().Where(user.Email(out.Me.Email)).Only(viewer.System(context.Background()))
	if err != nil {
		t.Fatalf("user %s: %v", out.Me.Email, err)
	}
	return u.ID
}

// TestRateLimitPerAccount: the A4 bucket is the account's, not the
// session's: signing in again does not refill it (ratelimit_per_session.py),
// and an API token its owner made draws on the same bucket.
func TestRateLimitPerAccount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d, func(c *app.Config) { c.RateLimit = 6 })
		first := e.Demo("sam@fabrikam.example")
		for i := 0; i < 3; i++ {
			if r := e.Do(first, "{me{email}}", nil); len(r.Errors) > 0 {
				t.Fatalf("request %d: %+v", i, r.Errors)
			}
		}
		// A new session of the same account: the same bucket, 3 points left.
		second := e.Demo("sam@fabrikam.example")
		for i := 0; i < 3; i++ {
			if r := e.Do(second, "{me{email}}", nil); len(r.Errors) > 0 {
				t.Fatalf("second session, request %d: %+v", i, r.Errors)
			}
		}
		r := e.Do(second, "{me{email}}", nil)
		if r.Code() != "RATE_LIMITED" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("7th point of one account over two sessions: %+v %v", r.Errors, r.Header)
		}
		third := e.Demo("sam@fabrikam.example") // signing in is anonymous: per address, not this account
		if r := e.Do(third, "{me{email}}", nil); r.Code() != "RATE_LIMITED" {
			t.Fatalf("a third sign-in refilled the bucket: %+v", r.Errors)
		}
		// Another account is not touched.
		if r := e.Do(e.Demo("lee@fabrikam.example"), "{me{email}}", nil); len(r.Errors) > 0 {
			t.Fatalf("another account: %+v", r.Errors)
		}
	})
}

// TestExpensiveOperationsBounded: what-ifs, forecasts and ending impacts hold
// a slot per account and in the process (sim_flood.py): a second one from the
// same account (another session) or one past the process's slots is refused
// RATE_LIMITED with a retry hint once its short wait is over, while me and
// signIn are not held; the time a slot is held is charged to the account.
func TestExpensiveOperationsBounded(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		x := e.App.Expensive
		x.Slots, x.PerCaller, x.MaxWaitingPerCaller, x.Wait = 2, 1, 0, 50*time.Millisecond
		grace := e.Demo("grace@contoso.example")
		graceAgain := e.Demo("grace@contoso.example")
		sam := e.Demo("sam@fabrikam.example")
		adds := map[string]any{"a": plannedResults(3)}
		if r := e.Do(grace, whatIfQ, adds); len(r.Errors) > 0 {
			t.Fatalf("what-if alone: %+v", r.Errors)
		}

		// grace's account holds its one slot (another of her sessions asks).
		hold := func(uid int) func() {
			ctx := viewer.With(context.Background(), &viewer.Viewer{Kind: viewer.KindUser, UserID: uid, TokenID: 1})
			release, err := x.Acquire(ctx)
			if err != nil {
				t.Fatalf("holding a slot for %d: %v", uid, err)
			}
			return release
		}
		release := hold(accountID(t, e, grace))
		for _, q := range []string{whatIfQ, whatIfSAQ, forecastQ} {
			r := e.Do(graceAgain, q, adds)
			if r.Code() != "RATE_LIMITED" || r.Errors[0].Extensions["retryAfterSeconds"] == nil || r.Header.Get("Retry-After") == "" ||
				!strings.Contains(r.Errors[0].Message, "Your account already has") {
				t.Fatalf("second expensive call of one account: %s %+v %v", q, r.Errors, r.Header)
			}
		}
		// Another account still has a slot; cheap requests and sign-in pass.
		if r := e.Do(sam, forecastQ, nil); len(r.Errors) > 0 {
			t.Fatalf("another account's forecast: %+v", r.Errors)
		}
		if r := e.Do(graceAgain, "{me{email}}", nil); len(r.Errors) > 0 {
			t.Fatalf("me while the account's slot is held: %+v", r.Errors)
		}
		// The process's slots: both held (grace's and one more), sam is refused.
		release2 := hold(-1)
		r := e.Do(sam, whatIfSAQ, map[string]any{"a": []any{}})
		if r.Code() != "RATE_LIMITED" || !strings.Contains(r.Errors[0].Message, "busy") {
			t.Fatalf("past the process's slots: %+v", r.Errors)
		}
		if tok := e.Demo("riley@contoso.example"); tok == "" {
			t.Fatal("sign-in while every slot is held")
		}
		release()
		release2()
		if n := x.Running(); n != 0 {
			t.Fatalf("%d slots still held", n)
		}

		// A slot's time is charged: with one point per nanosecond, one what-if
		// takes far more than the points its fields asked.
		x.PointEvery = time.Nanosecond
		r = e.Do(sam, whatIfSAQ, map[string]any{"a": []any{}})
		if len(r.Errors) > 0 {
			t.Fatalf("what-if: %+v", r.Errors)
		}
		next := e.Do(sam, "{me{email}}", nil)
		if next.Code() != "RATE_LIMITED" {
			t.Fatalf("the what-if's time was not charged: %+v %v", next.Errors, next.Extensions)
		}
	})
}

// TestWhatIfFloodKeepsCheapRequestsAnswered: twelve concurrent what-ifs and
// forecasts from two admin accounts (sim_flood.py) are each answered or
// refused RATE_LIMITED — never INTERNAL or CONFLICT — and sign-in, me and a
// write of a third account are answered meanwhile.
func TestWhatIfFloodKeepsCheapRequestsAnswered(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		toks := []string{e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")}
		lee := e.Demo("lee@fabrikam.example")
		adds := map[string]any{"a": plannedResults(20)}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[string]int{}
		)
		stop := make(chan struct{})
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				q := []string{whatIfQ, whatIfSAQ, forecastQ}[i%3]
				for {
					select {
					case <-stop:
						return
					default:
					}
					var vars map[string]any
					if q != forecastQ {
						vars = adds
					}
					r := e.Do(toks[i%2], q, vars)
					mu.Lock()
					codes[r.Code()]++
					mu.Unlock()
				}
			}(i)
		}
		for i := 0; i < 3; i++ {
			if r := e.Do(lee, "{me{email}}", nil); len(r.Errors) > 0 {
				t.Errorf("me under the flood: %+v", r.Errors)
			}
			if r := e.Do(lee, `mutation{markNotificationsRead(ids:[]){__typename}}`, nil); len(r.Errors) > 0 {
				t.Errorf("a write under the flood: %+v", r.Errors)
			}
			if e.Demo("riley@contoso.example") == "" {
				t.Error("sign-in under the flood")
			}
		}
		close(stop)
		wg.Wait()
		for c, n := range codes {
			if c != "" && c != "RATE_LIMITED" {
				t.Errorf("%d answers %s under the flood (all: %v)", n, c, codes)
			}
		}
		if codes[""] == 0 || codes["RATE_LIMITED"] == 0 {
			t.Errorf("expected answers and refusals: %v", codes)
		}
	})
}

// TestWhatIfNeverConflictsWithIngest: read-only what-ifs from one process
// while results of the same MCID are ingested through another
// (sim_vs_ingest_bc.py) are never answered CONFLICT.
func TestWhatIfNeverConflictsWithIngest(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		// On SQLite the ingest runs in the same process: a rehearsal writes,
		// so it holds the file's one write lock while it runs, and a writer of
		// another process on the same file polls for it (one process per
		// SQLite file is how certlink runs; the in-process queue is fair).
		c := e
		if d != testenv.SQLite {
			c = e.Second()
		}
		// Many at once, as a process with more cores would run them: the
		// process-wide bound is not what keeps them from conflicting.
		x := e.App.Expensive
		x.Slots, x.PerCaller, x.MaxWaitingPerCaller, x.PerOrganization = 8, 4, 4, 16
		toks := []string{e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")}
		ops := c.Demo("ops@certlink.example")
		adds := map[string]any{"a": plannedResults(30)}
		stop := make(chan struct{})
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[string]int{}
		)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				q := []string{whatIfQ, whatIfSAQ}[i%2]
				for {
					select {
					case <-stop:
						return
					default:
					}
					r := e.Do(toks[i%2], q, adds)
					mu.Lock()
					codes[r.Code()]++
					mu.Unlock()
				}
			}(i)
		}
		for i := 0; i < 25; i++ {
			day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i*7919) * time.Minute)
			r := c.Do(ops, `mutation($r:[ResultInput!]!){ingestResults(input:$r){accepted}}`,
				map[string]any{"r": []map[string]any{{"mcid": "9900001", "skillNumber": "AZ-104", "completedAt": day.Format(time.RFC3339)}}})
			if len(r.Errors) > 0 && r.Code() != "CONFLICT" {
				t.Fatalf("ingest: %+v", r.Errors)
			}
			if len(r.Errors) == 0 {
				mu.Lock()
				codes["ingested"]++
				mu.Unlock()
			}
		}
		close(stop)
		wg.Wait()
		if codes["CONFLICT"] > 0 || codes["INTERNAL"] > 0 || codes[""] == 0 || codes["ingested"] == 0 {
			t.Fatalf("what-if answers by code: %v", codes)
		}
		t.Logf("what-if answers by code (and ingests): %v", codes)
	})
}

// TestPartnerUniversityAssociationLimited: L6 applies to Partner University
// accounts as to MCIDs (L8 "the same way"): 20 concurrent associations of one
// account by 5 users of 2 organizations through two processes
// (race_pu_bc.py) link it to one organization with one new association
// (moves between that organization's racers use none); a later move from the
// other organization is refused ASSOCIATION_LIMITED with its date, and
// previewAssociation and me say so.
func TestPartnerUniversityAssociationLimited(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.Second()
		users := []string{"lee@fabrikam.example", "sam@fabrikam.example", "riley@contoso.example", "mona@contoso.example", "grace@contoso.example"}
		const assoc = `mutation($e:String!){associatePartnerUniversity(input:{email:$e,password:"learn-demo"}){user{email partnerUniversity{email}}}}`
		type call struct {
			env *testenv.Env
			tok string
		}
		var calls []call
		for _, u := range users {
			for _, env := range []*testenv.Env{e, c, e, c} {
				calls = append(calls, call{env, env.Demo(u)})
			}
		}
		start := make(chan struct{})
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[string]int{}
		)
		for _, cl := range calls {
			wg.Add(1)
			go func(cl call) {
				defer wg.Done()
				<-start
				r := cl.env.Do(cl.tok, assoc, map[string]any{"e": "riley@learn.example"})
				mu.Lock()
				codes[r.Code()]++
				mu.Unlock()
			}(cl)
		}
		close(start)
		wg.Wait()
		for code := range codes {
			if code != "" && code != "ASSOCIATION_LIMITED" && code != "CONFLICT" {
				t.Fatalf("answers by code: %v", codes)
			}
		}
		sys := viewer.System(context.Background())
		pu, err := e.App.DB.Client.Profile.Query().Where(profile.KindEQ(profile.KindPARTNER_UNIVERSITY)).All(sys)
		if err != nil {
			t.Fatal(err)
		}
		var puID int
		for _, p := range pu {
			acc, err := e.App.DB.Client.DirectoryAccount.Get(sys, p.AccountID)
			if err == nil && acc.Email == "riley@learn.example" {
				puID = p.ID
			}
		}
		links, err := e.App.DB.Client.Association.Query().Where(association.ProfileID(puID)).All(sys)
		if err != nil {
			t.Fatal(err)
		}
		// The first association wins the account for its organization; the
		// organization's other racers may take it over from a colleague (no
		// new association, L6), the other organization's are refused.
		var active []int
		quota, org := 0, links[0].OrganizationID
		for _, l := range links {
			if l.EndedAt == nil {
				active = append(active, l.UserID)
			}
			if l.CountsQuota {
				quota++
			}
			if l.OrganizationID != org {
				t.Fatalf("the racing associations linked it to two organizations (answers %v)", codes)
			}
		}
		if len(active) != 1 || quota != 1 {
			t.Fatalf("20 racing associations: %d links, %d active, %d counting quota (answers %v)", len(links), len(active), quota, codes)
		}
		holder := active[0]
		holderOrg := func(tok string) bool {
			var out struct {
				Me struct{ Organization struct{ ID string } }
			}
			e.Do(tok, `{me{organization{id}}}`, nil).Decode(t, &out)
			var hout struct {
				Me struct{ Organization struct{ ID string } }
			}
			for _, u := range users {
				if tk := e.Demo(u); accountID(t, e, tk) == holder {
					e.Do(tk, `{me{organization{id}}}`, nil).Decode(t, &hout)
				}
			}
			return out.Me.Organization.ID == hout.Me.Organization.ID
		}

		// Whoever holds it, the other organization is refused with the
		// date, before and when associating.
		var other string
		for _, u := range users {
			tok := e.Demo(u)
			if accountID(t, e, tok) != holder && !holderOrg(tok) {
				other = tok
				break
			}
		}
		var pv struct {
			PreviewAssociation struct {
				Allowed                  bool
				NextAssociationAllowedAt *time.Time
				AssociationsRemaining    int
			}
		}
		e.Do(other, `mutation{previewAssociation(input:{kind:PARTNER_UNIVERSITY,email:"riley@learn.example",password:"learn-demo"}){allowed nextAssociationAllowedAt associationsRemaining}}`, nil).Decode(t, &pv)
		if pv.PreviewAssociation.Allowed || pv.PreviewAssociation.NextAssociationAllowedAt == nil || pv.PreviewAssociation.AssociationsRemaining != 2 {
			t.Fatalf("preview of a limited Partner University account: %+v", pv)
		}
		r := e.Do(other, assoc, map[string]any{"e": "riley@learn.example"})
		if r.Code() != "ASSOCIATION_LIMITED" || r.Errors[0].Extensions["nextAssociationAllowedAt"] != pv.PreviewAssociation.NextAssociationAllowedAt.UTC().Format(time.RFC3339Nano) {
			t.Fatalf("move within the cooldown: %+v", r.Errors)
		}
		var holderTok string
		for _, u := range users {
			if tok := e.Demo(u); accountID(t, e, tok) == holder {
				holderTok = tok
			}
		}
		var me struct {
			Me struct {
				PartnerUniversityNextAssociationAllowedAt *time.Time
				PartnerUniversityAssociationsRemaining    int
				AssociationsRemaining                     int
			}
		}
		e.Do(holderTok, `{me{partnerUniversityNextAssociationAllowedAt partnerUniversityAssociationsRemaining associationsRemaining}}`, nil).Decode(t, &me)
		if me.Me.PartnerUniversityNextAssociationAllowedAt == nil || me.Me.PartnerUniversityAssociationsRemaining != 2 {
			t.Fatalf("me of the holder: %+v", me)
		}
		// Re-associating where it already is uses no quota.
		if r := e.Do(holderTok, assoc, map[string]any{"e": "riley@learn.example"}); len(r.Errors) > 0 {
			t.Fatalf("re-association by the holder: %+v", r.Errors)
		}
	})
}

// What-if reads a planned result as ingest does: a skill number in any case
// is the skill ("az-400" is AZ-400; a review had it refused here and stored
// by ingest), and a Partner University account holds assessments only (L8).
func TestWhatIfReadsResultsAsIngestDoes(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace, alex := e.Demo("grace@contoso.example"), e.Demo("alex@contoso.example")
		must(t, e, alex, mLinkPU, map[string]any{"e": "alex@learn.example"}, nil)
		var upper, lower any
		must(t, e, grace, whatIfQ, map[string]any{"a": []map[string]any{{"mcid": "9900001", "skillNumber": "SC-300"}}}, &upper)
		must(t, e, grace, whatIfQ, map[string]any{"a": []map[string]any{{"mcid": "9900001", "skillNumber": " sc-300 "}}}, &lower)
		if fmt.Sprint(upper) != fmt.Sprint(lower) {
			t.Fatalf("sc-300 is not SC-300 in what-if:\n%v\n%v", upper, lower)
		}
		if got := call(t, e, grace, whatIfQ, map[string]any{"a": []map[string]any{{"mcid": "8800001", "skillNumber": "SC-300"}}}, nil); got != "INVALID_INPUT" {
			t.Fatalf("an exam planned for a Partner University account: %q", got)
		}
		must(t, e, grace, whatIfQ, map[string]any{"a": []map[string]any{{"mcid": "8800001", "skillNumber": "ASMT-AZURE-SALES"}}}, nil)
	})
}
