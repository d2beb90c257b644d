package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/notification"
	"certlink/ent/organization"
	"certlink/internal/notify"
	"certlink/internal/testenv"
)

// TestPeriodicCheck: a result expiring in 10 days makes the requirement
// "projected unmet" (announced once), and once it expired "no longer met".
func TestPeriodicCheck(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		now := time.Now().UTC().Truncate(time.Second)
		exp := now.Add(10 * 24 * time.Hour)
		seedRequirement(t, a, &exp)
		clock := now
		p := &notify.Periodic{Client: a.DB.Client, Progress: notify.CountingProgress{}, Now: func() time.Time { return clock },
			Alerts:   &notify.Alerter{PublicURL: "https://c.example", Now: func() time.Time { return clock }},
			Interval: time.Hour, Horizon: 30 * 24 * time.Hour}
		ctx := context.Background()
		list := func() []*ent.Notification {
			return a.DB.Client.Notification.Query().Order(ent.Asc(notification.FieldID)).AllX(sys())
		}
		if _, err := p.Check(ctx); err != nil {
			t.Fatal(err)
		}
		ns := list()
		if len(ns) != 2 { // grace and mona
			t.Fatalf("projected: %d notifications", len(ns))
		}
		for _, part := range []string{"TEST-104 of Alex Wilber", exp.Format("January 2, 2006"), "is met today"} {
			if !strings.Contains(ns[0].Body, part) {
				t.Fatalf("projected notification lacks %q: %s", part, ns[0].Body)
			}
		}
		if _, err := p.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(list()); n != 2 {
			t.Fatalf("checking again raised the alert again: %d", n)
		}
		// Far beyond the horizon no projection is announced: a fresh org state
		// would say nothing. Move past the expiry: "no longer met".
		clock = exp.Add(30 * time.Minute)
		if _, err := p.Check(ctx); err != nil {
			t.Fatal(err)
		}
		ns = list()
		if len(ns) != 4 || !strings.Contains(ns[3].Body, "no longer met") || !strings.Contains(ns[3].Body, "TEST-104 of Alex Wilber") {
			t.Fatalf("after expiry: %d notifications, last %q", len(ns), ns[len(ns)-1].Body)
		}
	})
}

// TestCountingProgress pins the seam's small implementation: distinct people,
// validity by expiry and by the skill's validity end, and the projection.
func TestCountingProgress(t *testing.T) {
	a := testenv.Open(t, testenv.SQLite)
	now := time.Now().UTC()
	exp := now.Add(48 * time.Hour)
	seedRequirement(t, a, &exp)
	c := a.DB.Client
	orgID := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
	st, err := notify.CountingProgress{}.Requirements(sys(), c, orgID, now)
	if err != nil || len(st) != 1 {
		t.Fatalf("states: %+v, %v", st, err)
	}
	r := st[0]
	if !r.Met || r.Current != 1 || r.ProjectedUnmetAt == nil || !r.ProjectedUnmetAt.Equal(exp) {
		t.Fatalf("now: %+v", r)
	}
	st, _ = notify.CountingProgress{}.Requirements(sys(), c, orgID, exp.Add(time.Second))
	if st[0].Met || st[0].Current != 0 {
		t.Fatalf("after expiry: %+v", st[0])
	}
}
