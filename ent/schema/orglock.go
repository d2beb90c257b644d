package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// OrganizationLock is the row that changes of one organization's accounts,
// attestations and offer purchases write first (store.HoldOrganization), so
// they take turns — on a Galera cluster too, where a write to one row
// conflicts across nodes and a SELECT … FOR UPDATE does not. It is not the
// organization's own row: every link, audit event or kept count inserted for
// the organization reads that row (its foreign key's shared lock), and a
// cluster node applying them aborted an invitation that held it (review: 24
// of 96 invitations refused CONFLICT under link traffic). Nothing references
// this one.
type OrganizationLock struct{ ent.Schema }

func (OrganizationLock) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Unique().Immutable(),
		field.Int64("version").Default(0),
	}
}
func (OrganizationLock) Policy() ent.Policy { return systemOnly() }
func (OrganizationLock) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
