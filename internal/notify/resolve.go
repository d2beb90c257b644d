package notify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"certlink/ent"
	"certlink/ent/risknotice"
	"certlink/internal/clock"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// recordRisks keeps the requirements an alert told of as open risks, so that
// their resolution can be told too (Resolver).
func recordRisks(ctx context.Context, c *ent.Client, al Alert, now time.Time) error {
	for _, r := range al.Requirements {
		id, err := strconv.Atoi(r.Key)
		if err != nil {
			continue // not a requirement id (a test's fake source): nothing to follow up
		}
		cr := c.RiskNotice.Create().SetOrganizationID(al.OrgID).SetRequirementID(id).
			SetCause(clip(al.Cause, 500)).SetCreatedAt(now).SetKind(risknotice.KindUNMET)
		if al.Projected && r.ProjectedUnmetAt != nil {
			cr.SetKind(risknotice.KindPROJECTED).SetProjectedOn(r.ProjectedUnmetAt.UTC()).SetNoticeDays(al.NoticeDays)
		}
		if err := cr.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// announced reports whether a projected loss of requirement key on the day of
// on was announced at the notice threshold days and is still open.
func announced(ctx context.Context, c *ent.Client, org int, key string, on time.Time, days int) (bool, error) {
	id, err := strconv.Atoi(key)
	if err != nil {
		return false, nil
	}
	day := on.UTC().Truncate(24 * time.Hour)
	return c.RiskNotice.Query().Where(risknotice.OrganizationID(org), risknotice.RequirementID(id),
		risknotice.KindEQ(risknotice.KindPROJECTED), risknotice.ResolvedAtIsNil(), risknotice.NoticeDays(days),
		risknotice.ProjectedOnGTE(day), risknotice.ProjectedOnLT(day.Add(24*time.Hour))).Exist(ctx)
}

// lastNotice is the id of the latest notice recorded for org (0: none).
func lastNotice(ctx context.Context, c *ent.Client, org int) (int, error) {
	ids, err := c.RiskNotice.Query().Where(risknotice.OrganizationID(org)).
		Order(ent.Desc(risknotice.FieldID)).Limit(1).IDs(ctx)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// toldUnmet reports whether the admins were told that requirement key is unmet
// and it has not been resolved since: they are not told again.
func toldUnmet(ctx context.Context, c *ent.Client, org int, key string) (bool, error) {
	id, err := strconv.Atoi(key)
	if err != nil {
		return false, nil
	}
	return c.RiskNotice.Query().Where(risknotice.OrganizationID(org), risknotice.RequirementID(id),
		risknotice.KindEQ(risknotice.KindUNMET), risknotice.ResolvedAtIsNil()).Exist(ctx)
}

// closeProjected closes, without a follow-up, the open projected notices of a
// requirement that became unmet: the alert saying so takes over.
func closeProjected(ctx context.Context, c *ent.Client, org int, key string, now time.Time) error {
	id, err := strconv.Atoi(key)
	if err != nil {
		return nil
	}
	return c.RiskNotice.Update().Where(risknotice.OrganizationID(org), risknotice.RequirementID(id),
		risknotice.KindEQ(risknotice.KindPROJECTED), risknotice.ResolvedAtIsNil()).SetResolvedAt(now).Exec(ctx)
}

// Resolver tells an organization's admins, once, when requirements an alert
// named are out of danger: met again after a loss (the person links again, a
// result arrives, an attestation), or no longer projected to fall by the date
// announced. It looks after every change of who counts (Changed, called after
// the commit) and at every sweep; a notice is closed by a conditional update in
// the transaction that writes the follow-up, so two processes looking at once
// send it once.
type Resolver struct {
	Client   *ent.Client
	Progress ProgressSource
	Alerts   *Alerter
	Now      func() time.Time
	Log      *slog.Logger

	changes changes
}

func (r *Resolver) now() time.Time { return clock.Now(r.Now) }

// Changed asks for a look at these organizations soon; it never blocks.
func (r *Resolver) Changed(orgIDs ...int) { r.changes.add(orgIDs...) }

// ChangedAll asks for a look at every organization with an open risk (a
// catalog load changes everyone's requirements).
func (r *Resolver) ChangedAll() { r.changes.addAll() }

// Prepare readies Changed before Run starts, so no change is missed.
func (r *Resolver) Prepare() { r.changes.woken() }

// Run looks when told of changes, and sweeps every organization with an open
// risk at start and every interval (a change another process made without a
// broker, a projection that moved with time), until ctx ends.
func (r *Resolver) Run(ctx context.Context, interval time.Duration) {
	wake := r.changes.woken()
	r.ChangedAll()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.ChangedAll()
		case <-wake:
		}
		orgs, all := r.changes.take()
		if err := r.look(ctx, orgs, all); err != nil && ctx.Err() == nil && r.Log != nil {
			r.Log.Error("risk follow-up", "err", fmt.Sprint(err))
		}
	}
}

func (r *Resolver) look(ctx context.Context, orgs []int, all bool) error {
	sys := viewer.System(ctx)
	var ids []int
	if all {
		var err error
		if ids, err = r.Client.RiskNotice.Query().Where(risknotice.ResolvedAtIsNil()).
			Unique(true).Select(risknotice.FieldOrganizationID).Ints(sys); err != nil {
			return err
		}
	}
	for _, id := range orgs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	raised := 0
	for _, org := range ids {
		n, err := r.Resolve(ctx, org)
		if err != nil {
			return fmt.Errorf("organization %d: %w", org, err)
		}
		raised += n
	}
	if raised > 0 && r.Alerts.Wake != nil {
		r.Alerts.Wake()
	}
	return nil
}

// Resolve closes the organization's open risks that are out of danger and
// writes their one follow-up; it returns 1 when it wrote one.
func (r *Resolver) Resolve(ctx context.Context, org int) (int, error) {
	sys := viewer.System(ctx)
	open, err := r.Client.RiskNotice.Query().Where(risknotice.OrganizationID(org), risknotice.ResolvedAtIsNil()).Exist(sys)
	if err != nil || !open {
		return 0, err
	}
	raised := 0
	err = store.InTx(sys, r.Client, func(tx *ent.Tx) error {
		raised = 0
		n, err := r.resolveInTx(sys, tx.Client(), org)
		raised = n
		return err
	})
	return raised, err
}

func (r *Resolver) resolveInTx(ctx context.Context, c *ent.Client, org int) (int, error) {
	rows, err := c.RiskNotice.Query().Where(risknotice.OrganizationID(org), risknotice.ResolvedAtIsNil()).
		Order(ent.Asc(risknotice.FieldID)).All(ctx)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	byReq := map[int][]*ent.RiskNotice{}
	var reqIDs []int
	for _, n := range rows {
		if byReq[n.RequirementID] == nil {
			reqIDs = append(reqIDs, n.RequirementID)
		}
		byReq[n.RequirementID] = append(byReq[n.RequirementID], n)
	}
	states, err := r.states(ctx, c, org, reqIDs)
	if err != nil {
		return 0, err
	}
	now := r.now()
	var met, safe []resolvedRequirement
	for _, id := range reqIDs {
		st, ok := states[strconv.Itoa(id)]
		if !ok {
			// The requirement left the catalog: nothing to follow up.
			if _, err := closeNotices(ctx, c, byReq[id], now); err != nil {
				return 0, err
			}
			continue
		}
		var unmet, projected []*ent.RiskNotice
		for _, n := range byReq[id] {
			if n.Kind == risknotice.KindUNMET {
				unmet = append(unmet, n)
			} else {
				projected = append(projected, n)
			}
		}
		switch {
		case st.Met && len(unmet) > 0:
			closed, err := closeNotices(ctx, c, byReq[id], now)
			if err != nil {
				return 0, err
			}
			if closed {
				met = append(met, resolvedRequirement{RequirementState: st, cause: unmet[len(unmet)-1].Cause})
			}
		case st.Met && projectionPassed(st, projected):
			closed, err := closeNotices(ctx, c, projected, now)
			if err != nil {
				return 0, err
			}
			if closed {
				safe = append(safe, resolvedRequirement{RequirementState: st})
			}
		case !st.Met && len(unmet) > 0 && len(projected) > 0:
			// Unmet now and told so: the projections are moot.
			if _, err := closeNotices(ctx, c, projected, now); err != nil {
				return 0, err
			}
		}
	}
	if len(met)+len(safe) == 0 {
		return 0, nil
	}
	key := fmt.Sprintf("resolved/o%d/n%d-%d", org, rows[0].ID, rows[len(rows)-1].ID)
	if err := r.Alerts.Raise(ctx, c, resolvedAlert(org, key, met, safe)); err != nil {
		return 0, err
	}
	return 1, nil
}

// projectionPassed: every projected notice of a met requirement announced a
// fall that is no longer ahead of it on that day.
func projectionPassed(st RequirementState, projected []*ent.RiskNotice) bool {
	if len(projected) == 0 {
		return false
	}
	for _, n := range projected {
		if n.ProjectedOn == nil {
			continue
		}
		announcedDay := n.ProjectedOn.UTC().Truncate(24 * time.Hour)
		if st.ProjectedUnmetAt != nil && st.ProjectedUnmetAt.UTC().Truncate(24*time.Hour).Compare(announcedDay) <= 0 {
			return false
		}
	}
	return true
}

// closeNotices closes the notices still open; it reports whether it closed any
// (another process may have closed them first).
func closeNotices(ctx context.Context, c *ent.Client, ns []*ent.RiskNotice, now time.Time) (bool, error) {
	ids := make([]int, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	k, err := c.RiskNotice.Update().Where(risknotice.IDIn(ids...), risknotice.ResolvedAtIsNil()).SetResolvedAt(now).Save(ctx)
	return k > 0, err
}

// states are the current states of the requirements ids, by key.
func (r *Resolver) states(ctx context.Context, c *ent.Client, org int, ids []int) (map[string]RequirementState, error) {
	var (
		all []RequirementState
		err error
	)
	if n, ok := r.Progress.(narrowSource); ok {
		all, err = n.MetStatesOnly(ctx, c, org, r.now(), ids)
	} else {
		all, err = r.Progress.Requirements(ctx, c, org, r.now())
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]RequirementState, len(all))
	for _, s := range all {
		out[s.Key] = s
	}
	return out, nil
}
