package web

import (
	"bytes"
	"encoding/json"
	"strings"
)

// RequestKeys are the names of a GraphQL-over-HTTP request object.
var RequestKeys = []string{"query", "operationName", "variables", "extensions"}

// RepeatedKey finds a name body (valid JSON) leaves ambiguous, "" when none:
// one an object gives twice, at any depth (variables included), or, for a
// request object, a top-level name Go would read as one of RequestKeys (its
// JSON matches names without regard to case, and ſ as s, K as k) spelt
// otherwise — "QUERY" ran as the query while a proxy reading "query" saw
// another.
func RepeatedKey(body []byte, request bool) string {
	d := json.NewDecoder(bytes.NewReader(body))
	type object struct {
		seen map[string]bool
		key  bool // the next token is a name
	}
	var stack []*object
	for {
		t, err := d.Token()
		if err != nil {
			return "" // the end (the body is valid JSON)
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.key {
			if delim, ok := t.(json.Delim); ok && delim == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1] != nil {
					stack[len(stack)-1].key = true
				}
				continue
			}
			name, _ := t.(string)
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
		switch t {
		case json.Delim('{'):
			stack = append(stack, &object{seen: map[string]bool{}, key: true})
		case json.Delim('['):
			stack = append(stack, nil)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				stack[len(stack)-1].key = true
			}
		default: // a value
			if top != nil {
				top.key = true
			}
		}
	}
}

// FoldKey is name as encoding/json compares it with a field's: lower case,
// the long s and the Kelvin sign as s and k.
func FoldKey(name string) string {
	return strings.NewReplacer("\u017f", "s", "\u212a", "k").Replace(strings.ToLower(name))
}
