package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/competency"
	"certlink/ent/competencyoption"
	"certlink/ent/notification"
	"certlink/ent/outboxmessage"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/catalog"
	"certlink/internal/ingest"
	"certlink/internal/notify"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// B2: a loss projected 80 days ahead is mailed at 90, 60 and 30 days — once
// each, however often the check runs; a loss first seen 20 days ahead is
// mailed once, for 30 days.
func TestNoticesNinetySixtyThirty(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		now := time.Now().UTC().Truncate(time.Second)
		exp := now.Add(80 * 24 * time.Hour)
		seedRequirement(t, a, &exp)
		clock := now
		// Only the seeded requirement: the catalog's own projections would add mail.
		only := seededOnly(a)
		p := &notify.Periodic{Client: a.DB.Client, Progress: only, Now: func() time.Time { return clock },
			Alerts:   &notify.Alerter{PublicURL: "https://c.example", Now: func() time.Time { return clock }},
			Interval: time.Hour, Notices: []time.Duration{90 * 24 * time.Hour, 60 * 24 * time.Hour, 30 * 24 * time.Hour}}
		mails := func() []*ent.OutboxMessage { return seededMails(a) }
		check := func() { t.Helper(); checkTwice(t, p) }
		check()
		if m := mails(); len(m) != 2 || !strings.Contains(m[0].Body, "in 80 days") { // grace and mona
			t.Fatalf("90-day notice: %d mails %v", len(m), bodies(m))
		}
		clock = now.Add(10 * 24 * time.Hour) // 70 days left: still the 90-day notice
		check()
		if m := mails(); len(m) != 2 {
			t.Fatalf("70 days ahead: %d mails", len(m))
		}
		clock = now.Add(25 * 24 * time.Hour) // 55 days left
		check()
		if m := mails(); len(m) != 4 || !strings.Contains(m[3].Body, "in 55 days") {
			t.Fatalf("60-day notice: %v", bodies(m))
		}
		clock = now.Add(55 * 24 * time.Hour) // 25 days left
		check()
		if m := mails(); len(m) != 6 || !strings.Contains(m[5].Body, "in 25 days") {
			t.Fatalf("30-day notice: %v", bodies(m))
		}
		if n := a.DB.Client.Notification.Query().Where(notification.TitleContains("Test Cloud Platform")).CountX(sys()); n != 6 {
			t.Fatalf("%d in-app notifications, want 6", n)
		}

		// First seen 20 days ahead: one notice, the 30-day one.
		exp2 := clock.Add(20 * 24 * time.Hour)
		a.DB.Client.Result.Update().Where(result.HasSkillWith(skill.Number("TEST-104"))).SetExpiresAt(exp2).ExecX(sys())
		check()
		if m := mails(); len(m) != 8 {
			t.Fatalf("new date 20 days ahead: %d mails, want 8", len(m))
		}
	})
}

// seededOnly is the engine's progress of seedRequirement's competency
// alone: the catalog's own projections would add mail.
func seededOnly(a *app.App) notify.ProgressFunc {
	return func(ctx context.Context, c *ent.Client, org int, at time.Time) ([]notify.RequirementState, error) {
		all, err := notify.EngineProgress{Engine: a.Progress.Engine}.Requirements(ctx, c, org, at)
		var out []notify.RequirementState
		for _, r := range all {
			if r.Competency == "Test Cloud Platform" {
				out = append(out, r)
			}
		}
		return out, err
	}
}

// seededMails are the mails about seedRequirement's competency, oldest first.
func seededMails(a *app.App) []*ent.OutboxMessage {
	return a.DB.Client.OutboxMessage.Query().Where(outboxmessage.SubjectContains("Test Cloud Platform")).
		Order(ent.Asc(outboxmessage.FieldID)).AllX(sys())
}

// checkTwice runs p's check twice: the second adds nothing.
func checkTwice(t *testing.T, p *notify.Periodic) {
	t.Helper()
	for range 2 {
		if _, err := p.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func bodies(ms []*ent.OutboxMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Body)
	}
	return out
}

