package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// DirectoryAccount is a sign-in of the built-in certification directory (the
// "Learning account" / Partner University sign-in). One sign-in may own both a
// Learning profile and a Partner University profile: that is what L4's "use the
// same credentials" relies on.
type DirectoryAccount struct{ ent.Schema }

func (DirectoryAccount) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (DirectoryAccount) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Unique().NotEmpty().MaxLen(254),
		field.String("name").NotEmpty().MaxLen(200),
		field.String("password_hash").Sensitive().Optional(),
		field.String("oidc_subject").Optional().Nillable().Unique(),
	}
}

func (DirectoryAccount) Edges() []ent.Edge {
	return []ent.Edge{edge.To("profiles", Profile.Type)}
}

func (DirectoryAccount) Policy() ent.Policy { return systemOnly() }

func (DirectoryAccount) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Profile is a certification profile: a Learning profile with its MCID (exams and
// certifications) or a Partner University profile (assessments).
type Profile struct{ ent.Schema }

func (Profile) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (Profile) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("LEARNING", "PARTNER_UNIVERSITY"),
		// The MCID; Partner University profiles carry a directory number too so
		// every profile can be named in reports and history.
		field.String("mcid").Unique().NotEmpty().Match(mcidPattern),
		field.Int("account_id"),
		// Set when an operator merged this profile into another (U4).
		field.Int("merged_into_id").Optional().Nillable(),
		// Bumped first thing by every transaction that starts or ends a link of
		// this profile (linking.LockProfiles): the write takes the row lock on
		// this node, and on a Galera cluster — where SELECT … FOR UPDATE locks
		// one node only — it makes two such transactions on different nodes
		// conflict at commit, so one of them is retried from the start.
		field.Int64("lock_version").Default(0),
		// Bumped by every MCID merge into this profile (merge.Merge). One person
		// is every directory account MCID merges joined (linking.ReadPerson); a
		// transaction that read the person before it began holds each of its
		// live profiles with the version it read, so a merge that joined
		// another account to the person meanwhile makes it start over.
		field.Int64("merge_version").Default(0),
	}
}

func (Profile) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", DirectoryAccount.Type).Ref("profiles").Field("account_id").Unique().Required(),
		edge.To("results", Result.Type),
		edge.To("associations", Association.Type),
	}
}

func (Profile) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "kind").Unique(),
		// The profiles merged into one (linking.ReadPerson follows merges both ways).
		index.Fields("merged_into_id"),
	}
}

func (Profile) Policy() ent.Policy { return systemOnly() }

func (Profile) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
