package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRepeatedKey(t *testing.T) {
	for body, want := range map[string]string{
		`{"query":"{a}","variables":{"a":[{"x":1},{"x":2}],"b":{"x":{"y":[1,{"x":1}]}},"x":3},"operationName":null,"extensions":{}}`: "",
		`{"query":"{a}","variables":{"a":[[],{}],"b":[{"c":{}}]},"id":"ok"}`:                                                         "",
		`{"query":"{a}","query":"{b}"}`:                              "query",
		`{"query":"{a}","Query":"{b}"}`:                              "Query",
		`{"opeRationName":"x"}`:                                      "opeRationName",
		`{"variables":{"a":{"b":[{"c":1,"c":2}]}}}`:                  "c",
		`{"variables":{"a":[1,2],"a":3}}`:                            "a",
		`{"extensions":{"persistedQuery":{},"persistedQuery":null}}`: "persistedQuery",
		"{\"\u017fuery\":1}":                                         "", // not a request key once folded ("suery")
		"{\"variable\u017f\":{}}":                                    "variable\u017f",
	} {
		if got := RepeatedKey([]byte(body), true); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}

// FuzzRepeatedKey: any valid JSON object is read to the end without a panic,
// and a body without a repeated or look-alike name passes.
func FuzzRepeatedKey(f *testing.F) {
	for _, s := range []string{`{"query":"{a}","variables":{"a":[{"x":[{}]},[[{"y":1}]]]}}`, `{"a":{"b":{"c":[]}}}`, `{}`, `{"x":[1,{"y":[2,{"z":{}}]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := RepeatedKey(body, true)
		if json.Valid(body) {
			if want := keysOracle(body, true); got != want {
				t.Fatalf("%q: %q, the token reading says %q", body, got, want)
			}
		}
	})
}

// TestRepeatedKeyAgreesWithTokens holds the byte scanner to encoding/json's
// token reading (keysOracle) over random documents: nested objects and
// arrays, names that repeat, differ only by an escape (\u0061 is a), hold
// bytes past ASCII or of no UTF-8 (both read as U+FFFD), or spell a request
// key otherwise, and strings holding quotes, braces and colons.
func TestRepeatedKeyAgreesWithTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	names := []string{`"a"`, `"b"`, `"\u0061"`, `"\"q"`, `"é"`, `"\u00e9"`, "\"\xff\"", "\"\xfe\"", `"query"`, `"QUERY"`, `"variables"`, `"\u017fuery"`, `""`}
	values := []string{`1`, `-2.5e3`, `true`, `null`, `"x"`, `"{\"a\":1}"`, `"a,b:c]}"`, `"\\"`}
	var gen func(b *bytes.Buffer, depth int)
	gen = func(b *bytes.Buffer, depth int) {
		switch n := rng.IntN(10); {
		case depth > 4 || n < 4:
			b.WriteString(values[rng.IntN(len(values))])
		case n < 7:
			b.WriteByte('{')
			for i := range rng.IntN(4) {
				if i > 0 {
					b.WriteString(strings.Repeat(" ", rng.IntN(2)) + ",")
				}
				b.WriteString(names[rng.IntN(len(names))] + " : ")
				gen(b, depth+1)
			}
			b.WriteByte('}')
		default:
			b.WriteByte('[')
			for i := range rng.IntN(4) {
				if i > 0 {
					b.WriteString(",\n")
				}
				gen(b, depth+1)
			}
			b.WriteByte(']')
		}
	}
	found := 0
	for i := range 20000 {
		var b bytes.Buffer
		b.WriteByte('{')
		for j := range rng.IntN(4) {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(names[rng.IntN(len(names))] + ":")
			gen(&b, 1)
		}
		b.WriteByte('}')
		body := b.Bytes()
		if !json.Valid(body) {
			t.Fatalf("generator: %q", body)
		}
		for _, request := range []bool{true, false} {
			got, want := RepeatedKey(body, request), keysOracle(body, request)
			if got != want {
				t.Fatalf("document %d %q (request %v): %q, the token reading says %q", i, body, request, got, want)
			}
			if got != "" {
				found++
			}
		}
	}
	if found < 1000 {
		t.Fatalf("only %d documents had a repeated name: the generator does not exercise it", found)
	}
}

// TestRepeatedKeyOnBrokenInput: input that is not JSON ends the reading
// without a panic.
func TestRepeatedKeyOnBrokenInput(t *testing.T) {
	for _, body := range []string{`]`, `}}}`, `{"a`, `{"a":"b`, `{"a\`, `[[[`, "\x00\xff", `{"a":1,"a"`} {
		_ = RepeatedKey([]byte(body), true)
	}
	if got := RepeatedKey([]byte(`{"a":1,"a"`), false); got != "a" {
		t.Fatalf("a repeat before the break: %q", got)
	}
}

// BenchmarkRepeatedKey: a body of 400,000 numbers (800 KB), as a review sent.
func BenchmarkRepeatedKey(b *testing.B) {
	body := []byte(`{"query":"{me{id}}","variables":{"a":[` + strings.TrimSuffix(strings.Repeat("1,", 400000), ",") + `],"a":1}}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if RepeatedKey(body, true) != "a" {
			b.Fatal("missed the repeat")
		}
	}
}

// keysOracle is RepeatedKey read through encoding/json's tokens: slow (an
// allocation per token), obviously right.
func keysOracle(body []byte, request bool) string {
	d := json.NewDecoder(bytes.NewReader(body))
	type object struct {
		seen map[string]bool
		key  bool
	}
	var stack []*object
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.key {
			if delim, ok := tok.(json.Delim); ok && delim == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1] != nil {
					stack[len(stack)-1].key = true
				}
				continue
			}
			name := fmt.Sprint(tok)
			if top.seen[name] {
				return name
			}
			top.seen[name] = true
			if request && len(stack) == 1 {
				for _, k := range RequestKeys {
					if name != k && FoldKey(name) == strings.ToLower(k) {
						return name
					}
				}
			}
			top.key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{seen: map[string]bool{}, key: true})
		case json.Delim('['):
			stack = append(stack, nil)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				stack[len(stack)-1].key = true
			}
		default:
			if top != nil {
				top.key = true
			}
		}
	}
}
