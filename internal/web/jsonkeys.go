package web

import (
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
//
// It reads the bytes once, allocating only for the names of objects: a
// body of 400,000 numbers took 220 ms through encoding/json's tokens and
// ~3 ms here (keysOracle in the tests is the token reading it is held to).
// On input that is not valid JSON it stops, without a panic, and says "".
func RepeatedKey(body []byte, request bool) string {
	name, _ := ScanNames(body, request)
	return name
}

// ScanNames is RepeatedKey, and how many names body's objects give (up to
// the repeat, when there is one): what decoding body costs grows with them
// (a map entry each), 2 µs a name, more than its bytes say.
func ScanNames(body []byte, request bool) (repeated string, names int) {
	type object struct {
		seen map[string]struct{}
	}
	var stack []*object // nil: an array
	key := false        // the next string is an object's name
	for i := 0; i < len(body); {
		switch c := body[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '{':
			stack = append(stack, &object{seen: map[string]struct{}{}})
			key = true
			i++
		case '[':
			stack = append(stack, nil)
			key = false
			i++
		case '}', ']':
			if len(stack) == 0 {
				return "", names
			}
			stack = stack[:len(stack)-1]
			key = false
			i++
		case ',':
			key = len(stack) > 0 && stack[len(stack)-1] != nil
			i++
		case ':':
			key = false
			i++
		case '"':
			end, plain := stringEnd(body, i)
			if end < 0 {
				return "", names
			}
			if key && len(stack) > 0 && stack[len(stack)-1] != nil {
				top := stack[len(stack)-1]
				name := string(body[i+1 : end-1])
				if !plain {
					// Escapes or bytes past ASCII: the name as encoding/json
					// reads it (\u0061 is a, a byte of no UTF-8 is U+FFFD).
					if json.Unmarshal(body[i:end], &name) != nil {
						return "", names
					}
				}
				names++
				if _, dup := top.seen[name]; dup {
					return name, names
				}
				top.seen[name] = struct{}{}
				if request && len(stack) == 1 {
					for _, k := range RequestKeys {
						if name != k && FoldKey(name) == strings.ToLower(k) {
							return name, names
						}
					}
				}
				key = false
			}
			i = end
		default: // a number, true, false or null: up to the next delimiter
			for i < len(body) && !delimiter[body[i]] {
				i++
			}
		}
	}
	return "", names
}

// delimiter marks the bytes that end a number or a literal.
var delimiter = func() (d [256]bool) {
	for _, c := range []byte(" \t\n\r,:]}") {
		d[c] = true
	}
	return d
}()

// stringEnd is the index just after the JSON string starting at body[i]
// (a quote), -1 when it does not end, and whether it holds neither escapes
// nor bytes past ASCII (its bytes are then its text).
func stringEnd(body []byte, i int) (int, bool) {
	plain := true
	for j := i + 1; j < len(body); j++ {
		switch c := body[j]; {
		case c == '"':
			return j + 1, plain
		case c == '\\':
			plain = false
			j++ // the escaped character (a \uXXXX's digits are plain bytes)
		case c >= 0x80:
			plain = false
		}
	}
	return -1, false
}

// FoldKey is name as encoding/json compares it with a field's: lower case,
// the long s and the Kelvin sign as s and k.
func FoldKey(name string) string {
	return strings.NewReplacer("\u017f", "s", "\u212a", "k").Replace(strings.ToLower(name))
}
