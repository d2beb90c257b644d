package store

import (
	"context"
	"fmt"

	"certlink/ent"
	"certlink/ent/migrate"
	"certlink/internal/counting"
	"certlink/internal/results"
)

// Migrate brings the schema up to date. ent's migration is additive: it creates
// missing tables, columns and indexes and never drops a column or a table, so an
// existing database is upgraded in place and keeps its data. (No Atlas CLI can be
// installed here to diff versioned files; see README "Database".)
func (d *DB) Migrate(ctx context.Context) error {
	// A database from before progress kept its counts (issue 13) gets them
	// computed once from its links and results.
	uncounted := !d.answers(ctx, "SELECT id FROM counting_tallies WHERE 1=0")
	// A database from before results carried their latest flag gets the column
	// with every row flagged; the flags are then set right once.
	flagless := d.answers(ctx, "SELECT id FROM results WHERE 1=0") && !d.answers(ctx, "SELECT latest FROM results WHERE 1=0")
	if err := d.Client.Schema.Create(ctx, migrate.WithDropColumn(false), migrate.WithDropIndex(false)); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	if flagless {
		if _, err := results.Repair(ctx, d.SQL); err != nil {
			return fmt.Errorf("migrating the schema: %w", err)
		}
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
	if uncounted {
		err := InTx(ctx, d.Client, func(tx *ent.Tx) error { return counting.Rebuild(ctx, tx.Client()) })
		if err != nil {
			return fmt.Errorf("migrating the schema: keeping progress counts: %w", err)
		}
	}
	return nil
}

// answers reports whether a query runs: whether the table and columns it reads exist.
func (d *DB) answers(ctx context.Context, query string) bool {
	rows, err := d.SQL.QueryContext(ctx, query)
	if err != nil {
		return false
	}
	return rows.Close() == nil
}
