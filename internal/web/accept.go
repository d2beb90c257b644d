package web

import "strings"

// Accepts reports whether an Accept-Encoding header accepts the coding: named
// (or by *) with a quality above zero (RFC 9110, 12.5.3).
func Accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				q = parseQ(strings.TrimSpace(v))
			}
		}
		switch name {
		case coding:
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}

// parseQ reads a qvalue ("0", "0.5", "1.000"); a malformed one counts as 0.
func parseQ(v string) float64 {
	if v == "" || len(v) > 5 {
		return 0
	}
	whole, frac, _ := strings.Cut(v, ".")
	if whole != "0" && whole != "1" {
		return 0
	}
	q := float64(whole[0] - '0')
	scale := 0.1
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0
		}
		q += float64(c-'0') * scale
		scale /= 10
	}
	if q > 1 {
		return 0
	}
	return q
}
