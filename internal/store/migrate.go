package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	atlasmysql "ariga.io/atlas/sql/mysql"
	atlas "ariga.io/atlas/sql/schema"
	entschema "entgo.io/ent/dialect/sql/schema"
	"github.com/go-sql-driver/mysql"

	"certlink/ent"
	"certlink/ent/migrate"
	"certlink/ent/schemamark"
	"certlink/internal/counting"
	"certlink/internal/history"
	"certlink/internal/results"
	"certlink/internal/viewer"
)

// migrateOptions: additive only, and blind to MariaDB's own spelling of a
// unique index on a BLOB column.
func migrateOptions() []entschema.MigrateOption {
	return []entschema.MigrateOption{migrate.WithDropColumn(false), migrate.WithDropIndex(false),
		entschema.WithDiffHook(ignoreLongUniqueHash)}
}

// ignoreLongUniqueHash drops a spurious change from the diff. MariaDB keeps a
// unique index on a BLOB column as a "long unique" index USING HASH (which
// enforces uniqueness but answers no look-up); the wanted schema names no
// index type, so the diff saw the index as changed at every start and ran
// DROP INDEX then ADD UNIQUE INDEX — two cluster-wide pauses on Galera, and no
// uniqueness between them. An index whose only difference is that HASH is the
// same index. tokens.secret_hash, once such a BLOB, is a varbinary(32) now:
// the migration's MODIFY COLUMN turns its index into a B-tree in place.
func ignoreLongUniqueHash(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		changes, err := next.Diff(current, desired)
		if err != nil {
			return nil, err
		}
		out := changes[:0]
		for _, c := range changes {
			if m, ok := c.(*atlas.ModifyTable); ok {
				kept := m.Changes[:0]
				for _, tc := range m.Changes {
					if mi, ok := tc.(*atlas.ModifyIndex); ok && sameIndexButHash(mi) {
						continue
					}
					kept = append(kept, tc)
				}
				if m.Changes = kept; len(kept) == 0 {
					continue
				}
			}
			out = append(out, c)
		}
		return out, nil
	})
}

func sameIndexButHash(mi *atlas.ModifyIndex) bool {
	from, to := mi.From, mi.To
	if mi.Change != atlas.ChangeAttr || from.Unique != to.Unique || len(from.Parts) != len(to.Parts) {
		return false
	}
	for i := range from.Parts {
		f, t := from.Parts[i], to.Parts[i]
		if f.C == nil || t.C == nil || f.C.Name != t.C.Name || f.Desc != t.Desc {
			return false
		}
	}
	var fromType, toType string
	for _, a := range from.Attrs {
		if it, ok := a.(*atlasmysql.IndexType); ok {
			fromType = it.T
		}
	}
	for _, a := range to.Attrs {
		if it, ok := a.(*atlasmysql.IndexType); ok {
			toType = it.T
		}
	}
	return fromType == atlasmysql.IndexTypeHash && (toType == "" || toType == atlasmysql.IndexTypeBTree)
}

// PendingSchemaChanges writes the statements a migration would run now
// (nothing on an up-to-date database) to w.
func (d *DB) PendingSchemaChanges(ctx context.Context, w io.Writer) error {
	return d.Client.Schema.WriteTo(ctx, w, migrateOptions()...)
}

