package catalogrev_test

import (
	"context"
	"errors"
	"testing"

	shipped "certlink/catalog"
	"certlink/ent"
	"certlink/ent/catalogrevision"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/catalog"
	"certlink/internal/catalogrev"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// TestEveryCatalogWriteRecordsARevision: a transaction that changes catalog
// tables outside the catalog service gets one revision (however many rows
// it changed), a rolled-back one none, a write outside a transaction one;
// the catalog service's own edits get only their own revision; and the
// start-up load still skips a file it applied last, whatever edit revisions
// came since.
func TestEveryCatalogWriteRecordsARevision(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		c := a.DB.Client
		ctx := viewer.System(context.Background())
		sources := func() []string {
			revs := c.CatalogRevision.Query().Order(catalogrevision.ByID()).AllX(ctx)
			out := make([]string, len(revs))
			for i, r := range revs {
				out[i] = r.Source
			}
			return out
		}
		newSince := func(before []string) []string { return sources()[len(before):] }
		skills := c.Skill.Query().Order(skill.ByNumber()).Limit(3).AllX(ctx)

		before := sources()
		err := store.InTx(ctx, c, func(tx *ent.Tx) error {
			for _, s := range skills {
				if err := tx.Skill.UpdateOneID(s.ID).SetTitle(s.Title + " (edited)").Exec(ctx); err != nil {
					return err
				}
			}
			if catalogrev.Writing() == 0 {
				t.Error("a transaction writing the catalog is not counted as writing")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := newSince(before); len(got) != 1 || got[0] != catalogrev.EditSource {
			t.Fatalf("three skills edited in one transaction: new revisions %v, want one %q", got, catalogrev.EditSource)
		}
		if n := catalogrev.Writing(); n != 0 {
			t.Fatalf("after the commit %d transactions still count as writing", n)
		}

		before = sources()
		boom := errors.New("rolled back")
		err = store.InTx(ctx, c, func(tx *ent.Tx) error {
			if err := tx.Skill.UpdateOneID(skills[0].ID).SetTitle("Never").Exec(ctx); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("rolled back transaction: %v", err)
		}
		if got := newSince(before); len(got) != 0 {
			t.Fatalf("a rolled-back edit recorded revisions %v", got)
		}
		if n := catalogrev.Writing(); n != 0 {
			t.Fatalf("after the rollback %d transactions still count as writing", n)
		}

		before = sources()
		c.Skill.UpdateOneID(skills[0].ID).SetTitle(skills[0].Title).ExecX(ctx)
		if got := newSince(before); len(got) != 1 || got[0] != catalogrev.EditSource {
			t.Fatalf("an edit outside a transaction: new revisions %v", got)
		}

		ops := c.User.Query().Where(user.Email("ops@certlink.example")).OnlyX(ctx)
		operator := &viewer.Viewer{Kind: viewer.KindUser, UserID: ops.ID, Email: ops.Email, Roles: []viewer.Role{viewer.Operator}}
		before = sources()
		if _, err := a.Catalog.UpsertSkill(ctx, operator, catalog.Skill{Number: skills[1].Number, Title: "Retitled", Type: string(skills[1].Type)}); err != nil {
			t.Fatal(err)
		}
		if got := newSince(before); len(got) != 1 || got[0] != catalog.OperatorSource {
			t.Fatalf("upsertSkill: new revisions %v, want its own only", got)
		}

		// A restart with the same file: the edits since are no file load.
		if _, applied, err := a.Catalog.LoadAtStartup(ctx, "", shipped.Default, shipped.DefaultName); err != nil || applied {
			t.Fatalf("the same file at start-up after edits: applied %v, %v", applied, err)
		}
	})
}

// TestCacheFollowsTheRevision: a value is loaded once per revision state; a
// catalog change committed through another client is seen by the next read;
// inside a transaction that changed the catalog nothing is cached or served
// from the cache.
func TestCacheFollowsTheRevision(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		c := a.DB.Client
		ctx := viewer.System(context.Background())
		other, err := store.Open(context.Background(), a.Config.DB)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Client.Close() })
		var cache catalogrev.Cache[string]
		loads := 0
		title := func(c *ent.Client) func() (string, error) {
			return func() (string, error) {
				loads++
				s, err := c.Skill.Query().Where(skill.Number("AZ-104")).Only(ctx)
				if err != nil {
					return "", err
				}
				return s.Title, nil
			}
		}
		get := func(c *ent.Client) string {
			t.Helper()
			v, err := cache.Get(ctx, c, title(c))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		first := get(c)
		if get(c) != first || loads != 1 {
			t.Fatalf("two reads at one revision: %d loads", loads)
		}
		id := c.Skill.Query().Where(skill.Number("AZ-104")).OnlyIDX(ctx)
		err = store.InTx(ctx, other.Client, func(tx *ent.Tx) error {
			return tx.Skill.UpdateOneID(id).SetTitle("Changed elsewhere").Exec(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		if v := get(c); v != "Changed elsewhere" || loads != 2 {
			t.Fatalf("after another client's change: %q, %d loads", v, loads)
		}
		err = store.InTx(ctx, c, func(tx *ent.Tx) error {
			if err := tx.Skill.UpdateOneID(id).SetTitle("Uncommitted").Exec(ctx); err != nil {
				return err
			}
			if v := get(tx.Client()); v != "Uncommitted" {
				t.Errorf("inside the writing transaction: %q", v)
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("the transaction committed")
		}
		if v := get(c); v != "Changed elsewhere" {
			t.Fatalf("after the rollback: %q (the uncommitted title was cached)", v)
		}
	})
}
