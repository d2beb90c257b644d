package catalog_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	shipped "certlink/catalog"
	"certlink/internal/catalog"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

func counts(t testing.TB, e *testenv.Env) [4]int {
	t.Helper()
	ctx := viewer.System(context.Background())
	c := e.App.DB.Client
	return [4]int{c.Skill.Query().CountX(ctx), c.Competency.Query().CountX(ctx),
		c.CompetencyOption.Query().CountX(ctx), c.Requirement.Query().CountX(ctx)}
}

// C1: operators export, edit and load the catalog; loading updates in place and
// never duplicates; errors are coded and name the entry; only operators edit.
func TestOperatorEditsCatalog(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		ops := e.Demo("ops@certlink.example")
		before := counts(t, e)
		var doc struct{ CatalogDocument string }
		e.Do(ops, `{catalogDocument}`, nil).Decode(t, &doc)
		load := `mutation($d:String!){loadCatalog(document:$d){summary skillsUpdated requirementsUpdated requirementsRemoved}}`
		var out struct {
			LoadCatalog struct {
				Summary                                                 string
				SkillsUpdated, RequirementsUpdated, RequirementsRemoved int
			}
		}
		e.Do(ops, load, map[string]any{"d": doc.CatalogDocument}).Decode(t, &out)
		if out.LoadCatalog.Summary != "no change" || counts(t, e) != before {
			t.Fatalf("re-loading the export: %+v", out)
		}
		// A document without competencies removes none, and says so (a
		// review read "no change" as the load having ignored it).
		e.Do(ops, load, map[string]any{"d": `{}`}).Decode(t, &out)
		if s := out.LoadCatalog.Summary; !strings.HasPrefix(s, "no change; ") || !strings.Contains(s, "competencies not in the document left as they are") || counts(t, e) != before {
			t.Fatalf("an empty document: %q", s)
		}
		edited := strings.Replace(doc.CatalogDocument, `"required": 2,`, `"required": 3,`, 1)
		e.Do(ops, load, map[string]any{"d": edited}).Decode(t, &out)
		if out.LoadCatalog.RequirementsUpdated != 1 || counts(t, e) != before {
			t.Fatalf("edit: %+v", out)
		}
		var bad catalog.Document
		if err := json.Unmarshal([]byte(doc.CatalogDocument), &bad); err != nil {
			t.Fatal(err)
		}
		bad.Competencies[0].Options[0].Requirements[1].Skills[0] = "AZ-3O5"
		badDoc, _ := json.Marshal(bad)
		r := e.Do(ops, load, map[string]any{"d": string(badDoc)})
		if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, `unknown skill "AZ-3O5"`) || r.Errors[0].Extensions["problems"] == nil {
			t.Fatalf("invalid document: %+v", r.Errors)
		}
		if c := e.Do(e.Demo("grace@contoso.example"), load, map[string]any{"d": doc.CatalogDocument}).Code(); c != "FORBIDDEN" {
			t.Fatalf("an admin loaded the catalog: %s", c)
		}
		// Retire an exam with upsertSkill.
		var sk struct {
			UpsertSkill struct {
				Number     string
				RetiredOn  *string
				ValidUntil *string
			}
		}
		e.Do(ops, `mutation{upsertSkill(input:{number:"AZ-204",title:"Developing Solutions for Microsoft Azure",type:EXAM,
			retiredOn:"2026-12-31T00:00:00Z",validUntil:"2027-12-31T00:00:00Z"}){number retiredOn validUntil}}`, nil).Decode(t, &sk)
		if sk.UpsertSkill.ValidUntil == nil || counts(t, e) != before {
			t.Fatalf("upsertSkill: %+v", sk)
		}
	})
}

// Start-up: the file applies in place; the same file again is skipped, so an
// operator's edits survive restarts until the file changes.
func TestStartupLoad(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		svc := e.App.Catalog
		ctx := context.Background()
		before := counts(t, e)
		if _, applied, err := svc.LoadAtStartup(ctx, "", shipped.Default, shipped.DefaultName); err != nil || applied {
			t.Fatalf("the same shipped file was applied again: %v %v", applied, err)
		}
		var doc catalog.Document
		if err := json.Unmarshal(shipped.Default, &doc); err != nil {
			t.Fatal(err)
		}
		doc.Competencies[0].Name = "Azure Cloud Platform"
		b, _ := json.Marshal(doc)
		path := filepath.Join(t.TempDir(), "catalog.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		sum, applied, err := svc.LoadAtStartup(ctx, path, shipped.Default, shipped.DefaultName)
		if err != nil || !applied || sum.CompetenciesUpdated != 1 || counts(t, e) != before {
			t.Fatalf("changed file: %+v %v %v, counts %v vs %v", sum, applied, err, counts(t, e), before)
		}
		if err := os.WriteFile(path, []byte(`{"skills":[{"number":"AZ-104","title":"","type":"EXAM"}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.LoadAtStartup(ctx, path, nil, "")
		if err == nil || !strings.Contains(err.Error(), path+`: skills[0] "AZ-104" → title: required`) {
			t.Fatalf("invalid file: %v", err)
		}
	})
}
