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
	// Incremental names the first incremental-delivery directive (defer,
	// stream) in the operation or a fragment it spreads, "" when none.
	// gqlparser declares @defer, but certlink's transports send each answer
	// whole: over HTTP the deferred part never came ("hasNext": true and
	// nothing after it), so such a document is refused with a sentence.
	Incremental string
	// PasswordChecks counts the operation's fields that check a password
	// (PasswordFields): an argon2id computation each.
	PasswordChecks int
}

// PasswordFields are the root fields that check a password with argon2id,
// about 50 ms of a core each however the password turns out. An operation
// may hold one, so each check costs at least the request's rate-limit point:
// a review's one account sent its own right password under 30 aliases, 240
// argon2id checks in 15 s for 8 points.
var PasswordFields = map[string]bool{
	"signIn": true, "changePassword": true, "associateLearningAccount": true,
	"associatePartnerUniversity": true, "previewAssociation": true,
}

// maxWalk bounds the work of measuring a pathological document (fragments spread
// many times); validation already rejected fragment cycles.
const maxWalk = 100000

// Measure measures op in doc with the request's variables.
func Measure(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) Shape {
	m := measurer{doc: doc, vars: vars}
	var s Shape
	s.Cost, s.Depth = m.set(op.SelectionSet, 1, map[string]bool{})
	s.Aliases, s.Directives, s.Incremental = m.aliases, m.directives+len(op.Directives), m.incremental
	s.PasswordChecks = m.passwords
	if m.steps > maxWalk {
		s.Cost = 1 << 30
	}
	return s
}

type measurer struct {
	doc                 *ast.QueryDocument
	vars                map[string]any
	aliases, directives int
	passwords           int
	steps               int
	incremental         string
}

// note counts a selection's directives and remembers the first @defer or @stream.
func (m *measurer) note(ds ast.DirectiveList) {
	m.directives += len(ds)
	for _, d := range ds {
		if m.incremental == "" && (d.Name == "defer" || d.Name == "stream") {
			m.incremental = d.Name
		}
	}
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
			m.note(s.Directives)
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			childCost, childDepth := 0, d
			if len(s.SelectionSet) > 0 {
				childCost, childDepth = m.set(s.SelectionSet, d+1, seen)
			}
			if d == 1 && PasswordFields[s.Name] {
				m.passwords++
			}
			c, dd = satAdd(1, satMul(m.multiplier(s), childCost)), childDepth
		case *ast.InlineFragment:
			m.note(s.Directives)
			c, dd = m.set(s.SelectionSet, d, seen)
		case *ast.FragmentSpread:
			m.note(s.Directives)
			def := s.Definition
			if def == nil {
				def = m.doc.Fragments.ForName(s.Name)
			}
			if def == nil || seen[s.Name] {
				continue
			}
			// seen holds the fragments on the path from the operation: one
			// map, marked and unmarked, not a copy per spread.
			seen[s.Name] = true
			c, dd = m.set(def.SelectionSet, d, seen)
			delete(seen, s.Name)
		}
		cost = satAdd(cost, c)
		depth = max(depth, dd)
	}
	return cost, depth
}

// multiplier is how many times f's selection can be served: a paged field's
// page as it will be served (first/last; omitted means the argument's default,
// null the page of MaxPage that graph.ConnectionBounds serves), and a list
// asked by a list argument (nodes(ids:[…])) its length.
func (m *measurer) multiplier(f *ast.Field) int {
	n, given := 0, false
	for _, name := range []string{"first", "last"} {
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		v, err := a.Value.Value(m.vars)
		if err != nil || v == nil {
			continue // null or an omitted variable: served as if absent
		}
		given = true
		n = max(n, intOf(v))
	}
	if f.Definition != nil && isList(f.Definition.Type) {
		for _, a := range f.Arguments {
			if v, err := a.Value.Value(m.vars); err == nil {
				if l, ok := v.([]any); ok {
					n, given = max(n, len(l)), true
				}
			}
		}
	}
	if !given && f.Definition != nil {
		if a := f.Definition.Arguments.ForName("first"); a != nil {
			// A paged list asked without first/last: its default page, and
			// null is served as MaxPage (graph.ConnectionBounds).
			if a.DefaultValue != nil && f.Arguments.ForName("first") == nil {
				if v, err := a.DefaultValue.Value(nil); err == nil && intOf(v) > 0 {
					return intOf(v)
				}
			}
			return MaxPage
		}
		if isConnection(f.Definition.Type) {
			return MaxPage
		}
	}
	return max(n, 1)
}

// MaxPage is the page a connection asked without first/last is served.
const MaxPage = 100

func intOf(v any) int {
	switch x := v.(type) {
	case int64:
		return int(min(x, 1<<30))
	case int:
		return min(x, 1<<30)
	case float64:
		return int(min(x, 1<<30))
	}
	return 0
}

func isList(t *ast.Type) bool { return t != nil && t.Elem != nil }

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

// costCeiling keeps cost arithmetic from overflowing: nested multipliers of a
// hostile query saturate here, far above any limit.
const costCeiling = 1 << 40

func satMul(a, b int) int {
	if a != 0 && b > costCeiling/a {
		return costCeiling
	}
	return min(a*b, costCeiling)
}

func satAdd(a, b int) int { return min(a+b, costCeiling) }
