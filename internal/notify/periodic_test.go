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
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/notify"
	"certlink/internal/testenv"
)

// fakeProgress is a ProgressSource for notify's own logic: one requirement of
// one organization, met until `until` and projected to fall then.
type fakeProgress struct {
	mu    sync.Mutex
	org   int
	until time.Time
	calls int
}

func (f *fakeProgress) Requirements(_ context.Context, _ *ent.Client, orgID int, at time.Time) ([]notify.RequirementState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if orgID != f.org {
		return nil, nil
	}
	st := notify.RequirementState{Key: "r1", Competency: "Test Cloud Platform", Level: "SILVER", Option: "Standard option",
		Requirement: "1 person holding TEST-104", Required: 1}
	if at.Before(f.until) {
		u := f.until
		st.Current, st.Met = 1, true
		st.ProjectedUnmetAt = &u
		st.ProjectedCause = "TEST-104 of Alex Wilber stops counting on " + u.Format("January 2, 2006")
	}
	// A second requirement, met and projected to fall far beyond any horizon.
	far := at.AddDate(5, 0, 0)
	return []notify.RequirementState{st, {Key: "r2", Competency: "Test Cloud Platform", Level: "GOLD", Option: "Standard option",
		Requirement: "far away", Required: 1, Current: 1, Met: true, ProjectedUnmetAt: &far, ProjectedCause: "far"}}, nil
}

// TestPeriodicCheck: a requirement projected to fall in 10 days is announced
// once (within the horizon; one far beyond it is not), and once it fell, "no
// longer met" with the cause the projection named.
func TestPeriodicCheck(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		now := time.Now().UTC().Truncate(time.Second)
		exp := now.Add(10 * 24 * time.Hour)
		contoso := a.DB.Client.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
		src := &fakeProgress{org: contoso, until: exp}
		clock := now
		p := &notify.Periodic{Client: a.DB.Client, Progress: src, Now: func() time.Time { return clock },
			Alerts:   &notify.Alerter{PublicURL: "https://c.example", Now: func() time.Time { return clock }},
			Interval: time.Hour, Horizon: 30 * 24 * time.Hour}
		ctx := context.Background()
		list := func() []*ent.Notification {
			return a.DB.Client.Notification.Query().Order(ent.Asc(notification.FieldID)).AllX(sys())
		}
		if n, err := p.Check(ctx); err != nil || n != 1 {
			t.Fatalf("first check: %d alerts, %v", n, err)
		}
		ns := list()
		if len(ns) != 2 { // grace and mona
			t.Fatalf("projected: %d notifications", len(ns))
		}
		for _, part := range []string{"TEST-104 of Alex Wilber", exp.Format("January 2, 2006"), "Met today"} {
			if !strings.Contains(ns[0].Body, part) {
				t.Fatalf("projected notification lacks %q: %s", part, ns[0].Body)
			}
		}
		if strings.Contains(ns[0].Body+ns[1].Body, "far away") {
			t.Fatal("a projection beyond the horizon was announced")
		}
		if _, err := p.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(list()); n != 2 {
			t.Fatalf("checking again raised the alert again: %d", n)
		}
		clock = exp.Add(30 * time.Minute)
		if _, err := p.Check(ctx); err != nil {
			t.Fatal(err)
		}
		ns = list()
		if len(ns) != 4 || !strings.Contains(ns[3].Body, "No longer met") || !strings.Contains(ns[3].Body, "TEST-104 of Alex Wilber") {
			t.Fatalf("after expiry: %d notifications, last %q", len(ns), ns[len(ns)-1].Body)
		}
		if _, err := p.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(list()); n != 4 {
			t.Fatalf("checking again after expiry: %d notifications", n)
		}
	})
}

// TestEngineProgress: at-risk detection reads the competency engine's own
// numbers, its projection with a cause, and reads through the client it is
// given — a transaction sees its own uncommitted change, others do not.
func TestEngineProgress(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		// The test itself reads outside a transaction it holds open: two
		// connections (whatever CERTLINK_TEST_DB_MAX_CONNS says).
		a := testenv.Open(t, d, func(c *app.Config) { c.DBMaxConns = max(c.DBMaxConns, 2) })
		now := time.Now().UTC().Truncate(time.Second)
		exp := now.Add(48 * time.Hour)
		seedRequirement(t, a, &exp)
		c := a.DB.Client
		orgID := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
		src, ok := a.RiskProgress.(notify.EngineProgress)
		if !ok || src.Engine != a.Progress.Engine {
			t.Fatalf("the app's at-risk detection does not use the competency engine: %T", a.RiskProgress)
		}
		states, err := src.Requirements(sys(), c, orgID, now)
		if err != nil {
			t.Fatal(err)
		}
		// Every requirement of the engine, with the engine's numbers.
		org, err := a.Progress.Engine.Compute(sys(), c, orgID, now)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]notify.RequirementState{}
		for _, s := range states {
			byKey[s.Key] = s
		}
		n := 0
		for _, comp := range org.Competencies {
			for _, l := range comp.Levels {
				for _, op := range l.Options {
					for _, r := range op.Requirements {
						n++
						s, ok := byKey[fmt.Sprint(r.ID)]
						if !ok || s.Met != r.Met || s.Current != r.Current || s.Required != r.Required || s.Competency != comp.Name || s.Option != op.Name || s.Level != op.Level {
							t.Fatalf("requirement %d (%s): state %+v, engine %+v", r.ID, r.Description, s, r)
						}
					}
				}
			}
		}
		if n != len(states) || n < 10 {
			t.Fatalf("%d states for %d requirements", len(states), n)
		}
		test104 := func(states []notify.RequirementState) notify.RequirementState {
			t.Helper()
			for _, s := range states {
				if s.Requirement == "1 person holding TEST-104" {
					return s
				}
			}
			t.Fatalf("no TEST-104 requirement in %d states", len(states))
			return notify.RequirementState{}
		}
		r := test104(states)
		want := "TEST-104 of Alex Wilber stops counting on " + exp.Format("January 2, 2006")
		if !r.Met || r.Current != 1 || r.ProjectedUnmetAt == nil || !r.ProjectedUnmetAt.Equal(exp) || r.ProjectedCause != want {
			t.Fatalf("now: %+v", r)
		}
		later, err := src.Requirements(sys(), c, orgID, exp.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if r := test104(later); r.Met || r.Current != 0 || r.ProjectedUnmetAt != nil {
			t.Fatalf("after expiry: %+v", r)
		}

		// Inside a transaction that deleted alex, its client sees him gone; the
		// database outside still counts him until the commit.
		tx, err := c.Tx(sys())
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		alex := tx.User.Query().Where(user.Email("alex@contoso.example")).OnlyX(sys())
		tx.User.UpdateOne(alex).SetDeletedAt(now).ExecX(sys())
		inTx, err := src.Requirements(sys(), tx.Client(), orgID, now)
		if err != nil {
			t.Fatal(err)
		}
		if r := test104(inTx); r.Met || r.Current != 0 {
			t.Fatalf("through the transaction's client: %+v", r)
		}
		outside, err := src.Requirements(sys(), c, orgID, now)
		if err != nil {
			t.Fatal(err)
		}
		if r := test104(outside); !r.Met {
			t.Fatalf("outside the transaction: %+v", r)
		}
	})
}
