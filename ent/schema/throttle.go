package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ThrottleBucket is one leaky bucket shared by every certlink process on the
// database (A4): the password-attempt buckets (a rule and its key: an email,
// an address, a pair…) and the API points of a caller. Level is what the
// bucket held at UpdatedAt; it leaks at the rule's rate from then. The key is
// stored as a SHA-256 (no email or address in clear). ExpiresAt is when the
// bucket will be empty: past it the row is deleted.
type ThrottleBucket struct{ ent.Schema }

func (ThrottleBucket) Fields() []ent.Field {
	return []ent.Field{
		field.String("rule").NotEmpty().MaxLen(64).Immutable(),
		field.String("key_hash").NotEmpty().MaxLen(64).Immutable(),
		field.Float("level").Default(0),
		field.Time("updated_at").SchemaType(mysqlTime),
		field.Time("expires_at").SchemaType(mysqlTime),
	}
}

func (ThrottleBucket) Indexes() []ent.Index {
	return []ent.Index{index.Fields("rule", "key_hash").Unique(), index.Fields("expires_at")}
}
func (ThrottleBucket) Policy() ent.Policy { return systemOnly() }
func (ThrottleBucket) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
