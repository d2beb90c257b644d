package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Organization is a partner organization, identified by its MPN ID.
type Organization struct{ ent.Schema }

func (Organization) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (Organization) Fields() []ent.Field {
	return []ent.Field{
		// Rendered as mpnId by graph (entgql would spell it mpnID).
		field.String("mpn_id").Unique().NotEmpty().MaxLen(7).
			Match(mpnIDPattern).
			Annotations(entgql.OrderField("MPN_ID"), entgql.Skip(entgql.SkipType)),
		field.String("name").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("NAME")),
	}
}

func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		// Served by graph's own resolver (Organization.users in
		// identity.graphqls), not entgql's edge: entgql loads a paginated edge
		// ahead (node, nodes, nested lists) from the query's literal
		// arguments, so a page asked without first ran unbounded and a
		// before cursor alone gave the rows after it.
		edge.To("users", User.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("associations", Association.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("domains", Domain.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Organization) Policy() ent.Policy { return orgScoped("id") }

// No OrganizationWhereInput: ent's edge predicates (hasUsersWith …) run as SQL
// subqueries that no privacy rule sees, so a filter reaching through an
// organization to its people would answer questions about rows the caller may
// not read (issue 11 item 10). Filters stay on the rows a connection returns.
func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
