package notify_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/notification"
	"certlink/ent/organization"
	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/ent/risknotice"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/notify"
	"certlink/internal/results"
	"certlink/internal/testenv"
)

// projectedSetup seeds TEST-104 (alex alone, expiring in 20 days) and TEST-A1
// and TEST-B1 (expiring in 25 days) and returns a periodic check with 90/60/30
// notices reading only those requirements, and a resolver.
func projectedSetup(t *testing.T, a *app.App, clock *time.Time) (*notify.Periodic, *notify.Resolver) {
	t.Helper()
	exp := clock.Add(20 * 24 * time.Hour)
	seedRequirement(t, a, &exp)
	seedPair(t, a)
	c := a.DB.Client
	alex := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(sys())
	for _, n := range []string{"TEST-A1", "TEST-B1"} {
		sk := c.Skill.Query().Where(skill.Number(n)).OnlyX(sys())
		c.Result.Create().SetProfileID(alex.ID).SetSkillID(sk.ID).SetCompletedAt(clock.AddDate(0, -1, 0)).
			SetExpiresAt(clock.Add(25 * 24 * time.Hour)).SetSource("test").SaveX(sys())
	}
	if err := results.MarkLatest(sys(), c, false, alex.ID); err != nil {
		t.Fatal(err)
	}
	only := testOnly(a)
	now := func() time.Time { return *clock }
	alerts := &notify.Alerter{PublicURL: "https://c.example", Now: now}
	p := &notify.Periodic{Client: c, Progress: only, Now: now, Alerts: alerts, Interval: time.Hour,
		Notices: []time.Duration{90 * 24 * time.Hour, 60 * 24 * time.Hour, 30 * 24 * time.Hour}}
	r := newResolver(a, clock)
	return p, r
}

// testOnly is the competency engine restricted to the tests' own
// competencies (the demo's projections would add messages).
func testOnly(a *app.App) notify.ProgressSource {
	return notify.ProgressFunc(func(ctx context.Context, c *ent.Client, org int, at time.Time) ([]notify.RequirementState, error) {
		all, err := notify.EngineProgress{Engine: a.Progress.Engine}.Requirements(ctx, c, org, at)
		var out []notify.RequirementState
		for _, r := range all {
			if strings.HasPrefix(r.Competency, "Test ") {
				out = append(out, r)
			}
		}
		return out, err
	})
}

func newResolver(a *app.App, clock *time.Time) *notify.Resolver {
	now := func() time.Time { return *clock }
	return &notify.Resolver{Client: a.DB.Client, Progress: testOnly(a), Now: now,
		Alerts: &notify.Alerter{PublicURL: "https://c.example", Now: now}}
}

func contosoID(t *testing.T, a *app.App) int {
	t.Helper()
	return a.DB.Client.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
}

func userKey(t *testing.T, a *app.App, email string) string {
	t.Helper()
	return fmt.Sprintf("/u%d", a.DB.Client.User.Query().Where(user.Email(email)).OnlyIDX(sys()))
}

func titlesOf(ns []*ent.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Title
	}
	return out
}

// TestProjectedLossesOneMessageThenFollowUp: three requirements projected to
// fall within 30 days are announced in one message per admin; a renewal that
// saves TEST-104 brings one follow-up naming it, and nothing more however
// often the resolver looks; the others stay announced, and not again.
func TestProjectedLossesOneMessageThenFollowUp(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		clock := time.Now().UTC().Truncate(time.Second)
		p, r := projectedSetup(t, a, &clock)
		c := a.DB.Client
		graceNotes := func() []*ent.Notification {
			return c.Notification.Query().Where(notification.DedupeKeyHasSuffix(userKey(t, a, "grace@contoso.example"))).
				Order(ent.Asc(notification.FieldID)).AllX(sys())
		}
		for i := 0; i < 2; i++ {
			if _, err := p.Check(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		ns := graceNotes()
		if len(ns) != 1 || !strings.HasPrefix(ns[0].Title, "Projected: 3 requirements of Test Cloud Platform and Test Pair unmet from ") {
			t.Fatalf("projected: %d notifications %v", len(ns), titlesOf(ns))
		}
		for _, part := range []string{"TEST-104", "TEST-A1", "TEST-B1", "in 20 days", "in 25 days"} {
			if !strings.Contains(ns[0].Body, part) {
				t.Fatalf("the projection lacks %q:\n%s", part, ns[0].Body)
			}
		}
		if !strings.Contains(ns[0].Link, "/competencies?open=test-cloud%2Ctest-pair") {
			t.Fatalf("link %q", ns[0].Link)
		}
		// Alex renews TEST-104: a result valid for two years.
		alex := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(sys())
		sk := c.Skill.Query().Where(skill.Number("TEST-104")).OnlyX(sys())
		c.Result.Create().SetProfileID(alex.ID).SetSkillID(sk.ID).SetCompletedAt(clock).
			SetExpiresAt(clock.AddDate(2, 0, 0)).SetSource("test").SaveX(sys())
		if err := results.MarkLatest(sys(), c, false, alex.ID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, err := r.Resolve(context.Background(), alex.ID); err != nil { // not an organization: nothing open there
				t.Fatal(err)
			}
			if _, err := r.Resolve(context.Background(), contosoID(t, a)); err != nil {
				t.Fatal(err)
			}
		}
		ns = graceNotes()
		if len(ns) != 2 || !strings.HasPrefix(ns[1].Title, "Resolved: 1 requirement of Test Cloud Platform no longer at risk") ||
			!strings.Contains(ns[1].Body, "TEST-104") || strings.Contains(ns[1].Body, "TEST-A1") {
			t.Fatalf("after the renewal: %v\n%s", titlesOf(ns), ns[len(ns)-1].Body)
		}
		if _, err := p.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(graceNotes()); n != 2 {
			t.Fatalf("the check announced again what stays announced: %d notifications", n)
		}
		open := c.RiskNotice.Query().Where(risknotice.ResolvedAtIsNil()).CountX(sys())
		if open != 2 {
			t.Fatalf("%d open notices, want TEST-A1 and TEST-B1", open)
		}
	})
}

