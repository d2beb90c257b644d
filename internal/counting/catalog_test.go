package counting_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"certlink/ent/user"
	"certlink/internal/counting"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

func maxVersion(t *testing.T, ctx context.Context, q func(ctx context.Context, query string, args ...any) (int64, error)) int64 {
	t.Helper()
	v, err := q(ctx, "SELECT COALESCE(MAX(version), 0) FROM counting_tallies")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCatalogReloadRebuildsOnlyOnChange: loading the same catalog again (every
// start does) leaves the kept state alone — a rebuild at 100,000 people costs
// seconds — while a changed validity end rebuilds it, exactly.
func TestCatalogReloadRebuildsOnlyOnChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		ctx := viewer.System(context.Background())
		ops := a.DB.Client.User.Query().Where(user.Email("ops@certlink.example")).OnlyX(ctx)
		operator := &viewer.Viewer{Kind: viewer.KindUser, UserID: ops.ID, Email: ops.Email, Roles: []viewer.Role{viewer.Operator}}
		query := func(ctx context.Context, q string, args ...any) (int64, error) {
			var v int64
			err := a.DB.SQL.QueryRowContext(ctx, q, args...).Scan(&v)
			return v, err
		}
		doc, err := a.Catalog.Export(ctx, operator)
		if err != nil {
			t.Fatal(err)
		}
		before := maxVersion(t, ctx, query)
		if before == 0 {
			t.Fatal("the demo keeps no tallies")
		}
		if _, err := a.Catalog.Load(ctx, operator, string(doc)); err != nil {
			t.Fatal(err)
		}
		if after := maxVersion(t, ctx, query); after != before {
			t.Fatalf("reloading the same catalog rebuilt the kept state (version %d → %d)", before, after)
		}
		// A new title rewrites the skill with the same validity: no rebuild.
		retitled := editSkill(t, doc, "AZ-104", func(sk map[string]any) { sk["title"] = "Azure Administrator (renamed)" })
		if _, err := a.Catalog.Load(ctx, operator, string(retitled)); err != nil {
			t.Fatal(err)
		}
		if after := maxVersion(t, ctx, query); after != before {
			t.Fatalf("a new title rebuilt the kept state (version %d → %d)", before, after)
		}
		// AZ-104's and three more skills' validity ends in the past: whoever
		// counted through them alone stops. One load, one rebuild (a rebuild
		// at 100,000 people costs seconds), however many skills changed.
		changed := retitled
		for _, n := range []string{"AZ-104", "AZ-204", "AZ-305", "AZ-400"} {
			changed = editSkill(t, changed, n, func(sk map[string]any) { sk["retiredOn"], sk["validUntil"] = "2019-06-30", "2020-01-01" })
		}
		if _, err := a.Catalog.Load(ctx, operator, string(changed)); err != nil {
			t.Fatal(err)
		}
		if after := maxVersion(t, ctx, query); after != before+1 {
			t.Fatalf("changing four validity ends in one load: kept state version %d → %d, want one rebuild", before, after)
		}
		kept, _ := counting.Spans(ctx, a.DB.Client)
		fresh, _ := counting.Recompute(ctx, a.DB.Client)
		if describe(kept) != describe(fresh) {
			t.Fatalf("after the catalog change: kept %v, recomputed %v", kept, fresh)
		}
	})
}

// editSkill changes a skill of a catalog document.
func editSkill(t *testing.T, doc []byte, number string, edit func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range m["skills"].([]any) {
		sk := s.(map[string]any)
		if sk["number"] == number {
			edit(sk)
			found = true
		}
	}
	if !found {
		t.Fatalf("no skill %s in the catalog", number)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func describe(spans []counting.Span) string {
	out := ""
	for _, s := range spans {
		until := "never"
		if s.Until != nil {
			until = s.Until.UTC().Format(time.RFC3339Nano)
		}
		out += fmt.Sprintf("%d/%d/%d %q %s\n", s.OrgID, s.RequirementID, s.UserID, s.Name, until)
	}
	return out
}
