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

// Association links a certification profile to a work account and so to that
// account's organization. Ending a link sets ended_at; rows are never deleted.
//
// L5 is held by the database: active_profile_id equals profile_id while the link
// is active and is NULL once it ends, under a unique index. NULLs never collide
// (SQLite, MySQL and MariaDB agree), so at most one active link per profile can
// exist, whatever the code above does. active_user_slot does the same for "one
// Learning and one Partner University link per work account".
type Association struct{ ent.Schema }

func (Association) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("LEARNING", "PARTNER_UNIVERSITY"),
		field.Int("profile_id"),
		field.Int("user_id"),
		field.Int("organization_id"),
		field.Time("started_at").SchemaType(mysqlTime).Default(time.Now).Immutable(),
		field.Time("ended_at").SchemaType(mysqlTime).Optional().Nillable(),
		field.Enum("end_reason").Optional().Nillable().
			Values("REMOVED", "MOVED", "USER_DELETED", "REPORT_REMOVED", "MERGED", "OTHER_ACCOUNT_LINKED"),
		field.Int("active_profile_id").Optional().Nillable().Unique(),
		field.String("active_user_slot").Optional().Nillable().Unique(),
		// False for a link that moved here through an MCID merge (U4): it was not a
		// new association by the person, so it uses no L6 quota.
		field.Bool("counts_quota").Default(true),
	}
}

func (Association) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("profile", Profile.Type).Ref("associations").Field("profile_id").Unique().Required(),
		edge.From("user", User.Type).Ref("associations").Field("user_id").Unique().Required(),
		edge.From("organization", Organization.Type).Ref("associations").Field("organization_id").Unique().Required(),
	}
}

func (Association) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "ended_at"),
		index.Fields("profile_id", "started_at"),
		// The skills report walks an organization's people by name and
		// finds each one's active link here.
		index.Fields("user_id", "ended_at"),
	}
}

func (Association) Policy() ent.Policy { return systemOnly() }

func (Association) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
