package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"certlink/ent/schema/designation"
)

// SolutionArea is an entry of the third catalog kind: a Solutions Partner
// solution area scored by the partner capability score, e.g. "Infrastructure
// (Azure)" — metrics with weights in three categories, tracks with thresholds,
// and the skills that count as intermediate or advanced certifications
// (catalog/README.md).
type SolutionArea struct{ ent.Schema }

func (SolutionArea) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Unique().NotEmpty().MaxLen(100),
		field.String("name").NotEmpty().MaxLen(200),
		field.String("description").Default("").MaxLen(2000),
		field.Int("position").Default(0),
		field.JSON("intermediate_skills", []string{}),
		field.JSON("advanced_skills", []string{}),
		field.JSON("metrics", []designation.Metric{}),
		field.JSON("tracks", []designation.Track{}),
	}
}

func (SolutionArea) Policy() ent.Policy { return readOpen() }

func (SolutionArea) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// MetricValue is an ingested metric of an organization for one calendar month
// (e.g. net customer adds, usage growth), sent by a provider. One row per
// (organization, area, metric, month): re-sending updates it in place.
type MetricValue struct{ ent.Schema }

func (MetricValue) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.String("area_key").NotEmpty().MaxLen(100),
		field.String("metric_key").NotEmpty().MaxLen(100),
		// Month is "YYYY-MM": sortable, no time zone to get wrong.
		field.String("month").MaxLen(7).MinLen(7),
		field.Float("value"),
		field.String("source").Default("").MaxLen(100),
		field.Time("recorded_at").SchemaType(mysqlTime).Default(time.Now),
	}
}

func (MetricValue) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "area_key", "metric_key", "month").Unique()}
}

func (MetricValue) Policy() ent.Policy { return systemOnly() }

func (MetricValue) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// QualificationDay is the daily record of an organization's qualification in
// one solution area, written by the periodic job: the qualification window
// ("qualified on at least one day") is answered from these rows. A day once
// recorded qualified stays qualified.
type QualificationDay struct{ ent.Schema }

func (QualificationDay) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.String("area_key").NotEmpty().MaxLen(100),
		// Day is "YYYY-MM-DD" (UTC).
		field.String("day").MaxLen(10).MinLen(10),
		field.Bool("qualified"),
		// Score is the best score seen that day, of track TrackKey.
		field.Float("score"),
		field.String("track_key").Default("").MaxLen(100),
		field.String("reason").Default("").MaxLen(500),
		field.Time("recorded_at").SchemaType(mysqlTime).Default(time.Now),
	}
}

func (QualificationDay) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "area_key", "day").Unique()}
}

func (QualificationDay) Policy() ent.Policy { return systemOnly() }

func (QualificationDay) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
