package progress_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"certlink/ent/organization"
	"certlink/ent/requirement"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// TestPeopleConnectionPages: a requirement's people come a page at a time in
// name order, the pages together are exactly who counts (the oracle's list),
// totalCount is current, people(first, after) is the same page, a foreign
// cursor is INVALID_INPUT and first above 100 is refused.
func TestPeopleConnectionPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		testenv.AddPeople(t, c, "4100001", 23, []string{"AZ-104", "AZ-305"})
		tok := e.Demo("mona@contoso.example")
		ctx := viewer.System(t.Context())
		org := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyX(ctx)
		const q = `query($after: Cursor, $first: Int){competencyProgress{levels{options{requirements{id kind current
		  people(first: $first, after: $after){id}
		  peopleConnection(first: $first, after: $after){totalCount pageInfo{hasNextPage endCursor} edges{cursor node{id}}}}}}}}`
		type page struct {
			ID, Kind         string
			Current          int
			People           []struct{ ID string }
			PeopleConnection struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   *string
				}
				Edges []struct {
					Cursor string
					Node   struct{ ID string }
				}
			}
		}
		fetch := func(after *string) map[string]page {
			var out struct {
				CompetencyProgress []struct {
					Levels []struct {
						Options []struct{ Requirements []page }
					}
				}
			}
			e.Do(tok, q, map[string]any{"after": after, "first": 5}).Decode(t, &out)
			m := map[string]page{}
			for _, cp := range out.CompetencyProgress {
				for _, l := range cp.Levels {
					for _, o := range l.Options {
						for _, r := range o.Requirements {
							m[r.ID] = r
						}
					}
				}
			}
			return m
		}
		first := fetch(nil)
		checked := 0
		for id, p := range first {
			if p.Kind != "SKILL" || p.Current <= 5 {
				continue
			}
			checked++
			if p.PeopleConnection.TotalCount != p.Current {
				t.Fatalf("requirement %s: totalCount %d, current %d", id, p.PeopleConnection.TotalCount, p.Current)
			}
			var got []string
			cur := p
			for {
				if len(cur.People) != len(cur.PeopleConnection.Edges) {
					t.Fatalf("people and peopleConnection differ: %d, %d", len(cur.People), len(cur.PeopleConnection.Edges))
				}
				for i, edge := range cur.PeopleConnection.Edges {
					if cur.People[i].ID != edge.Node.ID {
						t.Fatalf("people and peopleConnection differ at %d", i)
					}
					got = append(got, edge.Node.ID)
				}
				if len(cur.PeopleConnection.Edges) > 5 {
					t.Fatalf("a page of %d, asked 5", len(cur.PeopleConnection.Edges))
				}
				if !cur.PeopleConnection.PageInfo.HasNextPage {
					break
				}
				cur = fetch(cur.PeopleConnection.PageInfo.EndCursor)[id]
			}
			var rid int
			for _, r := range c.Requirement.Query().Where(requirement.KindEQ(requirement.KindSKILL)).IDsX(ctx) {
				if id == e.ID(r) {
					rid = r
				}
			}
			want, err := e.App.Progress.Engine.OraclePeople(ctx, c, org.ID, rid, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []string
			for _, w := range want {
				wantIDs = append(wantIDs, e.ID(w))
			}
			if !slices.Equal(got, wantIDs) {
				t.Fatalf("requirement %s: pages %v, who counts %v", id, got, wantIDs)
			}
		}
		if checked == 0 {
			t.Fatal("no requirement has more than one page of people")
		}
		bad := "Y3Vyc29y" // not a cursor of this list
		if code := e.Do(tok, q, map[string]any{"after": bad, "first": 5}).Code(); code != "INVALID_INPUT" {
			t.Fatalf("a foreign cursor: %q", code)
		}
		if code := e.Do(tok, q, map[string]any{"first": 101}).Code(); code != "INVALID_INPUT" {
			t.Fatalf("first 101: %q", code)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
