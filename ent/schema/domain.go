package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Domain is an email domain an organization proved it controls, recorded by an
// operator (platform staff check e.g. a DNS record). An organization's work
// accounts have addresses in its verified domains only, and a domain belongs
// to one organization at most (the unique name): no organization's admins can
// create accounts that claim another organization's people.
type Domain struct{ ent.Schema }

func (Domain) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (Domain) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Unique().NotEmpty().MaxLen(253),
		field.Int("organization_id"),
		// The operator who recorded it.
		field.Int("verified_by").Optional().Nillable(),
	}
}

func (Domain) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("domains").Field("organization_id").Unique().Required(),
	}
}

func (Domain) Policy() ent.Policy { return orgScoped("organization_id") }

func (Domain) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
