package guard

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Expansion is what a document asks for once every fragment spread is
// replaced by the fragment it names: the most selections (fields and
// spreads, as Scan counts them) and the deepest nesting
// of any one operation or fragment definition (validation and Measure both
// walk each of them expanded). Cycle names a fragment that spreads itself,
// "" when none.
type Expansion struct {
	Fields, Depth int
	// Total is the selections of every operation and fragment definition,
	// each expanded, added up: validation checks each of them expanded (its
	// overlapping-fields rule compares a fragment's fields with those of the
	// fragments it spreads), so a chain of n fragments each spreading the next
	// once costs it n² though no one of them is large.
	Total int
	Cycle string
}

// Expand measures doc's expansion in time linear in the document: each
// fragment's expanded size is computed once and remembered, so 140 fragments
// each spreading the next one twice (2^140 fields once expanded) cost 140
// steps, where walking the spreads costs seconds. Sizes saturate at
// costCeiling. A spread of an unknown fragment counts nothing (validation
// names it).
func Expand(doc *ast.QueryDocument) Expansion {
	e := expander{doc: doc, memo: map[string]expanded{}, state: map[string]int8{}}
	var x Expansion
	for _, op := range doc.Operations {
		f := e.set(op.SelectionSet)
		x.Fields, x.Depth, x.Total = max(x.Fields, f.fields), max(x.Depth, f.depth), satAdd(x.Total, f.fields)
	}
	for _, def := range doc.Fragments {
		f := e.fragment(def.Name)
		x.Fields, x.Depth, x.Total = max(x.Fields, f.fields), max(x.Depth, f.depth), satAdd(x.Total, f.fields)
	}
	x.Cycle = e.cycle
	return x
}

type expanded struct{ fields, depth int }

type expander struct {
	doc   *ast.QueryDocument
	memo  map[string]expanded
	state map[string]int8 // 1 while a fragment is being expanded, 2 once done
	cycle string
}

// set expands a selection set: its fields with their own selections, its
// spreads and what the fragments they spread select; depth is its levels of
// fields.
func (e *expander) set(ss ast.SelectionSet) expanded {
	var x expanded
	for _, sel := range ss {
		var f expanded
		switch s := sel.(type) {
		case *ast.Field:
			f = e.set(s.SelectionSet)
			f.fields, f.depth = satAdd(f.fields, 1), f.depth+1
		case *ast.InlineFragment:
			f = e.set(s.SelectionSet)
		case *ast.FragmentSpread:
			// The spread counts as a selection too, as in Scan: a chain of
			// spreads that ends in an unknown fragment expands to spreads only.
			f = e.fragment(s.Name)
			f.fields = satAdd(f.fields, 1)
		}
		x.fields, x.depth = satAdd(x.fields, f.fields), max(x.depth, f.depth)
	}
	return x
}

func (e *expander) fragment(name string) expanded {
	switch e.state[name] {
	case 2:
		return e.memo[name]
	case 1:
		if e.cycle == "" {
			e.cycle = name
		}
		return expanded{}
	}
	def := e.doc.Fragments.ForName(name)
	if def == nil {
		return expanded{}
	}
	e.state[name] = 1
	x := e.set(def.SelectionSet)
	e.state[name], e.memo[name] = 2, x
	return x
}

// checkExpansion parses a document the lexer pass admitted and that spreads
// fragments, and refuses it when, expanded, it selects more fields or nests
// deeper than the limits, or a fragment spreads itself — before validation
// or anything else expands it. A document that does not parse is left to
// the parser, which says where.
func checkExpansion(query string, l ScanLimits) *Refusal {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil || doc == nil {
		return nil
	}
	x := Expand(doc)
	switch {
	case x.Cycle != "":
		return &Refusal{"INVALID_INPUT", fmt.Sprintf("Fragment %q spreads itself (directly or through other fragments).", x.Cycle), "fragmentCycle"}
	case x.Fields > l.MaxExpandedFields:
		return &Refusal{"INVALID_INPUT", fmt.Sprintf("With its fragments spread, the query selects %s fields; the limit is %d.", count(x.Fields), l.MaxExpandedFields), "expandedFields"}
	case x.Total > l.MaxExpandedFields:
		return &Refusal{"INVALID_INPUT", fmt.Sprintf("With their fragments spread, the query's operations and fragments select %s fields in all; the limit is %d.", count(x.Total), l.MaxExpandedFields), "expandedFields"}
	case x.Depth > l.MaxExpandedDepth:
		return &Refusal{"INVALID_INPUT", fmt.Sprintf("With its fragments spread, the query nests selections %d levels deep; the limit is %d.", x.Depth, l.MaxExpandedDepth), "expandedDepth"}
	}
	return nil
}

func count(n int) string {
	if n >= costCeiling {
		return "more than a trillion"
	}
	return fmt.Sprint(n)
}

// refusalPointEvery is the time a refused request spent past the gate (parse,
// validation, measuring) that costs its caller one more point, as a what-if's
// slot time does (ExpensiveSlots.PointEvery).
const refusalPointEvery = 20 * time.Millisecond

// admittedKey is where Admit leaves the moment it admitted a document.
const admittedKey = "guard.admitted"

// chargeRefusal charges the caller of a refused operation one point per
// refusalPointEvery spent since Admit let its document in, on top of the
// point Admit took: refusals that cost CPU cost points, so a caller who keeps
// sending documents that are refused late is soon RATE_LIMITED. It charges
// once per operation.
func chargeRefusal(ctx context.Context, b *Buckets) {
	if b == nil || !graphql.HasOperationContext(ctx) {
		return
	}
	oc := graphql.GetOperationContext(ctx)
	at, ok := oc.Stats.GetExtension(admittedKey).(time.Time)
	if !ok {
		return
	}
	oc.Stats.SetExtension(admittedKey, nil)
	if extra := float64(b.now().Sub(at) / refusalPointEvery); extra >= 1 {
		setRateHeaders(ctx, b.Settle(CallerKey(ctx), extra))
	}
}

// Refuses reports whether the expansion check refuses query (for benchmarks
// and tests outside the package).
func Refuses(query string, l ScanLimits) bool { return checkExpansion(query, l) != nil }
