package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"certlink/ent"
	"certlink/ent/organization"
	"certlink/internal/clock"
	"certlink/internal/progress"
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
	// MinWait is the least time between two checks that Run makes sooner than
	// Interval, to catch the moment someone stops counting or a loss comes
	// within a notice threshold (DefaultMinWait when 0).
	MinWait time.Duration

	mu   sync.Mutex
	next time.Time // the first moment a check after the last would find something new
	// changes wakes Run after a change of who counts or of the catalog
	// (Changed, ChangedAll) and names the organizations changed.
	changes changes
	// afterCheck, set by tests only, runs after each of Run's checks.
	afterCheck func()
}

// Changed tells Run that who counts changed in the organizations orgIDs: the
// moment time alone next changes something there may now come sooner than
// the last check planned — a result ingested that expires in a minute, a
// loss now projected within a notice threshold. Run checks those
// organizations again, at most once a MinWait (a review saw such losses wait
// for the hourly check). It never blocks.
func (p *Periodic) Changed(orgIDs ...int) { p.changes.add(orgIDs...) }

// ChangedAll is Changed for every organization: the catalog changed (a
// retired skill's new validity end).
func (p *Periodic) ChangedAll() { p.changes.addAll() }

func (p *Periodic) minWait() time.Duration {
	if p.MinWait > 0 {
		return p.MinWait
	}
	return DefaultMinWait
}

// DefaultMinWait: a loss by expiry is told within about a minute of the
// moment, however long --risk-check-interval is.
const DefaultMinWait = time.Minute

func (p *Periodic) now() time.Time { return clock.Now(p.Now) }

// Run checks until ctx ends: every Interval, and sooner when time alone
// changes something a check tells — the first moment after the last check at
// which someone stops counting for a met requirement (an expiry, a retired
// skill's validity end) or a projected loss comes within a notice threshold —
// but not sooner than MinWait after the last.
//
// A change (Changed) brings the next check forward to MinWait after the
// last, when it was planned later; that check looks at the organizations
// changed only (every one after ChangedAll), so a steady flow of links costs
// a check of those a minute, not of all.
func (p *Periodic) Run(ctx context.Context, onError func(error)) {
	changed := p.changes.woken()
	t := time.NewTimer(0)
	defer t.Stop()
	due := time.Now()
	var last time.Time
	early := false // the timer was brought forward by a change
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			if at := last.Add(p.minWait()); at.Before(due) {
				due, early = at, true
				t.Reset(time.Until(at))
			}
			continue
		case <-t.C:
		}
		last = time.Now()
		var err error
		if orgs, all := p.changes.take(); early && !all {
			_, err = p.CheckOrgs(ctx, orgs)
		} else {
			_, err = p.Check(ctx)
		}
		early = false
		if err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		if p.afterCheck != nil {
			p.afterCheck()
		}
		w := p.wait()
		due = time.Now().Add(w)
		t.Reset(w)
	}
}

// wait is how long Run waits after a check.
func (p *Periodic) wait() time.Duration {
	p.mu.Lock()
	next := p.next
	p.mu.Unlock()
	wait := p.Interval
	if !next.IsZero() {
		// A second past the moment: the check then sees it behind.
		wait = min(wait, max(p.minWait(), next.Sub(p.now())+time.Second))
	}
	return wait
}

// soonest keeps the earlier of two moments, the zero time being none.
func soonest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// Check runs once over every organization and returns the number of alerts raised
// (an alert raised before is not raised again).
func (p *Periodic) Check(ctx context.Context) (int, error) {
	orgs, err := p.Client.Organization.Query().Order(ent.Asc(organization.FieldID)).IDs(viewer.System(ctx))
	if err != nil {
		return 0, err
	}
	total, next, err := p.checkOrgs(ctx, orgs)
	if err != nil {
		return total, err
	}
	p.mu.Lock()
	p.next = next
	p.mu.Unlock()
	return total, nil
}

// CheckOrgs is Check of the organizations orgs only: the first moment it
// finds time alone would change something there comes into the next one Run
// waits for, if sooner.
func (p *Periodic) CheckOrgs(ctx context.Context, orgs []int) (int, error) {
	total, next, err := p.checkOrgs(ctx, orgs)
	if err != nil {
		return total, err
	}
	p.mu.Lock()
	p.next = soonest(p.next, next)
	p.mu.Unlock()
	return total, nil
}

// checkOrgs checks orgs, each in its own transaction, and returns the alerts
// raised and the first moment after now at which time alone changes what a
// check of one of them tells.
func (p *Periodic) checkOrgs(ctx context.Context, orgs []int) (int, time.Time, error) {
	sys := viewer.System(ctx)
	total := 0
	var next time.Time
	for _, org := range orgs {
		n := 0
		var orgNext time.Time
		err := store.InTx(sys, p.Client, func(tx *ent.Tx) error {
			var err error
			n, orgNext, err = p.checkOrg(sys, tx.Client(), org)
			return err
		})
		if err != nil {
			return total, next, fmt.Errorf("checking organization %d: %w", org, err)
		}
		total += n
		next = soonest(next, orgNext)
	}
	if total > 0 && p.Alerts.Wake != nil {
		p.Alerts.Wake()
	}
	return total, next, nil
}

