package linking_test

import (
	"certlink/ent/predicate"
	"certlink/ent/profile"
)

func profileMcid(mcid string) predicate.Profile { return profile.Mcid(mcid) }
