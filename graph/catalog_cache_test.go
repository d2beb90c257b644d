package graph_test

import (
	"context"
	"encoding/json"
	"testing"

	"certlink/ent"
	"certlink/ent/requirement"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/progress"
	"certlink/internal/store"
	"certlink/internal/testenv"
)

// TestCatalogChangedByAnotherProcessIsSeenAtOnce (issue 13): a process keeps
// the catalog in memory, and another process on the same database changes
// it — an operator's loadCatalog through that process's API, then a write of
// the catalog tables by a third client outside the catalog service. The very
// next association and progress read of the first process use the new
// catalog: its progress equals the recomputation from the database, catalog
// included.
func TestCatalogChangedByAnotherProcessIsSeenAtOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		free := func(c *app.Config) { c.AssociationCooldown, c.AssociationsPerYear = 0, 1<<30 }
		e := testenv.Start(t, d, free)
		other := e.Second(free)
		lee, sam := e.Demo("lee@fabrikam.example"), e.Demo("sam@fabrikam.example")
		ops := other.Demo("ops@certlink.example")
		ctx := sys()
		c := e.App.DB.Client
		org := *c.User.Query().Where(user.Email("sam@fabrikam.example")).OnlyX(ctx).OrganizationID
		const (
			assoc     = `mutation{associateLearningAccount(input:{email:"jordan@learn.example",password:"learn-demo"}){user{learningAccount{mcid}}}}`
			remove    = `mutation{removeLearningAccount{user{email}}}`
			qProgress = `{competencyProgress{status levels{options{met requirements{id kind required current met}}}}}`
		)
		// required reads, per requirement id, the number competencyProgress
		// of the first process gives.
		required := func() map[string]int {
			m := map[string]int{}
			for id, r := range requirementsOf(t, e, sam) {
				m[id] = r.Required
			}
			return m
		}
		same := func(when string) {
			t.Helper()
			eng := e.App.Progress.Engine
			at := eng.Time()
			kept, err := eng.Compute(ctx, c, org, at)
			if err != nil {
				t.Fatal(err)
			}
			// A new engine keeps nothing yet: it reads the catalog.
			fresh, err := (&progress.Engine{Now: eng.Now}).Compute(ctx, c, org, at)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := describe(kept), describe(fresh); a != b {
				t.Fatalf("%s: progress differs from the recomputation:\nkept:\n%s\nrecomputed:\n%s", when, a, b)
			}
		}
		// The first process reads the catalog (and keeps it).
		must(t, e, lee, assoc, nil, nil)
		before := required()
		same("before any change")

		// The second process's operator raises every SKILL requirement by 3.
		var doc struct{ CatalogDocument string }
		must(t, other, ops, `{catalogDocument}`, nil, &doc)
		var cat map[string]any
		if err := json.Unmarshal([]byte(doc.CatalogDocument), &cat); err != nil {
			t.Fatal(err)
		}
		for _, comp := range cat["competencies"].([]any) {
			for _, o := range comp.(map[string]any)["options"].([]any) {
				for _, r := range o.(map[string]any)["requirements"].([]any) {
					r := r.(map[string]any)
					if r["kind"] == "SKILL" {
						r["required"] = r["required"].(float64) + 3
					}
				}
			}
		}
		edited, _ := json.Marshal(cat)
		must(t, other, ops, `mutation($d:String!){loadCatalog(document:$d){summary}}`, map[string]any{"d": string(edited)}, nil)

		// The first process's very next association and read see it.
		must(t, e, lee, remove, nil, nil)
		must(t, e, lee, assoc, nil, nil)
		after := required()
		skill := c.Requirement.Query().Where(requirement.KindEQ(requirement.KindSKILL)).AllX(ctx)
		if len(skill) == 0 {
			t.Fatal("the catalog has no SKILL requirement")
		}
		for _, r := range skill {
			id := e.ID(r.ID)
			if after[id] != before[id]+3 || after[id] != r.Required {
				t.Fatalf("requirement %s: required %d before the edit, %d after (the database says %d)", r.Key, before[id], after[id], r.Required)
			}
		}
		same("after another process's loadCatalog")

		// A third client changes the catalog tables outside the catalog
		// service (a revision is recorded for it all the same): no
		// requirement lists a skill any more.
		third, err := store.Open(context.Background(), e.App.Config.DB)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { third.Client.Close() })
		err = store.InTx(ctx, third.Client, func(tx *ent.Tx) error {
			for _, r := range skill {
				if err := tx.Requirement.UpdateOneID(r.ID).ClearSkills().Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		must(t, e, lee, remove, nil, nil)
		must(t, e, lee, assoc, nil, nil)
		var out struct {
			CompetencyProgress []struct {
				Levels []struct {
					Options []struct {
						Requirements []struct {
							Kind    string
							Current int
						}
					}
				}
			}
		}
		must(t, e, sam, qProgress, nil, &out)
		for _, cp := range out.CompetencyProgress {
			for _, l := range cp.Levels {
				for _, o := range l.Options {
					for _, r := range o.Requirements {
						if r.Kind == "SKILL" && r.Current != 0 {
							t.Fatalf("a requirement with no skill still counts %d people", r.Current)
						}
					}
				}
			}
		}
		same("after a third client's write")
	})
}

// describe is a progress answer as text, to compare two.
func describe(o *progress.Org) string {
	b, _ := json.MarshalIndent(o, "", " ")
	return string(b)
}
