package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"certlink/ent/schema/skilling"
)

// CapabilityArea is an entry of the second catalog kind: the successor
// program's Skilling metric, e.g. "Azure Infrastructure" — points per certified
// person, given only once the prerequisites are met, capped at MaxPoints. Its
// prerequisites and rules are small lists kept with the area (catalog/README.md).
type CapabilityArea struct{ ent.Schema }

func (CapabilityArea) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Unique().NotEmpty().MaxLen(100),
		field.String("name").NotEmpty().MaxLen(200),
		field.String("description").Default("").MaxLen(2000),
		field.Int("max_points"),
		field.Int("position").Default(0),
		field.JSON("prerequisites", []skilling.Prerequisite{}),
		field.JSON("rules", []skilling.Rule{}),
	}
}

func (CapabilityArea) Policy() ent.Policy { return readOpen() }

func (CapabilityArea) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
