package store_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/internal/demo"
	"certlink/internal/results"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// TestMigrateUpgradesInPlace: a database of an older certlink (a table and a
// column that did not exist yet) is brought up to date at start-up and keeps
// every row; migrating twice changes nothing.
func TestMigrateUpgradesInPlace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx := context.Background()
		dsn := testenv.DSN(t, d)
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Seed(ctx, db.Client); err != nil {
			t.Fatal(err)
		}
		sys := viewer.System(ctx)
		users, _ := db.Client.User.Query().Count(sys)
		links, _ := db.Client.Association.Query().Count(sys)
		// An older retake of a skill someone holds: once the latest flag is
		// gone, nothing tells the two apart until the upgrade marks them.
		sk := db.Client.Skill.Create().SetNumber("AZ-104").SetTitle("Azure Administrator").SetType(skill.TypeEXAM).SaveX(sys)
		acct := db.Client.DirectoryAccount.Create().SetEmail("old@learn.example").SetName("Old Timer").SaveX(sys)
		p := db.Client.Profile.Create().SetKind(profile.KindLEARNING).SetMcid("7700001").SetAccountID(acct.ID).SaveX(sys)
		done := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		db.Client.Result.Create().SetProfileID(p.ID).SetSkillID(sk.ID).SetCompletedAt(done).SetSource("newer").ExecX(sys)
		db.Client.Result.Create().SetProfileID(p.ID).SetSkillID(sk.ID).SetCompletedAt(done.AddDate(-1, 0, 0)).SetSource("older").ExecX(sys)
		// Make it an older database: no capability areas yet, no forced
		// password change, no latest flag on results.
		for _, stmt := range []string{"DROP TABLE capability_areas", "ALTER TABLE users DROP COLUMN must_change_password",
			"ALTER TABLE results DROP COLUMN latest"} {
			if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		db.Close()

		for round := 0; round < 2; round++ {
			db, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("upgrade, round %d: %v", round, err)
			}
			u, err := db.Client.User.Query().Count(sys)
			if err != nil || u != users {
				t.Fatalf("users after upgrade: %d (%v), want %d", u, err, users)
			}
			if l, _ := db.Client.Association.Query().Count(sys); l != links {
				t.Fatalf("links after upgrade: %d, want %d", l, links)
			}
			if n, err := db.Client.CapabilityArea.Query().Count(sys); err != nil || n != 0 {
				t.Fatalf("capability areas table after upgrade: %d %v", n, err)
			}
			if n, err := results.Misflagged(ctx, db.SQL); err != nil || n != 0 {
				t.Fatalf("latest flags after upgrade: %d wrong (%v)", n, err)
			}
			older, err := db.Client.Result.Query().Where(result.Source("older")).Only(sys)
			if err != nil || older.Latest {
				t.Fatalf("the older retake after upgrade: %+v %v", older, err)
			}
			alex, err := db.Client.User.Query().First(sys)
			if err != nil || alex.MustChangePassword {
				t.Fatalf("restored column: %+v %v", alex, err)
			}
			db.Close()
		}
	})
}

// TestSecondStartChangesNothing: on an up-to-date database a start runs no
// schema change (issue 12 item 3: MariaDB's long unique index on
// tokens.secret_hash was dropped and re-added at every start, a cluster-wide
// pause on Galera and a moment with no uniqueness).
func TestSecondStartChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx := context.Background()
		db, err := store.Open(ctx, testenv.DSN(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var first strings.Builder
		if err := db.PendingSchemaChanges(ctx, &first); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(first.String(), "CREATE TABLE") {
			t.Fatalf("an empty database needs its tables, the plan says:\n%s", first.String())
		}
		for round := 0; round < 2; round++ {
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var plan strings.Builder
			if err := db.PendingSchemaChanges(ctx, &plan); err != nil {
				t.Fatal(err)
			}
			if ddl := ddlOnly(plan.String()); ddl != "" {
				t.Fatalf("start %d on an up-to-date database would run:\n%s", round+2, ddl)
			}
		}
	})
}

