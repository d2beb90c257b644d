package graph_test

import (
	"slices"
	"testing"

	"certlink/internal/testenv"
)

// A page runs one way. A review asked users(after:X, before:X) and saw
// before ignored; from outside, first with before gave the rows after the
// cursor and last with after none (entgql's pagination). Now a before cursor
// alone gives the last page before it, and the mixed ways are refused.
func TestPagesRunOneWay(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		type conn struct {
			Edges []struct {
				Cursor string
				Node   struct{ Name string }
			}
		}
		names := func(c conn) []string {
			var out []string
			for _, ed := range c.Edges {
				out = append(out, ed.Node.Name)
			}
			return out
		}
		var all struct{ Users conn }
		must(t, e, grace, `{users(first:10){edges{cursor node{name}}}}`, nil, &all)
		if len(all.Users.Edges) < 4 {
			t.Fatalf("users: %+v", all.Users)
		}
		third := all.Users.Edges[2].Cursor
		want := names(all.Users)[:2]
		for name, q := range map[string]string{
			"users":              `query($c:Cursor){users(before:$c){edges{node{name}}}}`,
			"organization.users": `query($c:Cursor){me{organization{users(before:$c){edges{node{name}}}}}}`,
		} {
			var out struct {
				Users conn
				Me    struct{ Organization struct{ Users conn } }
			}
			must(t, e, grace, q, map[string]any{"c": third}, &out)
			got := names(out.Users)
			if name != "users" {
				got = names(out.Me.Organization.Users)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s(before: the third): %q, want %q", name, got, want)
			}
		}
		// Reached through node, nodes or a list, the organization's users were
		// loaded ahead by entgql from the literal arguments: before alone gave
		// nothing or the wrong rows reversed, a bad cursor INTERNAL.
		var me struct {
			Me struct{ Organization struct{ ID string } }
		}
		must(t, e, grace, `{me{organization{id}}}`, nil, &me)
		org := me.Me.Organization.ID
		for name, q := range map[string]string{
			"node":  `query($o:ID!,$c:Cursor){node(id:$o){... on Organization{users(before:$c){edges{node{name}}}}}}`,
			"nodes": `query($o:ID!,$c:Cursor){nodes(ids:[$o]){... on Organization{users(before:$c){edges{node{name}}}}}}`,
		} {
			var out struct {
				Node  struct{ Users conn }
				Nodes []struct{ Users conn }
			}
			must(t, e, grace, q, map[string]any{"o": org, "c": third}, &out)
			got := names(out.Node.Users)
			if name == "nodes" {
				got = names(out.Nodes[0].Users)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s → organization.users(before: the third): %q, want %q", name, got, want)
			}
		}
		var nested struct {
			Users struct {
				Edges []struct {
					Node struct{ Organization struct{ Users conn } }
				}
			}
		}
		must(t, e, grace, `query($c:Cursor){users(first:1){edges{node{organization{users(before:$c){edges{node{name}}}}}}}}`, map[string]any{"c": third}, &nested)
		if got := names(nested.Users.Edges[0].Node.Organization.Users); !slices.Equal(got, want) {
			t.Errorf("users → organization.users(before: the third): %q, want %q", got, want)
		}
		if got := call(t, e, grace, `query($o:ID!){node(id:$o){... on Organization{users(before:"not a cursor"){edges{node{name}}}}}}`, map[string]any{"o": org}, nil); got != "INVALID_INPUT" {
			t.Errorf("a bad literal cursor through node: %q, want INVALID_INPUT", got)
		}

		var last struct{ Users conn }
		must(t, e, grace, `query($c:Cursor){users(last:1,before:$c){edges{node{name}}}}`, map[string]any{"c": third}, &last)
		if got := names(last.Users); !slices.Equal(got, want[1:]) {
			t.Errorf("users(last:1, before: the third): %q, want %q", got, want[1:])
		}
		for _, q := range []string{
			`query($c:Cursor){users(first:10,before:$c){edges{node{name}}}}`,
			`query($c:Cursor){users(last:10,after:$c){edges{node{name}}}}`,
			`query($c:Cursor){users(first:10,after:$c,before:$c){edges{node{name}}}}`,
			`query($c:Cursor){users(first:1,last:1,after:$c){edges{node{name}}}}`,
			`query($c:Cursor){me{organization{users(after:$c,before:$c){edges{node{name}}}}}}`,
		} {
			if got := call(t, e, grace, q, map[string]any{"c": third}, nil); got != "INVALID_INPUT" {
				t.Errorf("%s: %q, want INVALID_INPUT", q, got)
			}
		}
	})
}

// pageInfo alone pages: its endCursor leads to the next page and hasNextPage
// says whether there is one, as with edges selected (review: users(first:2)
// {pageInfo{endCursor hasNextPage}} answered endCursor null, hasNextPage true).
func TestPageInfoWithoutEdgesPages(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	type info struct {
		EndCursor   *string
		HasNextPage bool
	}
	var alone, with struct {
		Users struct {
			TotalCount int
			PageInfo   info
		}
	}
	e.Do(grace, `{users(first:2){totalCount pageInfo{endCursor hasNextPage}}}`, nil).Decode(t, &alone)
	e.Do(grace, `{users(first:2){totalCount edges{node{id}} pageInfo{endCursor hasNextPage}}}`, nil).Decode(t, &with)
	if alone.Users.PageInfo.EndCursor == nil || *alone.Users.PageInfo.EndCursor != *with.Users.PageInfo.EndCursor ||
		alone.Users.PageInfo.HasNextPage != with.Users.PageInfo.HasNextPage || alone.Users.TotalCount != with.Users.TotalCount {
		t.Fatalf("pageInfo alone %+v, with edges %+v", alone.Users, with.Users)
	}
	var all struct {
		Users struct{ PageInfo info }
	}
	e.Do(grace, `{users(first:100){pageInfo{endCursor hasNextPage}}}`, nil).Decode(t, &all)
	if all.Users.PageInfo.HasNextPage {
		t.Fatalf("one page holds every user, and hasNextPage says more: %+v", all.Users.PageInfo)
	}
}
