package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ThrottleBucket is one leaky bucket every certlink process on the database
// shares (A4): a password-attempt bucket (a rule and its key: an email, an
// address, a pair…) or a caller's API points. Level is what the bucket held
// at UpdatedAt (failures, or points spent); it leaks at the rule's rate from
// then. InFlight counts the attempts reserved and not settled yet, whatever
// process tests them; InFlightUntil is the latest deadline among them, past
// which they count no more (a process that died while testing one does not
// hold the bucket). The key is stored as a SHA-256: no email or address in
// clear. ExpiresAt is when the bucket will be empty; rows past it are deleted.
type ThrottleBucket struct{ ent.Schema }

func (ThrottleBucket) Fields() []ent.Field {
	return []ent.Field{
		field.String("rule").NotEmpty().MaxLen(64).Immutable(),
		field.String("key_hash").NotEmpty().MaxLen(64).Immutable(),
		field.Float("level").Default(0),
		field.Int("in_flight").Default(0).NonNegative(),
		field.Time("in_flight_until").SchemaType(mysqlTime).Optional().Nillable(),
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
