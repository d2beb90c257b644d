package guard

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"certlink/internal/apperr"
)

// ArgLimits bound every argument value of an operation (literal or variable),
// checked once variables are known and before anything runs: a 900 KB
// emailContains becomes INVALID_INPUT naming the argument, not an SQL error.
type ArgLimits struct {
	// String is the default for a string anywhere in an argument, in bytes.
	String int
	// Where bounds strings inside a where filter (they become SQL patterns).
	Where int
	// ByName overrides String for arguments or input fields of that name.
	ByName map[string]int
	// List bounds the elements of any list; ListByName overrides it.
	List       int
	ListByName map[string]int
}

// DefaultArgs: names, emails and searches are short; a support ticket's body
// may be 20,000 bytes (internal/support) and a catalog document as large as a
// request.
var DefaultArgs = ArgLimits{
	String: 8 << 10,
	Where:  1 << 10,
	ByName: map[string]int{"body": 64 << 10, "document": 1 << 20},
	List:   1000,
	// A where filter's and/or lists become nested SQL expressions (SQLite
	// stops at a depth of 1,000).
	ListByName: map[string]int{"ids": 100, "and": 50, "or": 50},
}

// Args is the gqlgen extension that applies ArgLimits to every operation.
type Args struct{ Limits ArgLimits }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Args{}

func (Args) ExtensionName() string                          { return "ArgumentLimits" }
func (Args) Validate(schema graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (a Args) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := argWalker{l: a.Limits, doc: oc.Doc, vars: oc.Variables, seen: map[string]bool{}}
	if msg := w.set(oc.Operation.SelectionSet); msg != "" {
		return refusal(apperr.InvalidInput, msg, map[string]any{"limit": "argument"})
	}
	return nil
}

type argWalker struct {
	l    ArgLimits
	doc  *ast.QueryDocument
	vars map[string]any
	seen map[string]bool // fragments already walked: arguments do not change per spread
}

func (w *argWalker) set(ss ast.SelectionSet) string {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				v, err := arg.Value.Value(w.vars)
				if err != nil {
					continue
				}
				limit := w.l.String
				if arg.Name == "where" {
					limit = w.l.Where
				}
				if msg := w.value(s.Name+"("+arg.Name+")", arg.Name, v, limit); msg != "" {
					return msg
				}
			}
			if msg := w.set(s.SelectionSet); msg != "" {
				return msg
			}
		case *ast.InlineFragment:
			if msg := w.set(s.SelectionSet); msg != "" {
				return msg
			}
		case *ast.FragmentSpread:
			if w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			if def := w.doc.Fragments.ForName(s.Name); def != nil {
				if msg := w.set(def.SelectionSet); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}

func (w *argWalker) value(path, name string, v any, limit int) string {
	if n, ok := w.l.ByName[name]; ok {
		limit = n
	}
	switch x := v.(type) {
	case string:
		if len(x) > limit {
			return fmt.Sprintf("The value of %s is %d bytes long; the limit is %d.", path, len(x), limit)
		}
	case []any:
		max := w.l.List
		if n, ok := w.l.ListByName[name]; ok {
			max = n
		}
		if len(x) > max {
			return fmt.Sprintf("%s has %d elements; the limit is %d.", path, len(x), max)
		}
		for _, e := range x {
			if msg := w.value(path, name, e, limit); msg != "" {
				return msg
			}
		}
	case map[string]any:
		for k, e := range x {
			if msg := w.value(path+"."+k, k, e, limit); msg != "" {
				return msg
			}
		}
	}
	return ""
}