// checkOrg raises the organization's alerts due now and returns how many,
// and the first moment after now at which time alone would make a check find
// something new there (zero: none known).
func (p *Periodic) checkOrg(ctx context.Context, c *ent.Client, org int) (int, time.Time, error) {
	now := p.now()
	var none time.Time
	prev, err := p.Progress.Requirements(ctx, c, org, now.Add(-p.Interval))
	if err != nil {
		return 0, none, err
	}
	cur, err := p.Progress.Requirements(ctx, c, org, now)
	if err != nil {
		return 0, none, err
	}
	next, err := p.nextMoment(ctx, c, org, cur, now)
	if err != nil {
		return 0, none, err
	}
	// The alerts' keys carry the organization's latest notice: a requirement
	// lost, met again and lost again within a day is told each time (a
	// review's second expiry of the day was never told, its key taken by the
	// first), while checks at once in two processes still raise one alert
	// (the open notices, not the keys, keep a loss from being told twice).
	last, err := lastNotice(ctx, c, org)
	if err != nil {
		return 0, none, err
	}
	why := map[string]string{}
	for _, r := range prev {
		why[r.Key] = r.ProjectedCause
	}
	var alerts []Alert
	// One check, one message per kind (N1): what stopped counting since the
	// last check, and what newly falls within a notice threshold.
	var lost []RequirementState
	for _, r := range newlyUnmet(prev, cur) {
		if err := closeProjected(ctx, c, org, r.Key, now); err != nil {
			return 0, none, err
		}
		told, err := toldUnmet(ctx, c, org, r.Key)
		if err != nil {
			return 0, none, err
		}
		if !told {
			lost = append(lost, r)
		}
	}
	if len(lost) > 0 {
		alerts = append(alerts, expiredAlert(org, groupKey(fmt.Sprintf("expired/o%d/n%d/", org, last), keysOf(lost)), lost, why))
	}
	// Each threshold is its own message: a loss first seen inside several is
	// announced once, for the nearest.
	// Each threshold is its own message, and within it the losses before a
	// purchased offer's anniversary (the competency AT_RISK, C5) are told as
	// such (review: one inside 30 days went out as "Projected").
	type group struct {
		notice time.Duration
		atRisk bool
	}
	soon := map[group][]RequirementState{}
	var groups []group
	for _, r := range cur {
		if !r.Met || r.ProjectedUnmetAt == nil {
			continue
		}
		notice, ok := p.notice(r.ProjectedUnmetAt.Sub(now))
		if !ok {
			// Beyond every threshold, but before the anniversary of the
			// offer bought with it: the competency is AT_RISK from now (C5),
			// which N1 announces at once.
			if !r.AtRisk {
				continue
			}
			notice = beforeAnniversary
		}
		days := int(notice.Hours() / 24)
		told, err := announced(ctx, c, org, r.Key, *r.ProjectedUnmetAt, days)
		if err != nil {
			return 0, none, err
		}
		if told {
			continue
		}
		g := group{notice, r.AtRisk}
		if soon[g] == nil {
			groups = append(groups, g)
		}
		soon[g] = append(soon[g], r)
	}
	for _, g := range groups {
		reqs := soon[g]
		days := int(g.notice.Hours() / 24)
		kind := "projected"
		if g.atRisk {
			kind = "at-risk"
		}
		al := projectedAlert(org, groupKey(fmt.Sprintf("%s/o%d/%dd/n%d/", kind, org, days, last), projectionKey(reqs)), reqs, now)
		al.NoticeDays = days
		if g.atRisk {
			atRiskBeforeAnniversary(&al)
		}
		alerts = append(alerts, al)
	}
	for _, al := range alerts {
		if err := p.Alerts.Raise(ctx, c, al); err != nil {
			return 0, none, err
		}
	}
	return len(alerts), next, nil
}

// nextMoment is the first moment after now at which time alone changes what
// a check of org tells: someone stops counting for a met requirement (the
// kept spans' next end, progress.NextSpanEnd), or a projected loss comes
// within a notice threshold. Zero: none.
func (p *Periodic) nextMoment(ctx context.Context, c *ent.Client, org int, cur []RequirementState, now time.Time) (time.Time, error) {
	var next time.Time
	var met []int
	for _, r := range cur {
		if !r.Met {
			continue
		}
		if id, err := strconv.Atoi(r.Key); err == nil {
			met = append(met, id)
		}
		if r.ProjectedUnmetAt == nil {
			continue
		}
		for _, n := range p.thresholds() {
			if at := r.ProjectedUnmetAt.Add(-n); at.After(now) {
				next = soonest(next, at)
			}
		}
	}
	end, err := progress.NextSpanEnd(ctx, c, org, met, now)
	if err != nil {
		return next, err
	}
	return soonest(next, end), nil
}

// beforeAnniversary is the notice of a loss projected before the anniversary
// of a purchased offer and beyond every threshold; recorded as NoticeDays -1,
// so it is given once for each projected date.
const beforeAnniversary = -24 * time.Hour

// keysOf joins requirement keys: the identity of a group of requirements.
func keysOf(reqs []RequirementState) string {
	keys := make([]string, len(reqs))
	for i, r := range reqs {
		keys[i] = r.Key
	}
	return strings.Join(keys, "-")
}

// projectionKey names projected losses by requirement and day.
func projectionKey(reqs []RequirementState) string {
	keys := make([]string, len(reqs))
	for i, r := range reqs {
		keys[i] = r.Key + "@" + r.ProjectedUnmetAt.UTC().Format("20060102")
	}
	return strings.Join(keys, "-")
}

// thresholds are how far ahead projected losses are announced: Notices, or
// Horizon alone when there are none.
func (p *Periodic) thresholds() []time.Duration {
	if len(p.Notices) == 0 {
		return []time.Duration{p.Horizon}
	}
	return p.Notices
}

// notice returns the nearest notice threshold a loss left ahead falls within.
func (p *Periodic) notice(left time.Duration) (time.Duration, bool) {
	best, ok := time.Duration(0), false
	for _, n := range p.thresholds() {
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
