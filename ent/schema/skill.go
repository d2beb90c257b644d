package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Skill is an exam, certification or assessment of the catalog (C1). A retired
// skill still counts until valid_until (C3).
type Skill struct{ ent.Schema }

func (Skill) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Unique().NotEmpty().MaxLen(64).
			Annotations(entgql.OrderField("NUMBER")),
		field.String("title").NotEmpty().MaxLen(300),
		field.Enum("type").Values("EXAM", "CERTIFICATION", "ASSESSMENT").
			Annotations(entgql.Type("SkillType")),
		field.Time("retired_on").SchemaType(mysqlTime).Optional().Nillable(),
		field.Time("valid_until").SchemaType(mysqlTime).Optional().Nillable(),
	}
}

func (Skill) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("results", Result.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("requirements", Requirement.Type).Ref("skills").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Skill) Policy() ent.Policy { return readOpen() }

func (Skill) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput),
	}
}

// Result is one exam pass, certification or assessment held by a profile (L10).
type Result struct{ ent.Schema }

func (Result) Fields() []ent.Field {
	return []ent.Field{
		field.Int("profile_id"),
		field.Int("skill_id"),
		field.Time("completed_at").SchemaType(mysqlTime),
		field.Time("expires_at").SchemaType(mysqlTime).Optional().Nillable(),
		// Where the result came from: "directory", "ingest:<token name>", "demo"...
		field.String("source").MaxLen(100),
		field.Time("recognized_at").SchemaType(mysqlTime).Default(time.Now),
		// The one result of its skill by its profile that the skills report
		// shows (S1): the one holding the skill the longest (results.Better;
		// it was the latest completion before, hence the name). Kept by
		// package results wherever results or skills' validity ends are
		// written, so that reading the report needs no search per row.
		field.Bool("latest").Default(true),
	}
}

func (Result) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("profile", Profile.Type).Ref("results").Field("profile_id").Unique().Required(),
		edge.From("skill", Skill.Type).Ref("results").Field("skill_id").Unique().Required(),
	}
}

func (Result) Indexes() []ent.Index {
	return []ent.Index{
		// Re-sending the same result changes nothing (L10 idempotent ingest).
		index.Fields("profile_id", "skill_id", "completed_at").Unique(),
		index.Fields("skill_id"),
	}
}

func (Result) Policy() ent.Policy { return systemOnly() }

func (Result) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
