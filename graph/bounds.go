package graph

import (
	"context"
	"math"
	"reflect"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"certlink/internal/apperr"
)

// MaxPage is the largest page a connection serves (A1, as GitHub's API).
const MaxPage = 100

// ConnectionBounds refuses first/last outside 0..100 on every field, before the
// resolver runs, and a page asked both ways (first or after with last or
// before); a connection asked with neither first nor last gets a page of 100
// (the last 100 before a before cursor), so no connection can be asked for an
// unbounded page. A cursor (after,
// before) names a row id, which is positive: one that decodes to another
// (an id past 2^63 wraps to a negative number), or whose ordering value is
// not one value (a map or a list reached the database driver: INTERNAL), or
// not a finite number, is not a cursor this API gave.
func ConnectionBounds(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc != nil && fc.Args != nil {
		if _, ok := fc.Args["first"]; ok {
			given := func(name string) bool {
				switch v := fc.Args[name].(type) {
				case *int:
					return v != nil
				case *entgql.Cursor[int]:
					return v != nil
				}
				return false
			}
			// A page runs one way: forward (first, after) or backward (last,
			// before). entgql's pagination answered the mixed ones wrongly
			// (first with before gave the rows after the cursor, last with
			// after none), so they are refused.
			forward, backward := given("first") || given("after"), given("last") || given("before")
			if forward && backward {
				return nil, apperr.New(apperr.InvalidInput, "Page forward with first and after, or backward with last and before, not both ways at once.").With("argument", "before")
			}
			if !given("first") && !given("last") {
				n := MaxPage
				if backward {
					fc.Args["last"] = &n
				} else {
					fc.Args["first"] = &n
				}
			}
		}
		for _, name := range []string{"first", "last"} {
			if n, ok := fc.Args[name].(*int); ok && n != nil && (*n < 0 || *n > MaxPage) {
				return nil, apperr.New(apperr.InvalidInput, "%s must be between 0 and %d.", name, MaxPage).With("argument", name)
			}
		}
		for _, name := range []string{"after", "before"} {
			if c, ok := fc.Args[name].(*entgql.Cursor[int]); ok && c != nil && (c.ID <= 0 || !cursorValue(c.Value)) {
				return nil, apperr.New(apperr.InvalidInput, "The %s cursor is not one this API gave: take it from a page's edges or pageInfo.", name).With("argument", name)
			}
		}
		if w, ok := fc.Args["where"]; ok {
			if name := idOrder(reflect.ValueOf(w), 0); name != "" {
				return nil, apperr.New(apperr.InvalidInput, "IDs have no order: %s cannot be used (filter by id or idIn, or by createdAt).", name).With("argument", "where")
			}
		}
	}
	return next(ctx)
}

// idOrder names an id range predicate (idGT, idGTE, idLT, idLTE) set anywhere
// in a where filter, its not, and, or and edge filters included. An API id is
// an encrypted row number with no order of its own; compared as a bound it
// placed another organization's row (its id given as idGT) among one's own,
// telling their creation order (review).
func idOrder(v reflect.Value, depth int) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if depth > 32 {
		return ""
	}
	switch v.Kind() {
	case reflect.Slice:
		for i := range v.Len() {
			if name := idOrder(v.Index(i), depth+1); name != "" {
				return name
			}
		}
	case reflect.Struct:
		t := v.Type()
		if !strings.HasSuffix(t.Name(), "WhereInput") {
			return ""
		}
		for i := range t.NumField() {
			f := t.Field(i)
			switch f.Name {
			case "IDGT", "IDGTE", "IDLT", "IDLTE":
				if !v.Field(i).IsNil() {
					return "id" + strings.TrimPrefix(f.Name, "ID")
				}
				continue
			}
			if k := f.Type.Kind(); k == reflect.Pointer || k == reflect.Slice {
				if name := idOrder(v.Field(i), depth+1); name != "" {
					return name
				}
			}
		}
	}
	return ""
}

// cursorValue reports whether v can be the ordering value of a cursor this
// API gave: none, a string, a finite number or a moment.
func cursorValue(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, time.Time:
		return true
	case float32:
		return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0)
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}
