package schema

import (
	"regexp"

	"entgo.io/ent/dialect"
)

var (
	mpnIDPattern = regexp.MustCompile(`^[0-9]{7}$`)
	mcidPattern  = regexp.MustCompile(`^[0-9]{4,12}$`)
)

// mysqlTime makes time columns hold microseconds and dates past 2038 on
// MySQL/MariaDB (ent's default there is TIMESTAMP, which holds neither).
var mysqlTime = map[string]string{dialect.MySQL: "datetime(6)"}
