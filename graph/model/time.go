package model

import (
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"certlink/internal/apperr"
	"certlink/internal/catalog"
)

// MarshalTime writes the Time scalar as RFC 3339 (null for the zero time).
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads the Time scalar: an RFC 3339 date and time, or a plain
// date ("2030-12-31"), which is that day's start in UTC — date-only arguments
// such as forecast(until:) take dates. The rule is catalog.ParseDate, the one
// the catalog file and the report's CSV filters read dates with.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.New(apperr.InvalidInput, "Write a date as a string, 2030-12-31, or a date and time, 2030-12-31T23:00:00Z.")
	}
	s = strings.TrimSpace(s)
	if t, err := catalog.ParseDate(s); err == nil {
		return t, nil
	}
	return time.Time{}, apperr.New(apperr.InvalidInput, "%q is not a date: write a date as 2030-12-31, or a date and time as 2030-12-31T23:00:00Z.", clip(s))
}

// clip keeps a quoted bad value short.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
