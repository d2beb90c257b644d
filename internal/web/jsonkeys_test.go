package web

import (
	"encoding/json"
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
		if !json.Valid(body) && len(body) > 0 && body[0] == '{' {
			return
		}
		_ = RepeatedKey(body, true)
	})
}
