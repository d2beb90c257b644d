package guard

import (
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

const schema = `
type Query { me: User users(first: Int, last: Int): UserConnection! }
type User { name: String friends(first: Int): UserConnection! }
type UserConnection { edges: [UserEdge] totalCount: Int }
type UserEdge { node: User }
`

func measure(t *testing.T, q string, vars map[string]any) Shape {
	t.Helper()
	s := gqlparser.MustLoadSchema(&ast.Source{Input: schema})
	doc, errs := gqlparser.LoadQuery(s, q)
	if errs != nil {
		t.Fatal(errs)
	}
	return Measure(doc, doc.Operations[0], vars)
}

func TestMeasure(t *testing.T) {
	cases := []struct {
		q                    string
		vars                 map[string]any
		depth, aliases, cost int
	}{
		{`{ me { name } }`, nil, 2, 0, 2},
		{`{ a: me { name } b: me { n: name } }`, nil, 2, 3, 4},
		{`{ users(first: 10) { edges { node { name } } } }`, nil, 4, 0, 1 + 10*3},
		{`query($n: Int) { users(first: $n) { totalCount } }`, map[string]any{"n": 50}, 2, 0, 1 + 50},
		{`{ users { totalCount } }`, nil, 2, 0, 1 + 100},
		{`{ users(first: 10) { edges { node { friends(first: 10) { edges { node { name } } } } } } }`, nil, 7, 0, 1 + 10*(1+1*(1+1*(1+10*3)))},
		{`{ ...F } fragment F on Query { me { ...G } } fragment G on User { name }`, nil, 2, 0, 2},
	}
	for _, c := range cases {
		s := measure(t, c.q, c.vars)
		if s.Depth != c.depth || s.Aliases != c.aliases || s.Cost != c.cost {
			t.Errorf("%s: got %+v, want depth %d aliases %d cost %d", c.q, s, c.depth, c.aliases, c.cost)
		}
	}
}