// N1 with C5: a loss projected before the anniversary of the offer bought
// with its option puts the competency AT_RISK, and the admins are told at
// once — though it is further ahead than every notice threshold — once; the
// 90-day notice still follows. A loss projected after the anniversary is
// not announced early (review: AT_RISK 91 days ahead and no notice).
func TestLossBeforeTheAnniversaryIsAnnouncedAtOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		now := time.Now().UTC().Truncate(time.Second)
		exp := now.Add(320 * 24 * time.Hour) // after the anniversary
		seedRequirement(t, a, &exp)
		c := a.DB.Client
		opt := c.CompetencyOption.Query().Where(competencyoption.HasCompetencyWith(competency.Key("test-cloud"))).OnlyX(sys())
		grace := c.User.Query().Where(user.Email("grace@contoso.example")).OnlyX(sys())
		c.OfferPurchase.Create().SetOrganizationID(*grace.OrganizationID).SetCompetencyID(opt.CompetencyID).SetOptionID(opt.ID).
			SetByUserID(grace.ID).SetPurchasedAt(now.Add(-65 * 24 * time.Hour)).SetAnniversaryAt(now.Add(300 * 24 * time.Hour)).ExecX(sys())
		clock := now
		only := seededOnly(a)
		p := &notify.Periodic{Client: c, Progress: only, Now: func() time.Time { return clock },
			Alerts:   &notify.Alerter{PublicURL: "https://c.example", Now: func() time.Time { return clock }},
			Interval: time.Hour, Notices: []time.Duration{90 * 24 * time.Hour, 60 * 24 * time.Hour, 30 * 24 * time.Hour}}
		mails := func() []*ent.OutboxMessage { return seededMails(a) }
		check := func() { t.Helper(); checkTwice(t, p) }
		check()
		if m := mails(); len(m) != 0 {
			t.Fatalf("a loss after the anniversary, 320 days ahead, was announced: %v", bodies(m))
		}
		c.Result.Update().Where(result.HasSkillWith(skill.Number("TEST-104"))).SetExpiresAt(now.Add(200 * 24 * time.Hour)).ExecX(sys())
		check()
		m := mails()
		if len(m) != 2 || !strings.HasPrefix(m[0].Subject, "At risk") || !strings.Contains(m[0].Body, "in 200 days") ||
			!strings.Contains(m[0].Body, "anniversary is "+now.Add(300*24*time.Hour).Format("January 2, 2006")) {
			t.Fatalf("a loss 200 days ahead, before the anniversary: %d mails %v", len(m), bodies(m))
		}
		clock = now.Add(50 * 24 * time.Hour) // 150 days left: told already
		check()
		if m := mails(); len(m) != 2 {
			t.Fatalf("150 days ahead: %d mails, want 2", len(m))
		}
		clock = now.Add(115 * 24 * time.Hour) // 85 days left: the 90-day notice
		check()
		// Still before the anniversary: told as at risk, not merely projected (review).
		if m := mails(); len(m) != 4 || !strings.Contains(m[3].Body, "in 85 days") || !strings.HasPrefix(m[3].Subject, "At risk") ||
			!strings.Contains(m[3].Subject, "before the offer's anniversary") {
			t.Fatalf("90-day notice: %v", bodies(m))
		}
		if n := c.Notification.Query().Where(notification.TitleContains("Test Cloud Platform")).CountX(sys()); n != 4 {
			t.Fatalf("%d in-app notifications, want 4", n)
		}
	})
}

// Run checks again just after someone stops counting for a met requirement,
// not an Interval later: with an hourly interval, a certification expiring
// two seconds from now is told "no longer met" within seconds (review: losses
// by expiry waited for the next hourly sweep).
func TestRunWakesWhenSomeoneStopsCounting(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		exp := time.Now().UTC().Add(2 * time.Second)
		seedRequirement(t, a, &exp)
		only := seededOnly(a)
		p := &notify.Periodic{Client: a.DB.Client, Progress: only, Alerts: &notify.Alerter{PublicURL: "https://c.example"},
			Interval: time.Hour, MinWait: 100 * time.Millisecond, Notices: []time.Duration{30 * 24 * time.Hour}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); p.Run(ctx, func(err error) { t.Error(err) }) }()
		defer func() { cancel(); <-done }()
		stopped := func() bool {
			return a.DB.Client.OutboxMessage.Query().Where(outboxmessage.SubjectContains("Results stopped counting"),
				outboxmessage.SubjectContains("Test Cloud Platform")).CountX(sys()) == 2
		}
		testenv.Eventually(t, 20*time.Second, stopped, "no \"no longer met\" mail within 20 s of the expiry (the interval is an hour)")
		if time.Now().Before(exp) {
			t.Fatal("told before the expiry")
		}
	})
}

