package model

import (
	"time"

	"certlink/ent"
	"certlink/internal/progress"
)

// RequirementProgress is bound by hand (gqlgen.yml) so that its people and
// history resolvers know the organization and moment it was computed for.
type RequirementProgress struct {
	ID          int
	Key         string
	Description string
	Kind        RequirementKind
	Required    int
	Current     int
	Met         bool
	UnmetOn     *time.Time
	Attestation *ent.Attestation
	Skills      []*ent.Skill

	OrgID int
	At    time.Time
	// PeopleIDs, when not nil, are who counts, read with a what-if's progress.
	PeopleIDs []int
	// Pages, when not nil, are pages of people read with the progress.
	Pages map[progress.PageAsk]*progress.PeoplePage
}
