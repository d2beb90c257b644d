package notify

import (
	"context"
	"fmt"
	"time"

	"certlink/ent"
	"certlink/ent/organization"
	"certlink/internal/clock"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Periodic finds the time-based risks (C5, N1): a requirement projected to
// become unmet within Horizon as results expire and retired skills lose
// validity, and one that did become unmet since the previous run.
type Periodic struct {
	Client   *ent.Client
	Progress ProgressSource
	Alerts   *Alerter
	Now      func() time.Time
	// Interval is how often Run checks; the "became unmet" comparison looks
	// back this far.
	Interval time.Duration
	// Horizon is how far ahead a projected loss is announced when Notices is empty.
	Horizon time.Duration
	// Notices are how far ahead a projected loss is announced, once each (B2:
	// 90, 60 and 30 days). A loss first seen inside several of them is
	// announced once, for the nearest.
	Notices []time.Duration
}

func (p *Periodic) now() time.Time { return clock.Now(p.Now) }

// Run checks every Interval until ctx ends.
func (p *Periodic) Run(ctx context.Context, onError func(error)) {
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		if _, err := p.Check(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check runs once over every organization and returns the number of alerts raised
// (an alert raised before is not raised again).
func (p *Periodic) Check(ctx context.Context) (int, error) {
	sys := viewer.System(ctx)
	orgs, err := p.Client.Organization.Query().Order(ent.Asc(organization.FieldID)).IDs(sys)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, org := range orgs {
		n := 0
		err := store.InTx(sys, p.Client, func(tx *ent.Tx) error {
			var err error
			n, err = p.checkOrg(sys, tx.Client(), org)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("checking organization %d: %w", org, err)
		}
		total += n
	}
	if total > 0 && p.Alerts.Wake != nil {
		p.Alerts.Wake()
	}
	return total, nil
}

func (p *Periodic) checkOrg(ctx context.Context, c *ent.Client, org int) (int, error) {
	now := p.now()
	prev, err := p.Progress.Requirements(ctx, c, org, now.Add(-p.Interval))
	if err != nil {
		return 0, err
	}
	cur, err := p.Progress.Requirements(ctx, c, org, now)
	if err != nil {
		return 0, err
	}
	var alerts []Alert
	why := map[string]string{}
	for _, r := range prev {
		why[r.Key] = r.ProjectedCause
	}
	for _, r := range newlyUnmet(prev, cur) {
		cause := why[r.Key]
		if cause == "" {
			cause = "a result expired or a retired skill reached its validity end"
		}
		alerts = append(alerts, Alert{
			OrgID: org,
			Key:   fmt.Sprintf("expired/o%d/r%s/%s", org, r.Key, now.Format("2006-01-02")),
			Title: fmt.Sprintf("Competency at risk: %s (%s)", r.Competency, levelName(r.Level)),
			Body: fmt.Sprintf("The requirement %q of %s, %s, %s is no longer met: %d of %d required. Cause: %s.",
				r.Requirement, r.Competency, levelName(r.Level), r.Option, r.Current, r.Required, cause),
		})
	}
	for _, r := range cur {
		if !r.Met || r.ProjectedUnmetAt == nil {
			continue
		}
		notice, ok := p.notice(r.ProjectedUnmetAt.Sub(now))
		if !ok {
			continue
		}
		on := r.ProjectedUnmetAt.UTC()
		key := fmt.Sprintf("projected/o%d/r%s/%s", org, r.Key, on.Format("2006-01-02"))
		if len(p.Notices) > 0 {
			key += fmt.Sprintf("/%dd", int(notice.Hours()/24))
		}
		alerts = append(alerts, Alert{
			OrgID: org,
			Key:   key,
			Title: fmt.Sprintf("Competency at risk: %s (%s) from %s", r.Competency, levelName(r.Level), on.Format("January 2, 2006")),
			Body: fmt.Sprintf("The requirement %q of %s, %s, %s is met today (%d of %d required) but will not be on %s (in %s): %s.",
				r.Requirement, r.Competency, levelName(r.Level), r.Option, r.Current, r.Required,
				on.Format("January 2, 2006"), daysText(r.ProjectedUnmetAt.Sub(now)), r.ProjectedCause),
		})
	}
	for _, al := range alerts {
		if err := p.Alerts.Raise(ctx, c, al); err != nil {
			return 0, err
		}
	}
	return len(alerts), nil
}

// notice returns the nearest notice threshold a loss left ahead falls within.
func (p *Periodic) notice(left time.Duration) (time.Duration, bool) {
	notices := p.Notices
	if len(notices) == 0 {
		notices = []time.Duration{p.Horizon}
	}
	best, ok := time.Duration(0), false
	for _, n := range notices {
		if left <= n && (!ok || n < best) {
			best, ok = n, true
		}
	}
	return best, ok
}

func daysText(d time.Duration) string {
	days := int((d + 12*time.Hour) / (24 * time.Hour))
	if days == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}