// TestFollowUpOnceUnderRace: eight resolvers, as in several processes, look
// at once at a loss that was repaired: the admins get one follow-up each.
func TestFollowUpOnceUnderRace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		clock := time.Now().UTC().Truncate(time.Second)
		p, _ := projectedSetup(t, a, &clock)
		c := a.DB.Client
		if _, err := p.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The three requirements fall as the clock passes the expiries (two
		// checks, two messages), then alex passes all three again.
		start := clock
		for _, after := range []time.Duration{20 * 24 * time.Hour, 25 * 24 * time.Hour} {
			clock = start.Add(after + 30*time.Minute)
			if _, err := p.Check(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if n := c.Notification.Query().Where(notification.TitleHasPrefix("Results stopped counting: ")).CountX(sys()); n != 4 {
			t.Fatalf("%d 'stopped counting' notifications, want two per admin", n)
		}
		alex := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(sys())
		for _, n := range []string{"TEST-104", "TEST-A1", "TEST-B1"} {
			sk := c.Skill.Query().Where(skill.Number(n)).OnlyX(sys())
			c.Result.Create().SetProfileID(alex.ID).SetSkillID(sk.ID).SetCompletedAt(clock).SetSource("test").SaveX(sys())
		}
		if err := results.MarkLatest(sys(), c, false, alex.ID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := newResolver(a, &clock)
				if _, err := r.Resolve(context.Background(), contosoID(t, a)); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		resolved := c.Notification.Query().Where(notification.TitleHasPrefix("Resolved: 3 requirements")).AllX(sys())
		if len(resolved) != 2 {
			t.Fatalf("%d follow-ups, want one per admin: %v", len(resolved), titlesOf(resolved))
		}
		if n := c.RiskNotice.Query().Where(risknotice.ResolvedAtIsNil()).CountX(sys()); n != 0 {
			t.Fatalf("%d notices left open", n)
		}
		if n := c.Result.Query().Where(result.ProfileID(alex.ID)).CountX(sys()); n < 6 {
			t.Fatalf("results: %d", n)
		}
	})
}

// TestSecondLossOfTheDayIsTold: a requirement projected to fall, fallen,
// met again by a renewal that expires the same day, and fallen again is
// told each time — projected, no longer met, resolved, projected, no longer
// met. A review saw the second loss of a day never told: the day's first
// alerts had taken their keys.
func TestSecondLossOfTheDayIsTold(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		// Twenty days before 10:00 UTC, so that both expiries fall on one day.
		now := time.Now().UTC()
		clock := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, time.UTC).Add(-24 * time.Hour)
		exp := clock.Add(20 * 24 * time.Hour)
		p, r := projectedSetup(t, a, &clock)
		c := a.DB.Client
		graceNotes := func() []string {
			return titlesOf(c.Notification.Query().Where(notification.DedupeKeyHasSuffix(userKey(t, a, "grace@contoso.example"))).
				Order(ent.Asc(notification.FieldID)).AllX(sys()))
		}
		check := func() {
			t.Helper()
			if _, err := p.Check(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// Only TEST-104 is told about: TEST-A1 and TEST-B1 renewed for years.
		alex := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(sys())
		renew := func(number string, until time.Time) {
			t.Helper()
			sk := c.Skill.Query().Where(skill.Number(number)).OnlyX(sys())
			c.Result.Create().SetProfileID(alex.ID).SetSkillID(sk.ID).SetCompletedAt(clock).
				SetExpiresAt(until).SetSource("test").SaveX(sys())
			if err := results.MarkLatest(sys(), c, false, alex.ID); err != nil {
				t.Fatal(err)
			}
		}
		renew("TEST-A1", clock.AddDate(3, 0, 0))
		renew("TEST-B1", clock.AddDate(3, 0, 0))
		check()
		clock = exp.Add(time.Minute)
		check()
		clock = exp.Add(10 * time.Minute)
		renew("TEST-104", exp.Add(2*time.Hour)) // met again, until noon
		if _, err := r.Resolve(context.Background(), contosoID(t, a)); err != nil {
			t.Fatal(err)
		}
		check()
		clock = exp.Add(2*time.Hour + time.Minute)
		check()
		check()
		want := []string{"Projected: 1 requirement", "Results stopped counting: 1 requirement", "Resolved: 1 requirement",
			"Projected: 1 requirement", "Results stopped counting: 1 requirement"}
		got := graceNotes()
		if len(got) != len(want) {
			t.Fatalf("notifications %q, want %q…", got, want)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Fatalf("notifications %q, want %q…", got, want)
			}
		}
	})
}
