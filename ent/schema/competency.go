package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Competency is a catalog entry such as "Cloud Platform" (C1). Its levels are the
// level values of its options.
type Competency struct{ ent.Schema }

func (Competency) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Unique().NotEmpty().MaxLen(100),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.String("description").Default("").MaxLen(2000),
		field.Int("position").Default(0),
	}
}

func (Competency) Edges() []ent.Edge {
	return []ent.Edge{edge.To("options", CompetencyOption.Type).Annotations(entgql.Skip(entgql.SkipAll))}
}

func (Competency) Policy() ent.Policy { return readOpen() }

func (Competency) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}

// CompetencyOption is one way to attain a level of a competency, e.g. the Silver
// "Distributor option". Its requirements must all be met.
type CompetencyOption struct{ ent.Schema }

func (CompetencyOption) Fields() []ent.Field {
	return []ent.Field{
		field.Int("competency_id"),
		field.Enum("level").Values("SILVER", "GOLD"),
		field.String("name").NotEmpty().MaxLen(200),
		field.Int("position").Default(0),
	}
}

func (CompetencyOption) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("competency", Competency.Type).Ref("options").Field("competency_id").Unique().Required(),
		edge.To("requirements", Requirement.Type),
	}
}

func (CompetencyOption) Indexes() []ent.Index {
	return []ent.Index{index.Fields("competency_id", "level", "name").Unique()}
}

func (CompetencyOption) Policy() ent.Policy { return readOpen() }

func (CompetencyOption) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Requirement is one condition of an option (C2): SKILL — at least `required`
// distinct linked people each holding a valid skill of the set; ATTESTED — met
// when an admin says so, with a note.
type Requirement struct{ ent.Schema }

func (Requirement) Fields() []ent.Field {
	return []ent.Field{
		field.Int("option_id"),
		field.String("key").NotEmpty().MaxLen(100),
		field.Enum("kind").Values("SKILL", "ATTESTED"),
		field.String("description").NotEmpty().MaxLen(500),
		field.Int("required").Default(1).NonNegative(),
		field.Int("position").Default(0),
	}
}

func (Requirement) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("option", CompetencyOption.Type).Ref("requirements").Field("option_id").Unique().Required(),
		edge.To("skills", Skill.Type),
	}
}

func (Requirement) Indexes() []ent.Index {
	return []ent.Index{index.Fields("option_id", "key").Unique()}
}

func (Requirement) Policy() ent.Policy { return readOpen() }

func (Requirement) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
