package guard_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"certlink/internal/guard"
)

// Every operation the web app sends (with the fragments it spreads) passes the
// gate with room to spare: the limits refuse only what no client of ours asks.
func TestWebAppOperationsPassTheGate(t *testing.T) {
	src, err := os.ReadFile("../../frontend/src/gql/gql.ts")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`(?m)^    ("(?:[^"\\]|\\.)*"): typeof types\.`).FindAllSubmatch(src, -1)
	fragments := map[string]string{}
	var operations []string
	for _, k := range keys {
		var doc string
		if err := json.Unmarshal(k[1], &doc); err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`fragment (\w+) on`).FindStringSubmatch(doc); m != nil {
			fragments[m[1]] = doc
		} else {
			operations = append(operations, doc)
		}
	}
	if len(operations) < 10 {
		t.Fatalf("found only %d operations", len(operations))
	}
	spread := regexp.MustCompile(`\.\.\.(\w+)`)
	for _, op := range operations {
		doc, seen := op, map[string]bool{}
		for changed := true; changed; {
			changed = false
			for _, m := range spread.FindAllStringSubmatch(doc, -1) {
				if f, ok := fragments[m[1]]; ok && !seen[m[1]] {
					seen[m[1]], doc, changed = true, doc+f, true
				}
			}
		}
		s, r := guard.Scan(doc, guard.DefaultScan)
		if r != nil {
			t.Errorf("%s: %s", strings.Fields(op)[1], r.Message)
			continue
		}
		d, err := parser.ParseQuery(&ast.Source{Input: doc})
		if err != nil {
			t.Fatal(err)
		}
		x := guard.Expand(d)
		t.Logf("%s: %d fields, depth %d, widest set %d; expanded %d fields (%d with its fragments), depth %d", strings.Fields(op)[1], s.Fields, s.Depth, s.MaxFieldsPerSet, x.Fields, x.Total, x.Depth)
		if s.Fields*2 > guard.DefaultScan.MaxFields || s.Depth+2 > guard.DefaultScan.MaxDepth {
			t.Errorf("%s is close to a limit: %+v", strings.Fields(op)[1], s)
		}
		if x.Total*2 > guard.DefaultScan.MaxExpandedFields || x.Depth+2 > guard.DefaultScan.MaxExpandedDepth || x.Cycle != "" || guard.Refuses(doc, guard.DefaultScan) {
			t.Errorf("%s expanded is close to a limit: %+v", strings.Fields(op)[1], x)
		}
	}
}
