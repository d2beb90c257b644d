package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"certlink/ent/schema/designation"
	"certlink/internal/viewer"
)

const solutionAreasQuery = `{solutionAreas{key score qualified reason dropsOn
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
// every area, with windows and forecast) for the bench's organization, and
// checks its skilling values against hand-written SQL.
func (r *run) measureSolutionAreas(ctx context.Context, res *Result, orgs []*org, _ []client) error {
	if r.cfg.AreasRuns == 0 {
		return nil
	}
	o := orgs[0]
	token, err := r.signIn(ctx, o.AdminEmail, workPassword)
	if err != nil {
		return fmt.Errorf("signing in: %w", err)
	}
	type areaOut struct {
		Key    string
		Tracks []struct {
			Categories []struct {
				Metrics []struct {
					Key, Source string
					Value       float64
				}
			}
		}
	}
	var out struct{ SolutionAreas []areaOut }
	var api []time.Duration
	for i := -3; i < r.cfg.AreasRuns; i++ {
		t := time.Now()
		if _, err := r.gql(ctx, token, solutionAreasQuery, nil, &out); err != nil {
			return fmt.Errorf("solutionAreas: %w", err)
		}
		if i >= 0 {
			api = append(api, time.Since(t))
		}
	}
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
	p50 := pct(api, 50)
	fmt.Fprintf(r.out, "solutionAreas       GraphQL p50 %s p99 %s (6 areas, windows and forecast; skilling values equal the SQL's)\n",
		ms(p50), ms(pct(api, 99)))
	res.add("solution_areas_p50_ms", "%.1f", msf(p50))
	res.add("solution_areas_p99_ms", "%.1f", msf(pct(api, 99)))
	return nil
}
