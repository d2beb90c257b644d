package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// CountingSpan is kept progress state (issue 13, internal/counting): one row per
// (organization, SKILL requirement, person) while the person, linked to the
// organization and not deleted, holds a result of a skill the requirement
// lists. EndsAt is the latest moment any of those results stops counting (its
// expiry or its skill's validity end, the earlier of the two); nil is never.
// The person counts at a moment t when ends_at is nil or after t: time passing
// needs no writer. Every writer that changes who counts refreshes the rows of
// the people it touches inside its own transaction (ent hooks).
type CountingSpan struct{ ent.Schema }

func (CountingSpan) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("requirement_id"),
		field.Int("user_id"),
		// Name is the person's name, kept so that the people of a requirement
		// page in name order from an index.
		field.String("name").Default(""),
		field.Time("ends_at").SchemaType(mysqlTime).Optional().Nillable(),
	}
}
func (CountingSpan) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "requirement_id", "user_id").Unique(),
		index.Fields("organization_id", "requirement_id", "ends_at"),
		index.Fields("organization_id", "requirement_id", "name", "user_id"),
		index.Fields("user_id"),
	}
}
func (CountingSpan) Policy() ent.Policy { return systemOnly() }
func (CountingSpan) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// CountingTally is kept progress state per (organization, SKILL requirement):
// Forever people count without end; FiniteAfter people have a finite until
// later than SettledAt. The count at t ≥ SettledAt is Forever + FiniteAfter
// minus the spans whose until lies in (SettledAt, t] — the people who lapsed
// since — and a reader moves SettledAt forward when that range grows, so a
// read costs what happened since, not the organization's size. Version changes
// with every write, so a settling reader never overwrites a writer's delta.
type CountingTally struct{ ent.Schema }

func (CountingTally) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("requirement_id"),
		field.Int("forever").Default(0),
		field.Int("finite_after").Default(0),
		field.Time("settled_at").SchemaType(mysqlTime).Default(func() time.Time { return time.Unix(0, 0).UTC() }),
		field.Int64("version").Default(0),
	}
}
func (CountingTally) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "requirement_id").Unique()}
}
func (CountingTally) Policy() ent.Policy { return systemOnly() }
func (CountingTally) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// AreaSpan is kept designation state (issue 15, internal/counting): one row per
// (organization, solution area's skilling level, person) while the person,
// linked to the organization and not deleted, holds a result of one of the
// area's intermediate (or advanced) certifications. AreaLevel is the area's id
// × 2, plus 1 for advanced. EndsAt is the latest moment any of those results
// stops counting (nil: never) and Skill the certification that gives it (the
// lowest number among ties). Kept by the same writers, in the same
// transactions, as CountingSpan.
type AreaSpan struct{ ent.Schema }

func (AreaSpan) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("area_level"),
		field.Int("user_id"),
		// Name is the person's name: a metric's people page in name order.
		field.String("name").Default(""),
		field.String("skill").Default(""),
		field.Time("ends_at").SchemaType(mysqlTime).Optional().Nillable(),
	}
}
func (AreaSpan) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "area_level", "user_id").Unique(),
		index.Fields("organization_id", "area_level", "ends_at"),
		index.Fields("organization_id", "area_level", "name", "user_id"),
		index.Fields("user_id"),
	}
}
func (AreaSpan) Policy() ent.Policy { return systemOnly() }
func (AreaSpan) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// AreaTally is CountingTally's counterpart for AreaSpan, per (organization,
// area level): the count at t ≥ SettledAt is Forever + FiniteAfter minus the
// spans whose end lies in (SettledAt, t].
type AreaTally struct{ ent.Schema }

func (AreaTally) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("area_level"),
		field.Int("forever").Default(0),
		field.Int("finite_after").Default(0),
		field.Time("settled_at").SchemaType(mysqlTime).Default(func() time.Time { return time.Unix(0, 0).UTC() }),
		field.Int64("version").Default(0),
	}
}
func (AreaTally) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "area_level").Unique()}
}
func (AreaTally) Policy() ent.Policy { return systemOnly() }
func (AreaTally) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
