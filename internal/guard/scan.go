package guard

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
)

// ScanLimits bound what a document may ask for, checked by one pass of the
// lexer before gqlparser parses and validates it. Validation is far more
// expensive than lexing (its overlapping-fields rule compares fields pairwise:
// 7,400 repeated fields took ~10 s), so every shape that makes validation slow
// is refused here first, in time linear in the document's size.
type ScanLimits struct {
	MaxBytes        int // the document's text
	MaxTokens       int // as gqlparser's token limit (CVE-2023-49559)
	MaxDepth        int // nesting of selection sets in the text
	MaxFieldsPerSet int // selections (fields and fragment spreads) in one selection set
	MaxFields       int // selections in the whole document
	MaxAliases      int
	MaxDirectives   int
	// MaxValueDepth bounds how deep input values nest (objects and lists in
	// arguments, defaults and variables): a where filter of 9,000 nested
	// "not"s costs seconds to coerce, turn into SQL and run.
	MaxValueDepth int
	// MaxExpandedFields and MaxExpandedDepth bound the selections and the
	// nesting of each operation and fragment once its fragment spreads are
	// replaced by their fragments (checkExpansion).
	MaxExpandedFields, MaxExpandedDepth int
}

// DefaultScan is generous for the web app (its largest operation selects 86
// fields, 11 in its widest set), GraphiQL's own introspection query (≈80) and
// partner tools, and keeps validation in milliseconds: the worst shape it
// admits validates in ≈25 ms (BenchmarkValidateWorstAdmitted, README).
var DefaultScan = ScanLimits{
	MaxBytes:        256 << 10,
	MaxTokens:       15000,
	MaxDepth:        16,
	MaxFieldsPerSet: 100,
	MaxFields:       300,
	MaxAliases:      30,
	MaxDirectives:   30,
	MaxValueDepth:   12,
	// GraphiQL's introspection query expands to 237 selections (484 with its
	// fragments expanded too), 15 deep; the web app's largest to 168; an
	// admin's introspection may be 20 deep (Limits.MaxIntrospectionDepth).
	MaxExpandedFields: 1000,
	MaxExpandedDepth:  20,
}

// AnonymousScan is for callers who are not signed in: they can only sign in
// and read public things, so their documents are small (worst ≈3 ms).
var AnonymousScan = ScanLimits{
	MaxBytes:          32 << 10,
	MaxTokens:         2000,
	MaxDepth:          10,
	MaxFieldsPerSet:   50,
	MaxFields:         100,
	MaxAliases:        10,
	MaxDirectives:     10,
	MaxValueDepth:     12,
	MaxExpandedFields: 100,
	MaxExpandedDepth:  12,
}

// Scanned is what one lexer pass learned about a document.
type Scanned struct {
	Bytes, Tokens, Depth, Fields, MaxFieldsPerSet, Aliases, Directives int
	// Spreads counts fragment spreads (...Name): only a document with some
	// can grow once expanded.
	Spreads int
	// Canonical is the document's tokens without comments and spacing: two
	// documents that differ only there parse to the same tree, so the query
	// cache is keyed by it.
	Canonical string
}

// Refusal says why a document was refused before it was parsed.
type Refusal struct {
	Code    string
	Message string
	Limit   string
}