// Migrate brings the schema up to date. ent's migration is additive: it creates
// missing tables, columns and indexes and never drops a column or a table, so an
// existing database is upgraded in place and keeps its data. (No Atlas CLI can be
// installed here to diff versioned files; see README "Database".)
//
// Processes starting together (replicas deployed at once, an upgrade that
// adds a table) migrate one after the other: on MySQL/MariaDB under a named
// lock of the database; on a Galera cluster, which refuses named locks, and
// on SQLite, a start whose DDL meets another's (a table or column already
// there) inspects the schema again and goes on from there.
func (d *DB) Migrate(ctx context.Context) error {
	if !d.Embedded {
		unlock, err := d.migrationLock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	for attempt := 1; ; attempt++ {
		err := d.migrate(ctx)
		if err == nil || attempt == 10 || !concurrentDDL(err) {
			return err
		}
		slog.Info("another process changed the schema at the same moment: inspecting it again", "attempt", attempt, "err", err)
		select {
		case <-time.After(time.Duration(attempt*50+rand.IntN(100)) * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// migrationLock holds the database's migration lock (GET_LOCK, named after
// the database so that installations sharing a server do not wait on each
// other) until unlock. A Galera cluster refuses named locks (error 1235): the
// retries of Migrate stand in. The lock's connection is its own, outside the
// pool: the migration needs one of the pool's, which may have only one.
func (d *DB) migrationLock(ctx context.Context) (unlock func(), err error) {
	own := sql.OpenDB(d.connector)
	own.SetMaxOpenConns(1)
	conn, err := own.Conn(ctx)
	if err != nil {
		own.Close()
		return nil, fmt.Errorf("migrating the schema: %w", err)
	}
	closeAll := func() {
		conn.Close()
		own.Close()
	}
	var got sql.NullInt64
	err = conn.QueryRowContext(ctx, "SELECT GET_LOCK("+migrationLockName+", 600)").Scan(&got)
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &me) && me.Number == 1235:
		closeAll()
		return func() {}, nil
	case err != nil:
		closeAll()
		return nil, fmt.Errorf("migrating the schema: taking the migration lock: %w", err)
	case !got.Valid || got.Int64 != 1:
		closeAll()
		return nil, errors.New("migrating the schema: another process has been migrating this database for 10 minutes; start again once it is done")
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+migrationLockName+")")
		closeAll()
	}, nil
}

// schemaCreation runs one ent schema migration at a time in this process:
// ent's migration writes the package-level table definitions it diffs
// (ent/migrate.Tables), so two at once in one process race (the race
// detector caught it with several database handles migrating together).
// Processes are still told apart by the lock and the retries of Migrate.
var schemaCreation sync.Mutex

func createSchema(ctx context.Context, c *ent.Client) error {
	schemaCreation.Lock()
	defer schemaCreation.Unlock()
	return c.Schema.Create(WithDDL(ctx), migrateOptions()...)
}

// migrationLockName is the SQL of the lock's name: the database's own.
const migrationLockName = "CONCAT('certlink migrate ', LEFT(SHA2(DATABASE(), 256), 32))"

// concurrentDDL reports whether a migration failed on another process's
// schema change made between its inspection and its DDL.
func concurrentDDL(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1050, 1060, 1061, 1826: // table, column, index, foreign key already there
			return true
		}
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "already exists") || strings.Contains(msg, "duplicate column name")
}

func (d *DB) migrate(ctx context.Context) error {
	// A database from before progress kept its counts (issue 13) gets them
	// computed once from its links and results.
	uncounted := !d.answers(ctx, "SELECT id FROM counting_tallies WHERE 1=0")
	// One from before the solution areas' counts were kept (issue 15) gets
	// those.
	areasUncounted := !d.answers(ctx, "SELECT id FROM area_tallies WHERE 1=0")
	// A database from before results carried their latest flag gets the column
	// with every row flagged; the flags are then set right once.
	flagless := d.answers(ctx, "SELECT id FROM results WHERE 1=0") && !d.answers(ctx, "SELECT latest FROM results WHERE 1=0")
	if err := createSchema(ctx, d.Client); err != nil {
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
	// The skills report's row per (person, skill) became the result that
	// counts the longest (it was the latest completion): the stored flags
	// are set by the new rule once.
	if err := d.once(ctx, "results.latest: the result that counts the longest", func() error {
		_, err := results.Repair(ctx, d.SQL)
		return err
	}); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	// Operators' actions named them by address in their details, which
	// the organizations concerned read; they now say certlink staff.
	if err := d.once(ctx, "audit_events: operators named certlink staff", func() error {
		return InTx(ctx, d.Client, func(tx *ent.Tx) error { return history.NameStaff(viewer.System(ctx), tx.Client()) })
	}); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	// The audit log called every account's number an MCID; an event now
	// says which account it numbers (a Partner University account's or a
	// Learning account's MCID).
	if err := d.once(ctx, "audit_events: the kind of account a number belongs to", func() error {
		return InTx(ctx, d.Client, func(tx *ent.Tx) error { return history.KindNumbers(viewer.System(ctx), tx.Client()) })
	}); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	if uncounted {
		err := InTx(ctx, d.Client, func(tx *ent.Tx) error { return counting.Rebuild(ctx, tx.Client()) })
		if err != nil {
			return fmt.Errorf("migrating the schema: keeping progress counts: %w", err)
		}
	} else if areasUncounted {
		err := InTx(ctx, d.Client, func(tx *ent.Tx) error { return counting.RebuildAreas(ctx, tx.Client()) })
		if err != nil {
			return fmt.Errorf("migrating the schema: keeping the solution areas' counts: %w", err)
		}
	}
	return nil
}

// once runs a one-off data migration named name unless this database
// records it (schema_marks), then records it. Processes starting together may
// both run it: each migration is idempotent, and the record is kept once.
func (d *DB) once(ctx context.Context, name string, migrate func() error) error {
	sys := viewer.System(ctx)
	done, err := d.Client.SchemaMark.Query().Where(schemamark.Name(name)).Exist(sys)
	if err != nil || done {
		return err
	}
	if err := migrate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := d.Client.SchemaMark.Create().SetName(name).Exec(sys); err != nil && !ent.IsConstraintError(err) {
		return fmt.Errorf("%s: recording it: %w", name, err)
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
