package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Attestation records an admin marking an ATTESTED requirement met or unmet (C2).
// Rows are appended; the newest per (organization, requirement) is in force.
type Attestation struct{ ent.Schema }

func (Attestation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("requirement_id"),
		field.Bool("met"),
		field.String("note").Default("").MaxRuneLen(2000),
		field.Int("by_user_id"),
		field.Time("at").SchemaType(mysqlTime).Default(time.Now).Immutable(),
	}
}
func (Attestation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "requirement_id", "at")}
}
func (Attestation) Policy() ent.Policy { return systemOnly() }
func (Attestation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// OfferPurchase is a purchased competency offer (C6): the competency is ACTIVE
// until its anniversary.
type OfferPurchase struct{ ent.Schema }

func (OfferPurchase) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("competency_id"),
		field.Int("option_id"),
		field.Int("by_user_id"),
		field.Time("purchased_at").SchemaType(mysqlTime).Default(time.Now).Immutable(),
		field.Time("anniversary_at").SchemaType(mysqlTime),
	}
}
func (OfferPurchase) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "competency_id", "purchased_at")}
}
func (OfferPurchase) Policy() ent.Policy { return systemOnly() }
func (OfferPurchase) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// LegacyRecognition is a profile the organization is credited with through the
// old proficiency path, without an association in certlink (S3). Such people are
// flagged "needs association" in the skills report.
type LegacyRecognition struct{ ent.Schema }

func (LegacyRecognition) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("profile_id"),
		field.Time("recognized_at").SchemaType(mysqlTime).Default(time.Now),
	}
}
func (LegacyRecognition) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "profile_id").Unique()}
}
func (LegacyRecognition) Policy() ent.Policy { return systemOnly() }
func (LegacyRecognition) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
