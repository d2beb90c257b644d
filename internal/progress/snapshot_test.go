package progress_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/organization"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// TestProgressAnswerIsOneMoment: while people start and stop counting
// without pause (a writer deletes a person's results and gives them back),
// every competencyProgress answer is of one moment: each SKILL requirement's
// people are exactly `current` of them, and met is current ≥ required; and
// a skillsReport page holds totalCount rows when they fit in it. Read
// outside one snapshot, the counts and the people were two reads, and the
// commits between them showed (a review saw 44 of 721 answers differ).
func TestProgressAnswerIsOneMoment(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		ctx := viewer.System(t.Context())
		testenv.AddPeople(t, c, "4100001", 30, []string{"AZ-104", "AZ-305"})
		tok := e.Demo("mona@contoso.example")
		org := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyX(ctx)
		skills := c.Skill.Query().Where(skill.NumberIn("AZ-104", "AZ-305")).IDsX(ctx)
		profiles := c.Association.Query().Where(association.OrganizationID(org.ID), association.EndedAtIsNil()).
			Limit(12).Select(association.FieldProfileID).IntsX(ctx)

		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		writes := 0
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				pid := profiles[i%len(profiles)]
				err := store.InTx(ctx, c, func(tx *ent.Tx) error {
					n, err := tx.Result.Delete().Where(result.ProfileID(pid)).Exec(ctx)
					if err != nil || n > 0 {
						return err
					}
					for _, sid := range skills {
						if err := tx.Result.Create().SetProfileID(pid).SetSkillID(sid).
							SetCompletedAt(time.Now().UTC().Add(-time.Hour)).SetSource("test").Exec(ctx); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				writes++
			}
		}()

		const q = `{competencyProgress{levels{options{requirements{id kind required current met
		  people(first: 100){id} peopleConnection(first: 100){totalCount edges{node{id}}}}}}}}`
		type req struct {
			ID, Kind          string
			Required, Current int
			Met               bool
			People            []struct{ ID string }
			PeopleConnection  struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		checked, reports := 0, 0
		for i := range 60 {
			if i%2 == 1 {
				// The skills report: a page and its totalCount, one snapshot.
				var rep struct {
					SkillsReport struct {
						TotalCount int
						Edges      []struct{ Cursor string }
					}
				}
				e.Do(tok, `{skillsReport(first: 100){totalCount edges{cursor}}}`, nil).Decode(t, &rep)
				if n := rep.SkillsReport.TotalCount; n <= 100 && n != len(rep.SkillsReport.Edges) {
					close(stop)
					wg.Wait()
					t.Fatalf("skillsReport: totalCount %d, %d rows", n, len(rep.SkillsReport.Edges))
				}
				reports++
			}
			if i%5 == 4 {
				// The forecast: each requirement's count, people and
				// carriers, one snapshot.
				var fc struct {
					Forecast struct {
						Requirements []struct {
							Requirement struct {
								ID               string
								Current          int
								People           []struct{ ID string }
								PeopleConnection struct{ TotalCount int }
							}
							Carriers []struct{ User struct{ ID string } }
						}
					}
				}
				e.Do(tok, `{forecast{requirements{requirement{id current people{id} peopleConnection{totalCount}} carriers{user{id}}}}}`, nil).Decode(t, &fc)
				for _, r := range fc.Forecast.Requirements {
					q := r.Requirement
					if q.Current <= 100 && (len(q.People) != q.Current || q.PeopleConnection.TotalCount != q.Current || len(r.Carriers) != q.Current) {
						close(stop)
						wg.Wait()
						t.Fatalf("forecast requirement %s: current %d, %d people, totalCount %d, %d carriers",
							q.ID, q.Current, len(q.People), q.PeopleConnection.TotalCount, len(r.Carriers))
					}
				}
			}
			var out struct {
				CompetencyProgress []struct {
					Levels []struct {
						Options []struct{ Requirements []req }
					}
				}
			}
			if i%3 == 2 {
				// A what-if with no change: its counts and its people, read
				// in a rehearsal, agree too.
				var sim struct {
					SimulateProgress []struct {
						Levels []struct {
							Options []struct{ Requirements []req }
						}
					}
				}
				e.Do(tok, strings.Replace(q, "competencyProgress", "simulateProgress(input: {})", 1), nil).Decode(t, &sim)
				out.CompetencyProgress = sim.SimulateProgress
			} else {
				e.Do(tok, q, nil).Decode(t, &out)
			}
			for _, cp := range out.CompetencyProgress {
				for _, l := range cp.Levels {
					for _, o := range l.Options {
						for _, r := range o.Requirements {
							if r.Kind != "SKILL" || r.Current > 100 {
								continue
							}
							checked++
							if len(r.People) != r.Current || len(r.PeopleConnection.Edges) != r.Current ||
								r.PeopleConnection.TotalCount != r.Current || r.Met != (r.Current >= r.Required) {
								close(stop)
								wg.Wait()
								t.Fatalf("requirement %s: current %d, %d people, %d edges, totalCount %d, met %v of %d required",
									r.ID, r.Current, len(r.People), len(r.PeopleConnection.Edges), r.PeopleConnection.TotalCount, r.Met, r.Required)
							}
						}
					}
				}
			}
		}
		close(stop)
		wg.Wait()
		if checked == 0 || reports == 0 || writes < 20 {
			t.Fatalf("checked %d requirements across %d writes: the churn did not happen", checked, writes)
		}
		t.Logf("%d requirement answers checked across %d writes", checked, writes)
	})
}
