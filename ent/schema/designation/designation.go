// Package designation holds the value types of the Solutions Partner scoring
// framework (solution areas, metrics, tracks) stored as JSON on ent's
// SolutionArea. It imports nothing, so the generated ent code can use it
// without an import cycle.
package designation

// Metric is one scored metric of a solution area, e.g. "Net customer adds":
// reaching its track's threshold gives Weight points, progress gives the
// proportional part.
type Metric struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// Category is PERFORMANCE, SKILLING or CUSTOMER_SUCCESS.
	Category string `json:"category"`
	// Source says where the value comes from: INGESTED (sent per organization
	// and month through the metric ingest), INTERMEDIATE_CERTIFICATIONS or
	// ADVANCED_CERTIFICATIONS (linked people holding one of the area's
	// intermediate or advanced skills, counted as competencies count them).
	Source string `json:"source"`
	// Unit names what the value counts, e.g. "customers", "USD"; free text.
	Unit   string `json:"unit,omitempty"`
	Weight int    `json:"weight"`
}

// Track is one way to qualify in an area, e.g. SMB or Enterprise: the same
// metrics with thresholds of its own. The best-scoring track counts.
type Track struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// Thresholds holds, per metric key, the value that gives the full weight.
	Thresholds map[string]float64 `json:"thresholds"`
}

// Categories, sources.
const (
	Performance     = "PERFORMANCE"
	Skilling        = "SKILLING"
	CustomerSuccess = "CUSTOMER_SUCCESS"

	Ingested                   = "INGESTED"
	IntermediateCertifications = "INTERMEDIATE_CERTIFICATIONS"
	AdvancedCertifications     = "ADVANCED_CERTIFICATIONS"
)

// Categories lists the categories in display order.
var Categories = []string{Performance, Skilling, CustomerSuccess}

// Sources lists the metric sources.
var Sources = []string{Ingested, IntermediateCertifications, AdvancedCertifications}
