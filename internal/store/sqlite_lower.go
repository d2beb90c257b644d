package store

import (
	"database/sql/driver"
	"strconv"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's own lower() folds ASCII letters only, so a search for "émile"
// found "Émile" on MariaDB (its collation folds every letter) and nothing on
// SQLite. lower() is replaced, for every SQLite connection of the process,
// by Go's Unicode case folding: the skills report's search and ent's
// …ContainsFold / …EqualFold filters read the same on both databases. No
// index is built on lower(), so nothing stored depends on the old one.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case nil:
			return nil, nil
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		case int64:
			return strconv.FormatInt(v, 10), nil
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64), nil
		default:
			return v, nil
		}
	})
}
