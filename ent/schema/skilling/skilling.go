// Package skilling holds the value types of capability areas (the Skilling
// metric) stored as JSON on ent's CapabilityArea. It imports nothing, so the
// generated ent code can use it without an import cycle.
package skilling

// Prerequisite must hold before an area scores: People distinct people of the
// organization holding one of Skills.
type Prerequisite struct {
	Key         string   `json:"key"`
	Description string   `json:"description"`
	People      int      `json:"people"`
	Skills      []string `json:"skills"`
}

// Rule gives PointsPerPerson for each distinct person holding one of Skills,
// at most MaxPoints (0: no cap of its own).
type Rule struct {
	Key             string   `json:"key"`
	Description     string   `json:"description"`
	Tier            string   `json:"tier"` // INTERMEDIATE or ADVANCED
	PointsPerPerson int      `json:"pointsPerPerson"`
	MaxPoints       int      `json:"maxPoints,omitempty"`
	Skills          []string `json:"skills"`
}

// Tiers a rule may have.
const (
	Intermediate = "INTERMEDIATE"
	Advanced     = "ADVANCED"
)
