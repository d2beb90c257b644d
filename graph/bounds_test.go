package graph_test

import (
	"encoding/base64"
	"math"
	"testing"

	"certlink/internal/testenv"
)

// TestCursorsNameRows: a cursor whose row id is not positive — an id past
// 2^63 wraps to a negative number when decoded — or whose ordering value is
// a map, a list or NaN, is refused INVALID_INPUT,
// not read as "from the start" (an outside review got the first page back
// for a cursor of id 2^64−1); a real cursor still pages.
func TestCursorsNameRows(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		for name, c := range map[string]string{
			// Ids the API could not have given: 2^64-1 (-1 as a signed
			// 64-bit number) and 0, encrypted as the API writes ids.
			"2^64-1": e.Cursor(-1, nil),
			"0":      e.Cursor(0, nil),
			// An id with an ordering value that is no single value (the
			// database driver was handed a map: INTERNAL, logged).
			"1, value a map":  e.Cursor(1, map[string]any{"a": 1}),
			"1, value a list": e.Cursor(1, []any{1, 2}),
			"1, value NaN":    e.Cursor(1, math.NaN()),
			// Not base64, or no cursor inside.
			"not base64":  "%%%",
			"not msgpack": base64.StdEncoding.EncodeToString([]byte{0xc1}),
		} {
			for _, q := range []string{
				`query($c:Cursor){users(first:2, after:$c){edges{node{email}}}}`,
				`query($c:Cursor){users(last:2, before:$c){edges{node{email}}}}`,
			} {
				if r := e.Do(grace, q, map[string]any{"c": c}); r.Code() != "INVALID_INPUT" {
					t.Fatalf("cursor of id %s: %q %s", name, r.Code(), r.Data)
				}
			}
		}
		var page struct {
			Users struct {
				Edges    []struct{ Node struct{ Email string } }
				PageInfo struct{ EndCursor string }
			}
		}
		must(t, e, grace, `{users(first:1){edges{node{email}} pageInfo{endCursor}}}`, nil, &page)
		first := page.Users.Edges[0].Node.Email
		must(t, e, grace, `query($c:Cursor){users(first:1, after:$c){edges{node{email}} pageInfo{endCursor}}}`,
			map[string]any{"c": page.Users.PageInfo.EndCursor}, &page)
		if len(page.Users.Edges) != 1 || page.Users.Edges[0].Node.Email == first {
			t.Fatalf("the second page: %+v (the first was %s)", page, first)
		}
	})
}
