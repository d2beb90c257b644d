// Package guard protects the API from hostile and careless callers (A4): it
// measures each operation (depth, aliases, directives, cost) before it runs,
// meters callers with leaky buckets, and throttles sign-in attempts.
package guard

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// Shape is what an operation asks for, measured before it runs.
type Shape struct {
	Depth      int
	Aliases    int
	Directives int
	// Cost follows GitHub's model: every field costs 1, and a field with first/last
	// multiplies the cost of what it selects by that page size.
	Cost int
}

// maxWalk bounds the work of measuring a pathological document (fragments spread
// many times); validation already rejected fragment cycles.
const maxWalk = 100000

// Measure measures op in doc with the request's variables.
func Measure(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) Shape {
	m := measurer{doc: doc, vars: vars}
	var s Shape
	s.Cost, s.Depth = m.set(op.SelectionSet, 1, nil)
	s.Aliases, s.Directives = m.aliases, m.directives+len(op.Directives)
	if m.steps > maxWalk {
		s.Cost = 1 << 30
	}
	return s
}

type measurer struct {
	doc                 *ast.QueryDocument
	vars                map[string]any
	aliases, directives int
	steps               int
}

// set returns the cost and depth of a selection set at depth d.
func (m *measurer) set(ss ast.SelectionSet, d int, seen map[string]bool) (cost, depth int) {
	depth = d - 1
	for _, sel := range ss {
		m.steps++
		if m.steps > maxWalk {
			return cost, depth
		}
		var c, dd int
		switch s := sel.(type) {
		case *ast.Field:
			m.directives += len(s.Directives)
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			childCost, childDepth := 0, d
			if len(s.SelectionSet) > 0 {
				childCost, childDepth = m.set(s.SelectionSet, d+1, seen)
			}
			c, dd = 1+m.multiplier(s)*childCost, childDepth
		case *ast.InlineFragment:
			m.directives += len(s.Directives)
			c, dd = m.set(s.SelectionSet, d, seen)
		case *ast.FragmentSpread:
			m.directives += len(s.Directives)
			def := s.Definition
			if def == nil {
				def = m.doc.Fragments.ForName(s.Name)
			}
			if def == nil || seen[s.Name] {
				continue
			}
			next := map[string]bool{s.Name: true}
			for k := range seen {
				next[k] = true
			}
			c, dd = m.set(def.SelectionSet, d, next)
		}
		cost += c
		depth = max(depth, dd)
	}
	return cost, depth
}

func (m *measurer) multiplier(f *ast.Field) int {
	n := 0
	for _, name := range []string{"first", "last"} {
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		v, err := a.Value.Value(m.vars)
		if err != nil {
			continue
		}
		switch x := v.(type) {
		case int64:
			n = max(n, int(x))
		case int:
			n = max(n, x)
		case float64:
			n = max(n, int(x))
		}
	}
	if n <= 0 {
		if f.Definition != nil && isConnection(f.Definition.Type) && f.Arguments.ForName("first") == nil && f.Arguments.ForName("last") == nil {
			return 100 // a connection asked with neither gets a page of 100
		}
		return 1
	}
	return n
}

func isConnection(t *ast.Type) bool {
	for t != nil && t.NamedType == "" {
		t = t.Elem
	}
	if t == nil {
		return false
	}
	name := t.NamedType
	return len(name) > len("Connection") && name[len(name)-len("Connection"):] == "Connection"
}
