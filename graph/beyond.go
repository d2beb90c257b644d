package graph

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/graph/model"
	"certlink/internal/apperr"
	"certlink/internal/capability"
	"certlink/internal/designation"
	"certlink/internal/live"
	"certlink/internal/progress"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// scenario converts a WhatIfInput.
func scenario(in model.WhatIfInput) progress.Scenario {
	sc := progress.Scenario{RemoveUserIDs: in.RemovePeople}
	for _, r := range in.AddResults {
		sc.AddResults = append(sc.AddResults, progress.PlannedResult{MCID: r.Mcid, SkillNumber: r.SkillNumber,
			CompletedAt: r.CompletedAt, ExpiresAt: r.ExpiresAt})
	}
	return sc
}

// forecastModel renders a forecast, loading every carrier's work account at once.
func (r *Resolver) forecastModel(ctx context.Context, f *progress.Forecast) (*model.Forecast, error) {
	org := &progress.Org{OrgID: f.OrgID, At: f.At}
	var ids []int
	for _, rf := range f.Requirements {
		for _, c := range rf.Carriers {
			ids = append(ids, c.UserID)
		}
		org.Competencies = appendOnce(org.Competencies, rf.Competency)
	}
	users, err := r.Progress.PeopleByIDs(ctx, viewer.From(ctx), ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	progressByReq := map[int]*model.RequirementProgress{}
	rendered, err := r.competencyProgress(ctx, org, 0)
	if err != nil {
		return nil, err
	}
	for _, cp := range rendered {
		for _, l := range cp.Levels {
			for _, op := range l.Options {
				for _, rp := range op.Requirements {
					progressByReq[rp.ID] = rp
				}
			}
		}
	}
	comps := map[int]*ent.Competency{}
	for _, cp := range rendered {
		comps[cp.Competency.ID] = cp.Competency
	}
	// A requirement's people are its carriers, read with its counts in the
	// forecast's snapshot, by name: read apart, they were another moment's
	// (an outside review saw current 0 beside one person under link churn).
	for _, rf := range f.Requirements {
		rp := progressByReq[rf.Requirement.ID]
		if rp == nil || rp.Kind != model.RequirementKindSkill {
			continue
		}
		people := make([]int, 0, len(rf.Carriers))
		for _, c := range rf.Carriers {
			if byID[c.UserID] != nil {
				people = append(people, c.UserID)
			}
		}
		slices.SortFunc(people, func(a, b int) int {
			return cmp.Or(strings.Compare(byID[a].Name, byID[b].Name), cmp.Compare(a, b))
		})
		rp.PeopleIDs = people
	}
	carrier := func(c progress.Carrier) *model.ForecastCarrier {
		return &model.ForecastCarrier{User: byID[c.UserID], SkillNumber: c.SkillNumber, Until: c.Until, Ends: model.CountingEnd(c.Ends)}
	}
	out := &model.Forecast{At: f.At, Until: f.Until, Requirements: []*model.RequirementForecast{}}
	for _, rf := range f.Requirements {
		m := &model.RequirementForecast{Competency: comps[rf.Competency.ID], Level: model.CompetencyLevel(rf.Option.Level),
			Option: rf.Option.Name, Requirement: progressByReq[rf.Requirement.ID], UnmetOn: rf.UnmetOn,
			Carriers: []*model.ForecastCarrier{}, Changes: []*model.ForecastChange{}}
		for _, c := range rf.Carriers {
			if byID[c.UserID] != nil {
				m.Carriers = append(m.Carriers, carrier(c))
			}
		}
		for _, ch := range rf.Changes {
			mc := &model.ForecastChange{At: ch.At, Count: ch.Count, Met: ch.Met, StopCounting: []*model.ForecastCarrier{}}
			for _, c := range ch.StopCounting {
				if byID[c.UserID] != nil {
					mc.StopCounting = append(mc.StopCounting, carrier(c))
				}
			}
			m.Changes = append(m.Changes, mc)
		}
		out.Requirements = append(out.Requirements, m)
	}
	return out, nil
}

func appendOnce(list []*progress.Competency, c *progress.Competency) []*progress.Competency {
	for _, x := range list {
		if x == c {
			return list
		}
	}
	return append(list, c)
}

// forecastUntil defaults until to one year from now.
func forecastUntil(until *time.Time, now time.Time) time.Time {
	if until != nil {
		return *until
	}
	return now.AddDate(1, 0, 0)
}

// Feeds are the live subscriptions' shared computations (B4): one per
// organization and change, whoever and however many subscribed.
type Feeds struct {
	Progress     *live.Shared[[]*model.CompetencyProgress]
	Capability   *live.Shared[[]*capability.Area]
	Designations *live.Shared[[]*designation.Area]
}

// NewFeeds builds r's feeds on r.Live. Their values are computed with no
// viewer (the same for every subscriber of an organization); each subscriber
// is authorized when it subscribes, and nested fields (people, emails) are
// resolved for it with its own viewer.
func NewFeeds(r *Resolver) *Feeds {
	at := func() time.Time { return r.Progress.Engine.Time() }
	return &Feeds{
		Progress: &live.Shared[[]*model.CompetencyProgress]{Hub: r.Live,
			Compute: func(ctx context.Context, orgID int) ([]*model.CompetencyProgress, error) {
				sys := viewer.System(ctx)
				var org *progress.Org
				// One snapshot: counts and projections of one moment.
				err := store.ReadSnapshot(sys, r.Client, func(c *ent.Client) (err error) {
					org, err = r.Progress.Engine.Compute(sys, c, orgID, at())
					return err
				})
				if err != nil {
					return nil, err
				}
				return r.competencyProgress(sys, org, 0)
			},
			Next: r.nextProgressChange, Now: at},
		Capability: &live.Shared[[]*capability.Area]{Hub: r.Live,
			Compute: func(ctx context.Context, orgID int) ([]*capability.Area, error) {
				return capability.Score(viewer.System(ctx), r.Client, orgID, at())
			}},
		Designations: &live.Shared[[]*designation.Area]{Hub: r.Live,
			Compute: func(ctx context.Context, orgID int) ([]*designation.Area, error) {
				return r.Designations.OrgAreas(ctx, orgID)
			},
			Next: r.Designations.NextChange, Now: at},
	}
}

// nextProgressChange is the first moment after at at which time alone, no
// writer, changes progress as list shows it (computed at at or later): a
// person stops counting (an expiry, a retired skill's validity end: the
// kept spans' next end), an offer reaches its anniversary and leaves force,
// a competency without offer comes within the at-risk window of a met
// option's fall (QUALIFIED to AT_RISK), a listed skill stops counting
// (countsNow). Attestations and purchases take effect when written, so they
// have no moment of their own. Zero: none.
func (r *Resolver) nextProgressChange(ctx context.Context, orgID int, list []*model.CompetencyProgress, at time.Time) (time.Time, error) {
	var (
		next time.Time
		reqs []int
	)
	consider := func(t time.Time) {
		if t.After(at) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	seen := map[int]bool{}
	for _, cp := range list {
		if cp.Offer != nil {
			consider(cp.Offer.AnniversaryAt)
		}
		for _, l := range cp.Levels {
			for _, op := range l.Options {
				if cp.Offer == nil && op.Met && op.UnmetOn != nil {
					consider(r.Progress.Engine.AtRiskFrom(*op.UnmetOn))
				}
				for _, rp := range op.Requirements {
					if rp.Kind == model.RequirementKindSkill && !seen[rp.ID] {
						seen[rp.ID] = true
						reqs = append(reqs, rp.ID)
					}
					for _, s := range rp.Skills {
						if s.ValidUntil != nil {
							consider(*s.ValidUntil)
						}
					}
				}
			}
		}
	}
	end, err := progress.NextSpanEnd(viewer.System(ctx), r.Client, orgID, reqs, at)
	if err != nil {
		return time.Time{}, err
	}
	if !end.IsZero() {
		consider(end)
	}
	return next, nil
}

// watch runs a subscription on its organization's shared feed: the current
// value at once, then after every change of the organization's progress,
// until the client leaves or the socket closes (the socket layer closes it
// when the sign-in ends or changes).
func watch[T any](ctx context.Context, r *Resolver, feed func(*Feeds) *live.Shared[T]) (<-chan T, error) {
	v := viewer.From(ctx)
	if err := progress.Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	if r.Live == nil || r.Feeds == nil {
		return nil, apperr.New(apperr.Internal, "Live progress is not available.")
	}
	ch, err := feed(r.Feeds).Watch(ctx, v.OrgID)
	if err != nil {
		if ctx.Err() == nil {
			slog.ErrorContext(ctx, "live progress", "err", err)
		}
		return nil, err
	}
	return ch, nil
}

// designationWhatIf translates a solution-area what-if.
func designationWhatIf(in model.SolutionAreasWhatIfInput) designation.WhatIf {
	wi := designation.WhatIf{Scenario: scenario(model.WhatIfInput{RemovePeople: in.RemovePeople, AddResults: in.AddResults}), At: in.At}
	for _, m := range in.SetMetrics {
		wi.Metrics = append(wi.Metrics, designation.MetricOverride{AreaKey: m.Area, MetricKey: m.Metric, Value: m.Value})
	}
	return wi
}