// Scan lexes query once and refuses it when it is over a limit. Syntax errors
// are left to the parser (which reports them with a location); Scan stops at
// the first one.
func Scan(query string, l ScanLimits) (Scanned, *Refusal) {
	s := Scanned{Bytes: len(query)}
	if len(query) > l.MaxBytes {
		return s, &Refusal{"REQUEST_TOO_LARGE", fmt.Sprintf("The query is %d bytes long; the limit is %d.", len(query), l.MaxBytes), "bytes"}
	}
	lx := lexer.New(&ast.Source{Input: query})
	var (
		canon     strings.Builder
		parens    int   // inside arguments or variable definitions: braces are input objects
		values    int   // open input objects and lists inside them
		sets      []int // selections counted in each open selection set
		prev      lexer.Type
		prevValue string
		prev2     lexer.Type
	)
	canon.Grow(len(query) / 2)
	for {
		tok, err := lx.ReadToken()
		if err != nil {
			// Not a document: the parser will say where. Keyed by its raw text so
			// it can never share a cache entry with a valid document.
			s.Canonical = "\x00" + query
			return s, nil
		}
		if tok.Kind == lexer.EOF {
			break
		}
		if tok.Kind == lexer.Comment {
			continue
		}
		s.Tokens++
		if s.Tokens > l.MaxTokens {
			return s, &Refusal{"INVALID_INPUT", fmt.Sprintf("The query has more than %d tokens; the limit is %d.", l.MaxTokens, l.MaxTokens), "tokens"}
		}
		writeCanonical(&canon, tok)
		inSet := parens == 0 && len(sets) > 0
		switch tok.Kind {
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens = max(0, parens-1)
		case lexer.BraceL, lexer.BracketL:
			if parens > 0 {
				values++
				if values > l.MaxValueDepth {
					return s, &Refusal{"INVALID_INPUT", fmt.Sprintf("An argument's value nests objects and lists more than %d levels deep; the limit is %d.", l.MaxValueDepth, l.MaxValueDepth), "valueDepth"}
				}
			} else if tok.Kind == lexer.BraceL {
				sets = append(sets, 0)
				s.Depth = max(s.Depth, len(sets))
				if s.Depth > l.MaxDepth {
					return s, &Refusal{"INVALID_INPUT", fmt.Sprintf("The query nests selections more than %d levels deep; the limit is %d.", l.MaxDepth, l.MaxDepth), "depth"}
				}
			}
		case lexer.BraceR, lexer.BracketR:
			if parens > 0 {
				values = max(0, values-1)
			} else if tok.Kind == lexer.BraceR && len(sets) > 0 {
				sets = sets[:len(sets)-1]
			}
		case lexer.At:
			s.Directives++
			if s.Directives > l.MaxDirectives {
				return s, &Refusal{"INVALID_INPUT", fmt.Sprintf("The query uses more than %d directives; the limit is %d.", l.MaxDirectives, l.MaxDirectives), "directives"}
			}
		case lexer.Colon:
			if inSet { // alias: name
				s.Aliases++
				if s.Aliases > l.MaxAliases {
					return s, &Refusal{"INVALID_INPUT", fmt.Sprintf("The query uses more than %d aliases; the limit is %d.", l.MaxAliases, l.MaxAliases), "aliases"}
				}
			}
		case lexer.Name:
			if prev == lexer.Spread && tok.Value != "on" {
				s.Spreads++
			}
			// A selection starts with a field's name (not the name after an alias's
			// colon, a directive's @, a spread's "on"), or with a fragment spread.
			isTypeCondition := prev == lexer.Name && prevValue == "on" && prev2 == lexer.Spread
			if inSet && prev != lexer.Colon && prev != lexer.At && !isTypeCondition && !(prev == lexer.Spread && tok.Value == "on") {
				sets[len(sets)-1]++
				s.Fields++
				s.MaxFieldsPerSet = max(s.MaxFieldsPerSet, sets[len(sets)-1])
				if sets[len(sets)-1] > l.MaxFieldsPerSet {
					return s, &Refusal{"INVALID_INPUT", fmt.Sprintf("A selection set of the query has more than %d fields; the limit is %d.", l.MaxFieldsPerSet, l.MaxFieldsPerSet), "fieldsPerSelectionSet"}
				}
				if s.Fields > l.MaxFields {
					return s, &Refusal{"INVALID_INPUT", fmt.Sprintf("The query selects more than %d fields; the limit is %d.", l.MaxFields, l.MaxFields), "fields"}
				}
			}
		}
		prev2, prev, prevValue = prev, tok.Kind, tok.Value
	}
	s.Canonical = canon.String()
	return s, nil
}

// writeCanonical appends tok so that the canonical text parses like the
// original: names and numbers separated by a space, strings quoted again.
func writeCanonical(b *strings.Builder, tok lexer.Token) {
	switch tok.Kind {
	case lexer.Name, lexer.Int, lexer.Float:
		b.WriteByte(' ')
		b.WriteString(tok.Value)
	case lexer.String, lexer.BlockString:
		b.WriteString(fmt.Sprintf(" %q", tok.Value))
	default:
		b.WriteString(tok.Kind.String())
	}
}
