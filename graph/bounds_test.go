package graph_test

import (
	"encoding/base64"
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
		for name, raw := range map[string][]byte{
			"2^64-1": {0x81, 0xa1, 'i', 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
			"-1":     {0x81, 0xa1, 'i', 0xd0, 0xff},
			"0":      {0x81, 0xa1, 'i', 0x00},
			// An id with an ordering value that is no single value (the
			// database driver was handed a map: INTERNAL, logged).
			"1, value a map":  {0x82, 0xa1, 'i', 0x01, 0xa1, 'v', 0x81, 0xa1, 'a', 0x01},
			"1, value a list": {0x82, 0xa1, 'i', 0x01, 0xa1, 'v', 0x92, 0x01, 0x02},
			"1, value NaN":    {0x82, 0xa1, 'i', 0x01, 0xa1, 'v', 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1},
		} {
			c := base64.StdEncoding.EncodeToString(raw)
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
