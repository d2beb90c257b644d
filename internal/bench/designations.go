package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent/schema/designation"
	designationpkg "certlink/internal/designation"
	"certlink/internal/viewer"
)

const solutionAreasQuery = `{solutionAreas{key score qualified reason dropsOn dropReason
  tracks{key score categories{category points metrics{key source value threshold points}}}
  window{qualifiedDays holds holdsUntil}}}`

// baselineCertifiedSQL counts, by hand, the distinct linked people of an
// organization holding one of a list of skills now (the oracle of the skilling
// metrics); %s is the list of placeholders.
const baselineCertifiedSQL = `SELECT COUNT(DISTINCT a.user_id) FROM associations a
JOIN users u ON u.id = a.user_id AND u.deleted_at IS NULL
JOIN results r ON r.profile_id = a.profile_id
JOIN skills s ON s.id = r.skill_id
WHERE a.organization_id = ? AND a.ended_at IS NULL AND r.completed_at <= ?
  AND (r.expires_at IS NULL OR r.expires_at > ?) AND (s.valid_until IS NULL OR s.valid_until > ?)
  AND s.number IN (%s)`

// measureSolutionAreas times solutionAreas (the partner capability score of
// every area, with windows and forecast) over HTTP in the bench's organization
// and in the small one (issue 15 item 6: read from the kept counts, the cost
// must not grow with the people), checks its skilling values against
// hand-written SQL, and times the scan the score read before the counts were
// kept (designation.SQLCounts, in-process, a few runs).
func (r *run) measureSolutionAreas(ctx context.Context, res *Result, orgs []*org, _ []client) error {
	if r.cfg.AreasRuns == 0 {
		return nil
	}
	o := orgs[0]
	// Ingested metrics at their thresholds and above, so that areas qualify
	// and the forecast looks for the day each would stop qualifying.
	for _, x := range []*org{o, r.small} {
		if x != nil {
			if err := r.setAreaMetrics(ctx, x.ID); err != nil {
				return err
			}
		}
	}
	large, out, err := r.timeSolutionAreas(ctx, o)
	if err != nil {
		return err
	}
	if err := r.sameSkilling(ctx, o, out); err != nil {
		return err
	}
	p50 := pct(large, 50)
	qualified := 0
	for _, a := range out.SolutionAreas {
		if a.Qualified {
			qualified++
		}
	}
	fmt.Fprintf(r.out, "solutionAreas       %d people GraphQL p50 %s p99 %s (6 areas, %d qualified, windows and forecast; skilling values equal the SQL's)\n",
		o.People, ms(p50), ms(pct(large, 99)), qualified)
	res.add("solution_areas_qualified", "%d", qualified)
	res.add("solution_areas_p50_ms", "%.1f", msf(p50))
	res.add("solution_areas_p99_ms", "%.1f", msf(pct(large, 99)))
	if r.small != nil {
		small, sout, err := r.timeSolutionAreas(ctx, r.small)
		if err != nil {
			return err
		}
		if err := r.sameSkilling(ctx, r.small, sout); err != nil {
			return err
		}
		sp := pct(small, 50)
		fmt.Fprintf(r.out, "solutionAreas       %d people p50 %s p99 %s | %d people p50 %s | growth %.2f× (target ≤ 3)\n",
			r.small.People, ms(sp), ms(pct(small, 99)), o.People, ms(p50), ratio(p50, sp))
		res.add("solution_areas_small_p50_ms", "%.1f", msf(sp))
		res.add("solution_areas_small_p99_ms", "%.1f", msf(pct(small, 99)))
		res.add("solution_areas_growth", "%.2f", ratio(p50, sp))
	}
	// The scan: what every read cost before (three runs: it reads every
	// counting result of the areas' certifications).
	var scan []time.Duration
	sys := viewer.System(ctx)
	for range 3 {
		t := time.Now()
		if _, err := designationpkg.Compute(sys, r.app.DB.Client, designationpkg.SQLCounts{}, o.ID, time.Now().UTC(),
			designationpkg.DefaultHorizon, designationpkg.Options{}); err != nil {
			return fmt.Errorf("solution areas by scan: %w", err)
		}
		scan = append(scan, time.Since(t))
	}
	fmt.Fprintf(r.out, "solutionAreas       the scan of results (before the kept counts), in-process, p50 %s\n", ms(pct(scan, 50)))
	res.add("solution_areas_scan_p50_ms", "%.1f", msf(pct(scan, 50)))
	return nil
}

