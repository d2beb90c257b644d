package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// InstanceKey is a secret this installation makes once and every process of
// it shares, such as the key its API IDs are encrypted with (internal/gid).
type InstanceKey struct{ ent.Schema }

func (InstanceKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").MaxLen(100).Unique().Immutable(),
		field.Bytes("key").MaxLen(64).Sensitive().Immutable(),
		field.Time("created_at").SchemaType(mysqlTime).Default(time.Now).Immutable(),
	}
}
func (InstanceKey) Policy() ent.Policy { return systemOnly() }
func (InstanceKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
