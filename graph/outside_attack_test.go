package graph_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// Attacks found from outside (a running server, HTTP only), kept as tests.

// nested builds {"not":{"not":…{"emailContains":"a"}…}} depth levels deep.
func nested(depth int) map[string]any {
	w := map[string]any{"emailContains": "a"}
	for i := 0; i < depth; i++ {
		w = map[string]any{"not": w}
	}
	return w
}

// A where filter nested thousands deep (in variables or in the text) is
// refused before it is coerced, for anonymous and signed-in callers alike,
// with INVALID_INPUT and no measurable work.
func TestDeeplyNestedInputRefusedFirst(t *testing.T) {
	e := testenv.Start(t, testenv.Dialects()[0])
	lee := e.Demo("lee@fabrikam.example")
	for _, tok := range []string{"", lee} {
		start := time.Now()
		r := e.Do(tok, `query($w:UserWhereInput){me{organization{users(first:1,where:$w){totalCount}}}}`, map[string]any{"w": nested(9000)})
		if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "levels deep") {
			t.Fatalf("9,000 nested nots in variables: %+v", r.Errors)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Logf("slow refusal on a loaded machine: %s", d)
		}
		literal := strings.Repeat("{not:", 40) + `{emailContains:"a"}` + strings.Repeat("}", 40)
		r = e.Do(tok, `{me{organization{users(first:1,where:`+literal+`){totalCount}}}}`, nil)
		if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "levels deep") {
			t.Fatalf("40 nested nots in the text: %+v", r.Errors)
		}
	}
	// A legitimate shallow filter still runs.
	r := e.Do(lee, `query($w:UserWhereInput){me{organization{users(first:1,where:$w){totalCount}}}}`, map[string]any{"w": nested(3)})
	if len(r.Errors) > 0 {
		t.Fatalf("a filter 4 levels deep: %+v", r.Errors)
	}
}

// Empty objects in a where filter and over-long or-lists are the caller's
// input (INVALID_INPUT), never INTERNAL.
func TestWhereFilterShapesAreInvalidInput(t *testing.T) {
	e := testenv.Start(t, testenv.Dialects()[0])
	grace := e.Demo("grace@contoso.example")
	wide := make([]any, 1000)
	for i := range wide {
		wide[i] = map[string]any{"nameContains": "zN"}
	}
	for name, w := range map[string]any{
		"not {}":       map[string]any{"not": map[string]any{}},
		"or [{}]":      map[string]any{"or": []any{map[string]any{}}},
		"and [not {}]": map[string]any{"and": []any{map[string]any{"not": map[string]any{}}}},
		"or of 1000":   map[string]any{"or": wide},
	} {
		r := e.Do(grace, `query($w:UserWhereInput){users(first:1,where:$w){totalCount}}`, map[string]any{"w": w})
		if r.Code() != "INVALID_INPUT" {
			t.Errorf("%s: %+v", name, r.Errors)
		}
	}
}

// A variable of the wrong kind is described in GraphQL's words: no Go type
// name (slice, map, bool, float64…), no echo of the value.
func TestVariableErrorsNameNoGoType(t *testing.T) {
	e := testenv.Start(t, testenv.Dialects()[0])
	grace := e.Demo("grace@contoso.example")
	goWords := []string{"slice", "map", "bool", "float64", "string as", "int64", "json.Decoder", "UseNumber"}
	cases := []struct {
		query string
		vars  map[string]any
	}{
		{`query($t:ID!){node(id:$t){id}}`, map[string]any{"t": []any{1}}},
		{`query($t:ID!){node(id:$t){id}}`, map[string]any{"t": map[string]any{"a": 1}}},
		{`query($t:ID!){node(id:$t){id}}`, map[string]any{"t": true}},
		{`query($t:ID!){node(id:$t){id}}`, map[string]any{"t": 1e300}},
		{`query($n:Int){users(first:$n){totalCount}}`, map[string]any{"n": "x"}},
		{`query($w:UserWhereInput){users(first:1,where:$w){totalCount}}`, map[string]any{"w": []any{1}}},
		{`query($w:UserWhereInput){users(first:1,where:$w){totalCount}}`, map[string]any{"w": map[string]any{"nameContains": []any{"a"}}}},
	}
	for _, c := range cases {
		r := e.Do(grace, c.query, c.vars)
		if code := r.Code(); code != "INVALID_INPUT" {
			t.Errorf("%s %v: %+v", c.query, c.vars, r.Errors)
			continue
		}
		b, _ := json.Marshal(r.Errors)
		for _, w := range goWords {
			if strings.Contains(string(b), w) {
				t.Errorf("%s %v names %q: %s", c.query, c.vars, w, b)
			}
		}
	}
}
