package model

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"certlink/internal/apperr"
)

// MarshalInt writes the Int scalar.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads the Int scalar as GraphQL defines it: a whole number of
// 32 bits, written as a number. gqlgen's own reads any 64-bit number, and a
// string of digits too: a review's first: 2147483648 and first: "3" passed
// where a partner tool's other GraphQL servers refuse them.
func UnmarshalInt(v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case json.Number:
		i, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, apperr.New(apperr.InvalidInput, "%s is not a whole number of 32 bits (an Int is -2147483648 to 2147483647).", clip(string(x)))
		}
		n = i
	case float64:
		if x != math.Trunc(x) || x < math.MinInt32 || x > math.MaxInt32 {
			return 0, apperr.New(apperr.InvalidInput, "%v is not a whole number of 32 bits (an Int is -2147483648 to 2147483647).", x)
		}
		n = int64(x)
	case string:
		return 0, apperr.New(apperr.InvalidInput, "An Int is written as a number, not a string (%q).", clip(x))
	default:
		return 0, apperr.New(apperr.InvalidInput, "An Int is a whole number of 32 bits, written as a number.")
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, apperr.New(apperr.InvalidInput, "%d is out of range: an Int is -2147483648 to 2147483647.", n)
	}
	return int(n), nil
}
