package guard

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// The lexer pass counts what the parser would build; the slow obvious count
// (walking the parsed document) is the oracle.
func TestScanCountsLikeTheParser(t *testing.T) {
	docs := []string{
		`{me{email}}`,
		`query Q($w: UserWhereInput = {emailContains: "a", and: [{nameContains: "b"}]}) @x { a: me { email n: name ...F ... on User @skip(if: true) { id } } }
		 fragment F on User { organization { users(first: 2, where: {hasOrganizationWith: {nameContains: "{x}"}}) { edges { node { id } } } } }`,
		`mutation { signIn(input: {email: "a@b.c", password: "on"}) { token user { on: email } } }`,
		`{ ... on Query { me { ... { id } } } }`,
		"# comment {{{{\n{me{organization{users(where:{nameContains:\"\"\"block { }\"\"\"}){totalCount}} email}}",
	}
	for _, doc := range docs {
		s, r := Scan(doc, DefaultScan)
		if r != nil {
			t.Fatalf("%s: %s", doc, r.Message)
		}
		d, err := parser.ParseQuery(&ast.Source{Input: doc})
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		var fields, aliases, directives, depth int
		var walk func(ss ast.SelectionSet, level int)
		walk = func(ss ast.SelectionSet, level int) {
			if len(ss) > 0 {
				depth = max(depth, level)
			}
			for _, sel := range ss {
				switch x := sel.(type) {
				case *ast.Field:
					fields++
					if x.Alias != x.Name {
						aliases++
					}
					directives += len(x.Directives)
					walk(x.SelectionSet, level+1)
				case *ast.FragmentSpread:
					fields++
					directives += len(x.Directives)
				case *ast.InlineFragment:
					directives += len(x.Directives)
					walk(x.SelectionSet, level+1)
				}
			}
		}
		for _, op := range d.Operations {
			directives += len(op.Directives)
			walk(op.SelectionSet, 1)
		}
		for _, f := range d.Fragments {
			walk(f.SelectionSet, 1)
		}
		if s.Fields != fields || s.Aliases != aliases || s.Directives != directives || s.Depth != depth {
			t.Errorf("%s\nscan %+v\nparser fields %d aliases %d directives %d depth %d", doc, s, fields, aliases, directives, depth)
		}
	}
}

// Comments and spacing do not change the cache key; anything else does, and a
// document the lexer cannot read never shares a key with one it can.
func TestCanonicalKey(t *testing.T) {
	a, _ := Scan("{me{email}}", DefaultScan)
	b, _ := Scan("# changed comment 1\n{ me\n  { email } # more\n}", DefaultScan)
	c, _ := Scan("{me{name}}", DefaultScan)
	d, _ := Scan(`{me{email}} "unterminated`, DefaultScan)
	e, _ := Scan(`query{me{email}}`, DefaultScan)
	if a.Canonical != b.Canonical || a.Canonical == c.Canonical || a.Canonical == d.Canonical || a.Canonical == e.Canonical {
		t.Fatalf("%q %q %q %q %q", a.Canonical, b.Canonical, c.Canonical, d.Canonical, e.Canonical)
	}
	s1, _ := Scan(`{a:me{email}}`, DefaultScan)
	s2, _ := Scan(`{a me{email}}`, DefaultScan)
	if s1.Canonical == s2.Canonical {
		t.Fatal("an alias and two fields share a key")
	}
}
