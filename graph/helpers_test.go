package graph_test

import (
	"net/url"

	"certlink/ent/predicate"
	"certlink/ent/profile"
)

func mcidIs(m string) predicate.Profile { return profile.Mcid(m) }

func urlq(q string) string { return url.QueryEscape(q) }
