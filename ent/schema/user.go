package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/privacy"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// User is a work account. It belongs to exactly one organization, except OPERATOR
// accounts, which are platform staff and belong to none.
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Unique().NotEmpty().MaxLen(254).
			Annotations(entgql.OrderField("EMAIL")),
		field.String("name").NotEmpty().MaxRuneLen(200).
			Annotations(entgql.OrderField("NAME")),
		field.String("password_hash").Sensitive().Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
		// Roles are the U1 role names; checked by internal/auth, rendered by graph.
		field.Strings("roles").Default([]string{}).
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("must_change_password").Default(false),
		// The hash of the last temporary password an invitation sent (U2),
		// kept after the user chooses their own: it was mailed in clear, so
		// changePassword never accepts it as a new password.
		field.String("issued_password_hash").Sensitive().Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("organization_id").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		// Set when an admin deletes the work account (L9): the row stays for history.
		field.Time("deleted_at").SchemaType(mysqlTime).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("oidc_subject").Optional().Nillable().Unique().
			Annotations(entgql.Skip(entgql.SkipAll)),
		// Bumped first thing by every transaction that adds something for this
		// account which a change ending the account's sessions or the account
		// itself must see: a session (account.OpenSession), a link
		// (linking's associate). The write takes the row lock on this node —
		// the session-ending changes and deleteUser write or lock the same row
		// in the transaction that ends the sessions and links, so one of the
		// two runs wholly after the other — and on a Galera cluster it puts the
		// row in the write set, so two such transactions on different nodes
		// conflict at commit and one is retried from the start.
		field.Int64("lock_version").Default(0).
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		// No hasOrganization/hasOrganizationWith filter: see Organization.Annotations.
		edge.From("organization", Organization.Type).Ref("users").Field("organization_id").Unique().
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("associations", Association.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (User) Indexes() []ent.Index {
	return []ent.Index{
		// The skills report reads an organization's people in name order
		// from here: no sort of the whole report.
		index.Fields("organization_id", "deleted_at", "name"),
	}
}

func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.ContextQueryMutationRule(allowSystem), liveOnly(), userFilter()},
		Mutation: privacy.MutationPolicy{privacy.ContextQueryMutationRule(allowSystem), privacy.AlwaysDenyRule()},
	}
}

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
