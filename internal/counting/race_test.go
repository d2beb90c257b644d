package counting_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"certlink/ent/profile"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/counting"
	"certlink/internal/ingest"
	"certlink/internal/linking"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// TestConcurrentWritersKeepExactCounts: writers racing on the same people and
// the same tallies — links moving one MCID between work accounts of two
// organizations, results ingested for it and for others, removals — leave the
// kept spans equal to a recomputation and every tally equal to its spans, on
// both databases (run with -race).
func TestConcurrentWritersKeepExactCounts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		a.Linking.Limits = linking.Limits{Cooldown: 0, PerYear: 1 << 30}
		ctx := viewer.System(context.Background())
		c := a.DB.Client
		ops := c.User.Query().Where(user.Email("ops@certlink.example")).OnlyX(ctx)
		operator := &viewer.Viewer{Kind: viewer.KindUser, UserID: ops.ID, Email: ops.Email, Roles: []viewer.Role{viewer.Operator}}
		// Skills of requirements and of the solution areas (issue 15: their
		// kept counts race the same way).
		var areaSkills []string
		for _, ar := range c.SolutionArea.Query().AllX(ctx) {
			areaSkills = append(append(areaSkills, ar.IntermediateSkills...), ar.AdvancedSkills...)
		}
		skills := c.Skill.Query().Where(skill.Or(skill.HasRequirements(), skill.NumberIn(areaSkills...))).Order(skill.ByNumber()).AllX(ctx)
		var people []*viewer.Viewer
		for i, email := range []string{"grace@contoso.example", "sam@fabrikam.example", "mona@contoso.example", "lee@fabrikam.example"} {
			u := c.User.Query().Where(user.Email(email)).OnlyX(ctx)
			_ = i
			people = append(people, &viewer.Viewer{Kind: viewer.KindUser, UserID: u.ID, OrgID: *u.OrganizationID, Email: u.Email})
		}
		var accounts []int
		var mcids []string
		for i := 0; i < 3; i++ {
			acc := c.DirectoryAccount.Create().SetEmail(fmt.Sprintf("race%d@learn.example", i)).SetName("Race").SaveX(ctx)
			c.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(fmt.Sprintf("44%05d", i)).SetAccountID(acc.ID).ExecX(ctx)
			accounts, mcids = append(accounts, acc.ID), append(mcids, fmt.Sprintf("44%05d", i))
		}
		fail := func(what string, err error) {
			if err == nil {
				return
			}
			if _, isRule := apperr.As(err); isRule {
				return // a rule's refusal (CONFLICT after retries, a link that is gone)
			}
			t.Errorf("%s: %v", what, err)
		}
		var wg sync.WaitGroup
		for g, v := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 12; i++ {
					if (g+i)%3 == 2 {
						fail("remove", a.Linking.RemoveLearningAccount(ctx, v))
						continue
					}
					fail("associate", a.Linking.AssociateDirectoryAccount(ctx, v, accounts[(g+i)%len(accounts)], linking.Learning))
				}
			}()
		}
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					b, err := a.Ingest.Begin(ctx, operator)
					if err != nil {
						t.Error(err)
						return
					}
					done := time.Now().UTC().Add(-time.Duration(24*(1+i+g)) * time.Hour)
					r := ingest.Raw{MCID: mcids[(g+i)%len(mcids)], SkillNumber: skills[(g*7+i)%len(skills)].Number,
						CompletedAt: done.Format(time.RFC3339)}
					if i%2 == 0 {
						r.ExpiresAt = done.Add(time.Duration(30+g*40+i*10) * 24 * time.Hour).Format(time.RFC3339)
					}
					fail("ingest", b.Add(r))
					_, err = b.Finish()
					fail("ingest", err)
				}
			}()
		}
		wg.Wait()
		kept, err := counting.Spans(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := counting.Recompute(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(kept) != fmt.Sprint(fresh) {
			t.Fatalf("kept spans %v\nrecomputed %v", kept, fresh)
		}
		if len(kept) == 0 {
			t.Fatal("nobody counts at the end: the race exercised nothing")
		}
		drift, err := counting.TallyDrift(ctx, c)
		if err != nil || len(drift) > 0 {
			t.Fatalf("tallies: %v %v", drift, err)
		}
		keptAreas, err := counting.AreaSpans(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		freshAreas, err := counting.RecomputeAreas(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(keptAreas) != fmt.Sprint(freshAreas) {
			t.Fatalf("kept area spans %v\nrecomputed %v", keptAreas, freshAreas)
		}
		if len(keptAreas) == 0 {
			t.Fatal("nobody counts for a solution area at the end: the race exercised nothing")
		}
		if drift, err := counting.AreaTallyDrift(ctx, c); err != nil || len(drift) > 0 {
			t.Fatalf("area tallies: %v %v", drift, err)
		}
	})
}
