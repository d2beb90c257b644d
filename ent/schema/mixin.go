package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// CreatedAt stamps every row with the moment it was written; it is never updated.
type CreatedAt struct{ mixin.Schema }

func (CreatedAt) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").SchemaType(mysqlTime).Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}
