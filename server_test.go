package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"certlink/internal/app"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// A word that is no flag's value and no command is refused before anything
// starts (review: "certlink help" and "--demo maybe" served on :8080).
func TestServeRefusesStrayArguments(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--demo", "maybe"}, {"--addr", "127.0.0.1:0", "extra"}} {
		if code := serve(args); code != 2 {
			t.Errorf("certlink %v: exit %d, want 2", args, code)
		}
	}
}

// The start-up banner lists the demo's sign-ins only when the database holds
// them: a database prepared with add-organization before its first start is
// not seeded, and a review was shown sign-ins that answered
// INVALID_CREDENTIALS.
func TestBannerListsDemoSignInsOnlyWhenSeeded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	onPath := func(demo string) testenv.Option {
		return func(c *app.Config) { c.DB, c.Demo = path, demo }
	}
	prepared := testenv.Open(t, testenv.SQLite, onPath("false"))
	if err := prepared.DB.Client.Organization.Create().SetName("Northwind").SetMpnID("4100009").Exec(viewer.System(context.Background())); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	banner(&b, testenv.Open(t, testenv.SQLite, onPath("true")), "127.0.0.1:1")
	if strings.Contains(b.String(), "grace@contoso.example") || !strings.Contains(b.String(), "No demo sign-ins") {
		t.Fatalf("a database prepared before its first start:\n%s", b.String())
	}
	b.Reset()
	banner(&b, testenv.Open(t, testenv.SQLite), "127.0.0.1:1")
	if !strings.Contains(b.String(), "grace@contoso.example") || !strings.Contains(b.String(), "learn-demo") {
		t.Fatalf("a seeded database:\n%s", b.String())
	}
}
