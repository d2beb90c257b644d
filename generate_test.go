package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates ent and gqlgen code in a copy of the
// repository and fails when anything differs from what is committed: generated
// code is never edited by hand and never stale.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("regeneration takes about a minute; skipped with -short")
	}
	tmp := t.TempDir()
	skip := map[string]bool{".git": true, "node_modules": true, "dist": true, "screenshots": true}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skip[d.Name()] {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(tmp, p), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Join(tmp, "frontend", "dist"), 0o755)
	_ = os.WriteFile(filepath.Join(tmp, "frontend", "dist", ".keep"), nil, 0o644)
	cmd := exec.Command("go", "generate", "./...")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go generate: %v\n%s", err, out)
	}
	var stale []string
	for _, root := range []string{"ent", "graph"} {
		_ = filepath.WalkDir(filepath.Join(tmp, root), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(tmp, p)
			got, _ := os.ReadFile(p)
			want, err := os.ReadFile(rel)
			if err != nil || !bytes.Equal(got, want) {
				stale = append(stale, rel)
			}
			return nil
		})
	}
	if len(stale) > 0 {
		t.Fatalf("generated code is stale; run `go generate ./...` and commit:\n  %s", strings.Join(stale, "\n  "))
	}
}
