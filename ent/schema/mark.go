package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// SchemaMark records a one-off data migration that has run on this database
// (store.Migrate): a change of rule that needs the stored rows set right once,
// not at every start.
type SchemaMark struct{ ent.Schema }

func (SchemaMark) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").MaxLen(100).Unique().Immutable(),
		field.Time("applied_at").SchemaType(mysqlTime).Default(time.Now).Immutable(),
	}
}
func (SchemaMark) Policy() ent.Policy { return systemOnly() }
func (SchemaMark) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
