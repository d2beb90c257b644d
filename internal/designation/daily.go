package designation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/organization"
	"certlink/ent/qualificationday"
	"certlink/internal/clock"
	"certlink/internal/notify"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Daily is the periodic job's part for designations: it records each
// organization's qualification per area for the day (the window's evidence),
// and warns the admins (N1) when a qualified area is projected to drop within
// a notice threshold, or dropped since the day before.
type Daily struct {
	Client *ent.Client
	Counts Counts
	Alerts *notify.Alerter
	Now    func() time.Time
	// Notices are how far ahead a projected drop is announced (once each);
	// empty: 90, 60 and 30 days.
	Notices []time.Duration
	// Horizon bounds the forecast; 0: DefaultHorizon.
	Horizon time.Duration
	// RowLocks locks the day's row before writing it (MySQL; SQLite has one
	// writer at a time).
	RowLocks bool
}

func (d *Daily) notices() []time.Duration {
	if len(d.Notices) > 0 {
		return d.Notices
	}
	return []time.Duration{90 * 24 * time.Hour, 60 * 24 * time.Hour, 30 * 24 * time.Hour}
}

// Run records every interval until ctx ends.
func (d *Daily) Run(ctx context.Context, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := d.Check(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check records today for every organization and returns the alerts raised.
func (d *Daily) Check(ctx context.Context) (int, error) {
	sys := viewer.System(ctx)
	orgs, err := d.Client.Organization.Query().Order(ent.Asc(organization.FieldID)).IDs(sys)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, org := range orgs {
		n := 0
		err := store.InTx(sys, d.Client, func(tx *ent.Tx) error {
			var err error
			n, err = d.recordOrg(sys, tx.Client(), org)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("recording qualification of organization %d: %w", org, err)
		}
		total += n
	}
	if total > 0 && d.Alerts != nil && d.Alerts.Wake != nil {
		d.Alerts.Wake()
	}
	return total, nil
}

func (d *Daily) recordOrg(ctx context.Context, c *ent.Client, org int) (int, error) {
	now := clock.Now(d.Now)
	counts := d.Counts
	if counts == nil {
		counts = KeptCounts{}
	}
	horizon := d.Horizon
	if horizon <= 0 {
		horizon = DefaultHorizon
	}
	areas, err := Compute(ctx, c, counts, org, now, horizon, Options{})
	if err != nil {
		return 0, err
	}
	today, yesterday := DayOf(now), DayOf(now.AddDate(0, 0, -1))
	alerts := 0
	for _, a := range areas {
		if err := Record(ctx, c, d.RowLocks, org, a.Key, today, a.Best, now); err != nil {
			return 0, err
		}
		if d.Alerts == nil {
			continue
		}
		if !a.Qualified() {
			// The last day checked before today, yesterday or earlier: a
			// day without a check (the server down at the drop) must not
			// swallow the alert.
			prev, err := c.QualificationDay.Query().Where(qualificationday.OrganizationID(org),
				qualificationday.AreaKey(a.Key), qualificationday.DayLT(today)).
				Order(ent.Desc(qualificationday.FieldDay)).First(ctx)
			if err != nil && !ent.IsNotFound(err) {
				return 0, err
			}
			if prev != nil && prev.Qualified {
				if err := d.Alerts.Raise(ctx, c, droppedAlert(org, a, today, prev.Day, yesterday)); err != nil {
					return 0, err
				}
				alerts++
			}
			continue
		}
		if a.DropsOn == nil {
			continue
		}
		notice, ok := nearestNotice(d.notices(), a.DropsOn.Sub(now))
		if !ok {
			continue
		}
		if err := d.Alerts.Raise(ctx, c, projectedAlert(org, a, notice)); err != nil {
			return 0, err
		}
		alerts++
	}
	return alerts, nil
}

// Record writes an area's state for day: a day once recorded qualified stays
// so (qualified at any check that day), otherwise the latest state is kept.
func Record(ctx context.Context, c *ent.Client, lock bool, org int, areaKey, day string, t *TrackScore, now time.Time) error {
	if t == nil {
		return nil
	}
	q := c.QualificationDay.Query().Where(qualificationday.OrganizationID(org),
		qualificationday.AreaKey(areaKey), qualificationday.Day(day))
	if lock {
		q.ForUpdate()
	}
	cur, err := q.Only(ctx)
	reason := clipText(t.Explain(), 500)
	switch {
	case ent.IsNotFound(err):
		return c.QualificationDay.Create().SetOrganizationID(org).SetAreaKey(areaKey).SetDay(day).
			SetQualified(t.Qualified).SetScore(t.Score).SetTrackKey(t.Key).SetReason(reason).SetRecordedAt(now).Exec(ctx)
	case err != nil:
		return err
	case cur.Qualified && (!t.Qualified || t.Score <= cur.Score):
		return nil
	}
	return cur.Update().SetQualified(t.Qualified).SetScore(t.Score).SetTrackKey(t.Key).SetReason(reason).SetRecordedAt(now).Exec(ctx)
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func nearestNotice(notices []time.Duration, left time.Duration) (time.Duration, bool) {
	best, ok := time.Duration(0), false
	for _, n := range notices {
		if left <= n && (!ok || n < best) {
			best, ok = n, true
		}
	}
	return best, ok
}

const designationsLink = "/designations"

func projectedAlert(org int, a *Area, notice time.Duration) notify.Alert {
	on := a.DropsOn.UTC().Format("2 January 2006")
	holds := ""
	if h := HoldsUntil(a.DropsOn.Add(-time.Nanosecond)); true {
		holds = fmt.Sprintf(" Your qualification window still holds until %s if nothing changes.", h.Format("2 January 2006"))
	}
	days := int(notice.Hours() / 24)
	return notify.Alert{
		OrgID: org,
		Key:   fmt.Sprintf("designation/projected/o%d/%s/%s/%dd", org, a.Key, DayOf(*a.DropsOn), days),
		Title: fmt.Sprintf("%s projected to stop qualifying on %s", a.Name, on),
		Body: fmt.Sprintf("%s qualifies today (%s). On %s it is projected to stop qualifying: %s.%s",
			a.Name, a.Best.Explain(), on, strings.TrimSuffix(a.DropReason, "."), holds),
		Link:       designationsLink + "?area=" + a.Key,
		NoticeDays: days,
		Cause:      a.DropReason,
	}
}

func droppedAlert(org int, a *Area, today, last, yesterday string) notify.Alert {
	when := "yesterday"
	if last != yesterday {
		when = "at its last check (" + last + ")"
	}
	holds := ""
	if a.Window != nil && a.Window.HoldsUntil != nil {
		holds = fmt.Sprintf(" Your qualification window holds until %s.", a.Window.HoldsUntil.Format("2 January 2006"))
	}
	return notify.Alert{
		OrgID: org,
		Key:   fmt.Sprintf("designation/dropped/o%d/%s/%s", org, a.Key, today),
		Title: fmt.Sprintf("%s no longer qualifies", a.Name),
		Body:  fmt.Sprintf("%s qualified %s and does not today: %s.%s", a.Name, when, a.Best.Explain(), holds),
		Link:  designationsLink + "?area=" + a.Key,
		Cause: a.Best.Explain(),
	}
}