// ddlOnly drops the transaction statements around a plan.
func ddlOnly(plan string) string {
	var out []string
	for _, line := range strings.Split(plan, "\n") {
		l := strings.TrimSpace(line)
		if l == "" || l == "BEGIN;" || l == "COMMIT;" || strings.HasPrefix(l, "--") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestLatestFlagsRepairedOnceOnUpgrade: a database whose results were
// flagged by the old rule (the latest completion, not the result that counts
// the longest) gets them set right at its first start with the new rule,
// recorded, and not read again at the next starts.
func TestLatestFlagsRepairedOnceOnUpgrade(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx := context.Background()
		dsn := testenv.DSN(t, d)
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		sys := viewer.System(ctx)
		sk := db.Client.Skill.Create().SetNumber("PL-300").SetTitle("Power BI Data Analyst").SetType(skill.TypeCERTIFICATION).SaveX(sys)
		acct := db.Client.DirectoryAccount.Create().SetEmail("flags@learn.example").SetName("Flag Holder").SaveX(sys)
		p := db.Client.Profile.Create().SetKind(profile.KindLEARNING).SetMcid("7700002").SetAccountID(acct.ID).SaveX(sys)
		done := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		// The older result never expires, the newer expired: the old rule
		// flagged the newer.
		older := db.Client.Result.Create().SetProfileID(p.ID).SetSkillID(sk.ID).SetCompletedAt(done.AddDate(-2, 0, 0)).SetSource("older").SetLatest(false).SaveX(sys)
		newer := db.Client.Result.Create().SetProfileID(p.ID).SetSkillID(sk.ID).SetCompletedAt(done).SetExpiresAt(done.AddDate(0, 1, 0)).SetSource("newer").SetLatest(true).SaveX(sys)
		old := func() {
			t.Helper()
			for _, stmt := range []string{
				"UPDATE results SET latest = 0 WHERE id = " + strconv.Itoa(older.ID),
				"UPDATE results SET latest = 1 WHERE id = " + strconv.Itoa(newer.ID),
			} {
				if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
		}
		old()
		if _, err := db.SQL.ExecContext(ctx, "DELETE FROM schema_marks"); err != nil {
			t.Fatal(err)
		}
		if n, err := results.Misflagged(ctx, db.SQL); err != nil || n != 2 {
			t.Fatalf("before the upgrade: %d misflagged, %v", n, err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := results.Misflagged(ctx, db.SQL); err != nil || n != 0 {
			t.Fatalf("after the upgrade: %d misflagged, %v", n, err)
		}
		if !db.Client.Result.GetX(sys, older.ID).Latest {
			t.Fatal("the never-expiring result is not the one flagged")
		}
		// Recorded: the next start does not read every result again.
		old()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := results.Misflagged(ctx, db.SQL); n != 2 {
			t.Fatalf("the second start repaired again (%d misflagged left): it should run once", n)
		}
		db.Close()
	})
}

// TestProcessesStartingTogetherMigrateOnce: replicas deployed at once on an
// empty database (here four database handles migrating at the same moment)
// all come up, with one schema, and it is up to date (review: two processes
// started together both exited on "Table 'notifications' already exists").
// On a Galera cluster (where the named lock holds on one node) they start on
// different nodes. Half have a one-connection pool: the lock's connection is
// not one of the pool's, which the migration needs. The handles share this
// process, whose ent migrations run one at a time (schemaCreation): the DDL of
// two processes meeting is left to the retries of Migrate, which this test
// does not make happen.
func TestProcessesStartingTogetherMigrateOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx, cancel := context.WithTimeout(viewer.System(context.Background()), 2*time.Minute)
		defer cancel()
		dsn := testenv.DSN(t, d)
		const n = 4
		dbs := make([]*store.DB, n)
		for i := range dbs {
			var opts []store.Option
			if i%2 == 1 {
				opts = append(opts, store.MaxConns(1))
			}
			db, err := store.Open(ctx, testenv.OnHost(dsn, i), opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dbs[i] = db
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = db.Migrate(ctx)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("start %d: %v", i, err)
			}
		}
		var plan strings.Builder
		if err := dbs[0].PendingSchemaChanges(ctx, &plan); err != nil {
			t.Fatal(err)
		}
		if ddl := ddlOnly(plan.String()); ddl != "" {
			t.Fatalf("after the starts the schema still needs:\n%s", ddl)
		}
		if _, err := dbs[1].Client.User.Query().Count(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAuditNumbersGetTheirKindOnUpgrade: events recorded before they said
// which account their number belongs to get it once, from what their detail
// says — a Partner University account's, else a Learning MCID — and events
// with no number none.
func TestAuditNumbersGetTheirKindOnUpgrade(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		ctx := context.Background()
		db, err := store.Open(ctx, testenv.DSN(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		sys := viewer.System(ctx)
		mk := func(mcid, detail string) int {
			return db.Client.AuditEvent.Create().SetAction("LINKED").SetMcid(mcid).SetDetail(detail).SaveX(sys).ID
		}
		pu := mk("4400001", "Partner University account 4400001 associated with Riley (riley@contoso.example).")
		learn := mk("9900001", "Microsoft Learning account (MCID) 9900001 associated with Lee (lee@fabrikam.example).")
		merged := mk("9900002", "MCID 9900003 merged into 9900002.")
		none := mk("", "Partner University account settings changed.")
		if _, err := db.SQL.ExecContext(ctx, "DELETE FROM schema_marks"); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int]string{pu: "PARTNER_UNIVERSITY", learn: "LEARNING", merged: "LEARNING", none: ""} {
			got := ""
			if k := db.Client.AuditEvent.GetX(sys, id).LinkKind; k != nil {
				got = string(*k)
			}
			if got != want {
				t.Errorf("event %d: kind %q, want %q", id, got, want)
			}
		}
	})
}
