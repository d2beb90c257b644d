package guard

import "github.com/vektah/gqlparser/v2/ast"

// incremental reports whether op asks for incremental delivery (@defer or
// @stream, in the operation or a fragment it spreads). gqlparser declares
// both directives, but certlink's transports deliver one answer per
// operation: over HTTP the deferred part never came ("hasNext": true and
// nothing after it), so such a document is refused with a sentence instead.
func incremental(doc *ast.QueryDocument, op *ast.OperationDefinition) string {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet) string
	marked := func(ds ast.DirectiveList) string {
		for _, d := range ds {
			if d.Name == "defer" || d.Name == "stream" {
				return d.Name
			}
		}
		return ""
	}
	walk = func(set ast.SelectionSet) string {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if n := marked(s.Directives); n != "" {
					return n
				}
				if n := walk(s.SelectionSet); n != "" {
					return n
				}
			case *ast.InlineFragment:
				if n := marked(s.Directives); n != "" {
					return n
				}
				if n := walk(s.SelectionSet); n != "" {
					return n
				}
			case *ast.FragmentSpread:
				if n := marked(s.Directives); n != "" {
					return n
				}
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				if f := doc.Fragments.ForName(s.Name); f != nil {
					if n := walk(f.SelectionSet); n != "" {
						return n
					}
				}
			}
		}
		return ""
	}
	return walk(op.SelectionSet)
}