type areasOut struct {
	SolutionAreas []struct {
		Key       string
		Qualified bool
		Tracks    []struct {
			Categories []struct {
				Metrics []struct {
					Key, Source string
					Value       float64
				}
			}
		}
	}
}

// timeSolutionAreas runs the query 3 times unmeasured, then Runs times.
func (r *run) timeSolutionAreas(ctx context.Context, o *org) ([]time.Duration, *areasOut, error) {
	token, err := r.signIn(ctx, o.AdminEmail, workPassword)
	if err != nil {
		return nil, nil, fmt.Errorf("signing in: %w", err)
	}
	var out areasOut
	var api []time.Duration
	for i := -3; i < r.cfg.AreasRuns; i++ {
		t := time.Now()
		if _, err := r.gql(ctx, token, solutionAreasQuery, nil, &out); err != nil {
			return nil, nil, fmt.Errorf("solutionAreas: %w", err)
		}
		if i >= 0 {
			api = append(api, time.Since(t))
		}
	}
	return api, &out, nil
}

// setAreaMetrics sets every ingested metric of every area for this month to
// twice its highest threshold.
func (r *run) setAreaMetrics(ctx context.Context, orgID int) error {
	sys := viewer.System(ctx)
	areas, err := r.app.DB.Client.SolutionArea.Query().All(sys)
	if err != nil {
		return err
	}
	month := designationpkg.MonthOf(time.Now())
	for _, a := range areas {
		for _, m := range a.Metrics {
			if m.Source != designation.Ingested {
				continue
			}
			v := 0.0
			for _, t := range a.Tracks {
				v = max(v, 2*t.Thresholds[m.Key])
			}
			err := r.app.DB.Client.MetricValue.Create().SetOrganizationID(orgID).SetAreaKey(a.Key).SetMetricKey(m.Key).
				SetMonth(month).SetValue(v).SetSource("bench").Exec(sys)
			if err != nil {
				return fmt.Errorf("setting metric values: %w", err)
			}
		}
	}
	return nil
}

// sameSkilling checks every skilling value of out against hand-written SQL.
func (r *run) sameSkilling(ctx context.Context, o *org, out *areasOut) error {
	areas, err := r.app.DB.Client.SolutionArea.Query().All(viewer.System(ctx))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, a := range areas {
		for _, src := range []string{designation.IntermediateCertifications, designation.AdvancedCertifications} {
			list := a.IntermediateSkills
			if src == designation.AdvancedCertifications {
				list = a.AdvancedSkills
			}
			if len(list) == 0 {
				continue
			}
			args := []any{o.ID, now, now, now}
			for _, n := range list {
				args = append(args, n)
			}
			var want int
			q := fmt.Sprintf(baselineCertifiedSQL, strings.TrimSuffix(strings.Repeat("?,", len(list)), ","))
			if err := r.sql.QueryRowContext(ctx, q, args...).Scan(&want); err != nil {
				return fmt.Errorf("baseline certified people: %w", err)
			}
			for _, got := range out.SolutionAreas {
				if got.Key != a.Key {
					continue
				}
				for _, c := range got.Tracks[0].Categories {
					for _, m := range c.Metrics {
						if m.Source == src && int(m.Value) != want {
							return fmt.Errorf("solutionAreas %s %s: %v people, the SQL counts %d", a.Key, m.Key, m.Value, want)
						}
					}
				}
			}
		}
	}
	return nil
}
