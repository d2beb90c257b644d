package store

import (
	"context"
	"fmt"

	"certlink/ent/migrate"
)

// Migrate brings the schema up to date. ent's migration is additive: it creates
// missing tables, columns and indexes and never drops a column or a table, so an
// existing database is upgraded in place and keeps its data. (No Atlas CLI can be
// installed here to diff versioned files; see README "Database".)
func (d *DB) Migrate(ctx context.Context) error {
	if err := d.Client.Schema.Create(ctx, migrate.WithDropColumn(false), migrate.WithDropIndex(false)); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	if d.Embedded {
		// ent gives the requirement_skills join table no index on skill_id.
		// MySQL makes one for its foreign key; SQLite does not, and without it
		// progress starts from the catalog and walks every organization's
		// results of each skill instead of the organization's own.
		if _, err := d.SQL.ExecContext(ctx, "CREATE INDEX IF NOT EXISTS requirement_skills_skill_id ON requirement_skills (skill_id, requirement_id)"); err != nil {
			return fmt.Errorf("migrating the schema: %w", err)
		}
	}
	return nil
}
