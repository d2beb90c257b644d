package linking

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MixedScriptInEmail reports the first part of a normalised email (the local
// part or one domain label) whose letters are not all of one script, in the
// sense of UTS #39's single-script test: Common and Inherited characters
// (digits, punctuation, combining marks) go with any script, and the
// Japanese (Han, Hiragana, Katakana), Korean (Hangul, Han) and Chinese (Han,
// Bopomofo) writing systems each count as one. "mоna" with a Cyrillic "о"
// mixes Latin and Cyrillic and looks like "mona"; "мона" and "mona" do not.
// A domain label in punycode ("xn--…") is judged by the label it encodes; one
// that does not decode is reported too.
func MixedScriptInEmail(email string) (string, bool) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return "", false // not an address at all: the address check refuses it
	}
	if !singleScript(email[:at]) {
		return email[:at], true
	}
	for _, label := range strings.Split(email[at+1:], ".") {
		text := label
		if len(label) >= 4 && strings.EqualFold(label[:4], "xn--") {
			u, err := punyDecode(label[4:])
			if err != nil {
				return label, true
			}
			text = u
		}
		if !singleScript(text) {
			return label, true
		}
	}
	return "", false
}

// Augmented script sets (UTS #39 §5.1): a Han character belongs to the
// Japanese, Korean and Chinese sets as well, Hiragana and Katakana to the
// Japanese one, Hangul to the Korean one and Bopomofo to the Chinese one.
const (
	jpan = "Jpan"
	kore = "Kore"
	hanb = "Hanb"
)

var augmented = map[string][]string{
	"Han":      {"Han", jpan, kore, hanb},
	"Hiragana": {jpan},
	"Katakana": {jpan},
	"Hangul":   {kore},
	"Bopomofo": {hanb},
}

// singleScript reports whether the resolved script set of s is not empty:
// some one script (or writing system above) holds every character that is not
// Common or Inherited.
func singleScript(s string) bool {
	var set []string // nil: every script still possible
	for _, r := range s {
		if r < utf8.RuneSelf {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
				continue // ASCII digits and punctuation are Common
			}
		}
		sc := scriptOf(r)
		if sc == "Common" || sc == "Inherited" {
			continue
		}
		own, ok := augmented[sc]
		if !ok {
			own = []string{sc}
		}
		if set == nil {
			set = own
			continue
		}
		var keep []string
		for _, a := range set {
			for _, b := range own {
				if a == b {
					keep = append(keep, a)
				}
			}
		}
		if len(keep) == 0 {
			return false
		}
		set = keep
	}
	return true
}

// scriptOf is the Unicode Script property of r ("Unknown" for a code point
// no script holds).
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return "Latin"
		}
		return "Common"
	}
	// The likely scripts first; then every one.
	for _, name := range []string{"Latin", "Common", "Inherited", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul"} {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	for name, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return name
		}
	}
	return "Unknown"
}

var errPunycode = errors.New("invalid punycode")

// punyDecode decodes the part of a punycode label after "xn--" (RFC 3492).
func punyDecode(s string) (string, error) {
	const (
		base, tmin, tmax, skew, damp = 36, 1, 26, 38, 700
		initialBias, initialN        = 72, 128
	)
	var out []rune
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		for _, c := range s[:i] {
			if c >= utf8.RuneSelf {
				return "", errPunycode
			}
			out = append(out, c)
		}
		s = s[i+1:]
	}
	if s == "" {
		return "", errPunycode
	}
	adapt := func(delta, numPoints int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / numPoints
		k := 0
		for delta > ((base-tmin)*tmax)/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	n, bias, i := initialN, initialBias, 0
	for pos := 0; pos < len(s); {
		oldi, w := i, 1
		for k := base; ; k += base {
			if pos >= len(s) {
				return "", errPunycode
			}
			c := s[pos]
			pos++
			var digit int
			switch {
			case 'a' <= c && c <= 'z':
				digit = int(c - 'a')
			case 'A' <= c && c <= 'Z':
				digit = int(c - 'A')
			case '0' <= c && c <= '9':
				digit = int(c-'0') + 26
			default:
				return "", errPunycode
			}
			if digit > (1<<31-1-i)/w {
				return "", errPunycode
			}
			i += digit * w
			t := k - bias
			if t < tmin {
				t = tmin
			} else if t > tmax {
				t = tmax
			}
			if digit < t {
				break
			}
			if w > (1<<31-1)/(base-t) {
				return "", errPunycode
			}
			w *= base - t
		}
		bias = adapt(i-oldi, len(out)+1, oldi == 0)
		n += i / (len(out) + 1)
		i %= len(out) + 1
		if n > unicode.MaxRune || len(out) >= 63 {
			return "", errPunycode
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = rune(n)
		i++
	}
	return string(out), nil
}
