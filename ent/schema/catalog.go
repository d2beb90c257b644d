package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// CatalogRevision records each catalog load (C1): the start-up file or an
// operator's edit. Start-up applies a file only when its digest differs from the
// last file applied, so an operator's edits survive restarts until the file
// itself changes.
type CatalogRevision struct{ ent.Schema }

func (CatalogRevision) Fields() []ent.Field {
	return []ent.Field{
		// "file:<path>", "shipped" or "operator".
		field.String("source").NotEmpty().MaxLen(500),
		field.String("digest").NotEmpty().MaxLen(64),
		field.Int("by_user_id").Optional().Nillable(),
		field.String("summary").Default("").MaxLen(2000),
		field.Time("applied_at").SchemaType(mysqlTime).Default(time.Now).Immutable(),
	}
}

func (CatalogRevision) Indexes() []ent.Index {
	return []ent.Index{index.Fields("applied_at")}
}

func (CatalogRevision) Policy() ent.Policy { return systemOnly() }

func (CatalogRevision) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
