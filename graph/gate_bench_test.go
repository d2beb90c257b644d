package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"certlink/graph"
	"certlink/graph/generated"
	"certlink/internal/guard"
)

// worstAdmitted are the shapes that make gqlparser's validation slowest
// (pairwise field comparison) at the edge of what guard.DefaultScan admits.
func worstAdmitted(l guard.ScanLimits) map[string]string {
	n, set := l.MaxFields, l.MaxFieldsPerSet
	names := func(k int) string { return strings.Repeat("name ", k) }
	frag := func(i, k int) string { return fmt.Sprintf("fragment F%d on Organization{%s}", i, names(k)) }
	// k sibling organization{…} sets of m names each: all k·m merge into one
	// group that validation compares pairwise.
	k := (n - 2 + set) / (set + 1)
	m := min(set, (n-2)/k-1)
	sameName := "{me{" + strings.Repeat("organization{"+names(m)+"} ", k) + "}}"
	var frags, spreads []string
	fk := 10
	for i := 0; i < fk; i++ {
		frags, spreads = append(frags, frag(i, min(set, (n-3-fk)/fk))), append(spreads, fmt.Sprintf("...F%d", i))
	}
	rk := set - 1
	return map[string]string{
		"same-name fields":      sameName,
		"fragments":             "{me{organization{" + strings.Join(spreads, " ") + "}}} " + strings.Join(frags, " "),
		"one fragment repeated": "{me{organization{" + strings.Repeat("...F0 ", rk) + "}}} " + frag(0, min(set, n-3-rk)),
	}
}

func TestWorstAdmittedShapesPassTheGate(t *testing.T) {
	for _, l := range []guard.ScanLimits{guard.DefaultScan, guard.AnonymousScan} {
		for name, doc := range worstAdmitted(l) {
			s, r := guard.Scan(doc, l)
			if r != nil {
				t.Errorf("%s: %s", name, r.Message)
			}
			if s.Fields*10 < l.MaxFields*6 {
				t.Errorf("%s is not at the edge: %d fields", name, s.Fields)
			}
		}
	}
}

// BenchmarkValidateWorstAdmitted measures what validation can cost for a
// document the gate lets through (README, Security).
func BenchmarkValidateWorstAdmitted(b *testing.B) {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	for who, l := range map[string]guard.ScanLimits{"signed-in": guard.DefaultScan, "anonymous": guard.AnonymousScan} {
		for name, doc := range worstAdmitted(l) {
			b.Run(who+"/"+name, func(b *testing.B) {
				for b.Loop() {
					d, err := parser.ParseQuery(&ast.Source{Input: doc})
					if err != nil {
						b.Fatal(err)
					}
					_ = validator.Validate(schema, d)
				}
			})
		}
	}
}