// runAppPeriodic runs a's risk check on seedRequirement's competency alone,
// hourly and at least 100 ms apart, until the test ends, and returns once its
// first check is done.
func runAppPeriodic(t *testing.T, a *app.App) {
	t.Helper()
	p := a.Periodic
	p.Progress, p.Interval, p.MinWait = seededOnly(a), time.Hour, 100*time.Millisecond
	p.Notices = []time.Duration{30 * 24 * time.Hour}
	p.Alerts = &notify.Alerter{PublicURL: "https://c.example"}
	checked := make(chan struct{})
	var once sync.Once
	notify.SetAfterCheck(p, func() { once.Do(func() { close(checked) }) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx, func(err error) { t.Error(err) })
	}()
	t.Cleanup(func() { cancel(); <-done })
	<-checked
}

// stoppedCounting reports whether grace and mona were mailed that
// seedRequirement's competency's results stopped counting.
func stoppedCounting(a *app.App) func() bool {
	return func() bool {
		return a.DB.Client.OutboxMessage.Query().Where(outboxmessage.SubjectContains("Results stopped counting"),
			outboxmessage.SubjectContains("Test Cloud Platform")).CountX(sys()) == 2
	}
}

// A change brings the next check forward: with an hourly interval, a retired
// skill given a validity end two seconds away after the last check (an
// operator's upsertSkill) is told "no longer met" within seconds, as an
// expiry already known is (review: such losses waited for the hourly check,
// since the check planned its next moment before the change).
func TestRunWakesAfterAChangeBringsALossNearer(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		seedRequirement(t, a, nil) // counts without end: no moment to plan
		// Run's first check finds nothing to tell and no moment to wake at.
		runAppPeriodic(t, a)
		ends := time.Now().UTC().Add(2 * time.Second)
		ops := &viewer.Viewer{Kind: viewer.KindUser, Roles: []viewer.Role{viewer.Operator}, Email: "ops@certlink.example"}
		if _, err := a.Catalog.UpsertSkill(context.Background(), ops, catalog.Skill{Number: "TEST-104", Title: "Test Azure Administrator",
			Type: "EXAM", RetiredOn: &catalog.Date{Time: ends.Add(-24 * time.Hour)}, ValidUntil: &catalog.Date{Time: ends}}); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 20*time.Second, stoppedCounting(a), "no \"no longer met\" mail within 20 s of the validity end (the interval is an hour)")
		if time.Now().Before(ends) {
			t.Fatal("told before the validity end")
		}
	})
}

// A change in one organization brings its check forward, through the real
// writer: with an hourly interval, a certification ingested after the last
// check, which expires two seconds from now, is told "no longer met" within
// seconds of its expiry. That early check looks at the organizations the
// change named only.
func TestRunChecksAChangedOrganizationSoon(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		expired := time.Now().UTC().Add(-24 * time.Hour)
		seedRequirement(t, a, &expired) // unmet: nothing to tell, no moment to plan
		runAppPeriodic(t, a)
		ends := time.Now().UTC().Add(2 * time.Second)
		ops := &viewer.Viewer{Kind: viewer.KindUser, Roles: []viewer.Role{viewer.Operator}, Email: "ops@certlink.example"}
		b, err := a.Ingest.Begin(context.Background(), ops)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Add(ingest.Raw{MCID: "9900001", SkillNumber: "TEST-104", CompletedAt: time.Now().UTC().AddDate(0, 0, -10).Format("2006-01-02"),
			ExpiresAt: ends.Format(time.RFC3339Nano)}); err != nil {
			t.Fatal(err)
		}
		if out, err := b.Finish(); err != nil || out.Accepted != 1 {
			t.Fatalf("the ingest: %+v %v", out, err)
		}
		testenv.Eventually(t, 20*time.Second, stoppedCounting(a), "no \"no longer met\" mail within 20 s of the expiry (the interval is an hour)")
		if time.Now().Before(ends) {
			t.Fatal("told before the expiry")
		}
	})
}
