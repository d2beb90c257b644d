package graph_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"certlink/graph"
	"certlink/graph/generated"
	"certlink/internal/app"
	"certlink/internal/guard"
	"certlink/internal/testenv"
)

// fragmentChain is the review's fragment fan-out (frag_flood.py, frag_anon.py):
// fragment Fi spreads F(i+1) k times, so the last fragment's fields are
// selected k^depth times in a document of a few KB.
func fragmentChain(depth, k int, typ, root, leaf string) string {
	var b strings.Builder
	b.WriteString(root)
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, " fragment F%d on %s {%s}", i, typ, strings.Repeat(fmt.Sprintf(" ...F%d", i+1), k))
	}
	fmt.Fprintf(&b, " fragment F%d on %s { %s }", depth, typ, leaf)
	return b.String()
}

// The review's documents, each refused by the gate (extensions.limit names
// the expansion check: neither validation nor Measure ever expanded them).
var fragmentBombs = map[string]struct {
	doc, limit string
	anonymous  bool
}{
	"frag_flood: 140 fragments on User, each spreads the next twice": {fragmentChain(140, 2, "User", "{ me { ...F0 } }", "email name"), "expandedFields", false},
	"frag_explode: 20 fragments, each spreads the next twice":        {fragmentChain(20, 2, "User", "{ me { ...F0 } }", "email name"), "expandedFields", false},
	"frag_explode: 8 fragments, each spreads the next 5 times":       {fragmentChain(8, 5, "User", "{ me { ...F0 } }", "email"), "expandedFields", false},
	"frag_anon: 40 fragments on Query, anonymous":                    {fragmentChain(40, 2, "Query", "{ ...F0 }", "__typename"), "expandedFields", true},
	"a chain ending in an unknown fragment (spreads only)":           {fragmentChain(30, 2, "Query", "{ ...F0 }", "...Nowhere"), "expandedFields", true},
	"an unused fragment that explodes":                               {fragmentChain(30, 2, "User", "{ me { email } }", "email"), "expandedFields", false},
	"a cycle":                                                        {"{ me { ...A } } fragment A on User { email ...B } fragment B on User { name ...A }", "fragmentCycle", false},
	"depth through fragments":                                        {"{ me { ...F0 } }" + deepChain(5), "expandedDepth", false},
}

// deepChain: each fragment nests the next one level deeper (organization → users…).
func deepChain(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " fragment F%d on User { organization { users(first: 1) { edges { node { ...F%d } } } } }", i, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on User { email }", n)
	return b.String()
}

func TestFragmentExplosionIsRefusedByTheGate(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	tok := e.Demo("riley@contoso.example")
	for name, b := range fragmentBombs {
		t.Run(name, func(t *testing.T) {
			callers := []string{tok}
			if b.anonymous {
				callers = append(callers, "")
			}
			for _, who := range callers {
				start := time.Now()
				r := e.Do(who, b.doc, nil)
				if r.Code() != "INVALID_INPUT" || len(r.Errors) != 1 || r.Errors[0].Extensions["limit"] != b.limit {
					t.Fatalf("signed in %v: %d %+v", who != "", r.Status, r.Errors)
				}
				t.Logf("refused in %v: %s", time.Since(start), r.Errors[0].Message)
			}
		})
	}
	// What a client of ours sends still runs: fragments spread a few times.
	ok := "{ me { ...A ...B } } fragment A on User { email ...C } fragment B on User { name ...C } fragment C on User { organization { name } }"
	if r := e.Do(tok, ok, nil); len(r.Errors) > 0 {
		t.Fatalf("a small document with shared fragments: %+v", r.Errors)
	}
}

// BenchmarkRefuseFragmentExplosion is the CPU the gate spends refusing the
// review's documents (before: 2.3 s and more each).
func BenchmarkRefuseFragmentExplosion(b *testing.B) {
	for name, bomb := range fragmentBombs {
		b.Run(strings.Fields(name)[0]+"/"+strconv.Itoa(len(bomb.doc))+"B", func(b *testing.B) {
			for b.Loop() {
				if _, r := guard.Scan(bomb.doc, guard.DefaultScan); r != nil {
					continue
				}
				if !guard.Refuses(bomb.doc, guard.DefaultScan) {
					b.Fatal("admitted")
				}
			}
		})
	}
}

// A refusal costs points: the one every request pays at the gate, and one
// more per 20 ms spent past it (parsing, validating, measuring), so a caller
// who keeps sending documents that are refused late runs out of points.
func TestRefusedRequestsEndRateLimited(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 40 })
	tok := e.Demo("riley@contoso.example")
	remaining := func(r *testenv.Response) int {
		n, err := strconv.Atoi(r.Header.Get("X-RateLimit-Remaining"))
		if err != nil {
			t.Fatalf("no X-RateLimit-Remaining: %v %+v", r.Header, r.Errors)
		}
		return n
	}
	// The bucket's clock moves 30 ms each time it is read: a refusal found
	// after validation or measuring took "30 ms" past the gate.
	var mu sync.Mutex
	now := time.Now()
	e.App.RateLimits.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(30 * time.Millisecond)
		return now
	}
	before := remaining(e.Do(tok, "{me{email}}", nil))
	refused := []string{
		"{me{nope}}", // validation
		`{me{organization{users{edges{node{organization{users{edges{node{email}}}}}}}}}}`, // cost, measured
	}
	for _, doc := range refused {
		r := e.Do(tok, doc, nil)
		if r.Code() != "INVALID_INPUT" {
			t.Fatalf("%s: %+v", doc, r.Errors)
		}
		if got := remaining(r); got != before-2 {
			t.Fatalf("%s: refused after the gate cost %d points, want 2 (1 at the gate, 1 for the time past it)", doc, before-got)
		}
		before -= 2
	}
	// A refusal by the gate itself is one point.
	if r := e.Do(tok, fragmentBombs["frag_flood: 140 fragments on User, each spreads the next twice"].doc, nil); remaining(r) != before-1 {
		t.Fatalf("gate refusal cost %d points", before-remaining(r))
	}
	// Refusals, whatever they are, end in RATE_LIMITED, for the account and
	// (anonymously) for the address.
	for _, who := range []string{tok, ""} {
		var last *testenv.Response
		for i := 0; i < 60; i++ {
			doc := refused[i%2]
			if who == "" {
				doc = "{nope}"
			}
			last = e.Do(who, doc, nil)
			if last.Code() == "RATE_LIMITED" {
				break
			}
			if last.Code() != "INVALID_INPUT" {
				t.Fatalf("refusal %d: %+v", i, last.Errors)
			}
		}
		if last.Code() != "RATE_LIMITED" || last.Header.Get("Retry-After") == "" {
			t.Fatalf("signed in %v: 60 refusals and still %+v", who != "", last.Errors)
		}
	}
}

// worstAdmittedFragments are fragment shapes at the edge of what the
// expansion check admits (guard.DefaultScan): each grows until one step more
// would be refused.
func worstAdmittedFragments(b testing.TB) map[string]string {
	names := func(k int) string { return strings.Repeat("name ", k) }
	shapes := map[string]func(n int) string{
		// fragments each spreading the next twice, ending in same-name fields
		"doubling chain": func(n int) string {
			return fragmentChain(n, 2, "Organization", "{ me { organization { ...F0 } } }", names(4))
		},
		// each fragment adds its fields to all the next one spreads
		"linear chain": func(n int) string {
			var d strings.Builder
			d.WriteString("{ me { organization { ...F0 } } }")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&d, " fragment F%d on Organization { name ...F%d }", i, i+1)
			}
			fmt.Fprintf(&d, " fragment F%d on Organization { name }", n)
			return d.String()
		},
		// one fragment of 95 same-name fields spread n times in one set, and
		// n sibling sets that merge
		"same-name fragment spread": func(n int) string {
			return "{ me { " + strings.Repeat("organization { ...A } ", n) + "} } fragment A on Organization { " + names(95) + "}"
		},
		// fragments that spread each other pairwise (the overlapping-fields
		// rule compares fragment pairs)
		"fragments spreading fragments": func(n int) string {
			var d strings.Builder
			d.WriteString("{ me { organization { ")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&d, "...F%d ", i)
			}
			d.WriteString("} } }")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&d, " fragment F%d on Organization { name ", i)
				for j := 0; j < i; j++ {
					fmt.Fprintf(&d, "...F%d ", j)
				}
				d.WriteString("}")
			}
			return d.String()
		},
	}
	docs := map[string]string{}
	for name, shape := range shapes {
		n := 1
		for admitted(shape(n + 1)) {
			n++
		}
		if !admitted(shape(n)) {
			b.Fatalf("%s: not even n=1 is admitted", name)
		}
		docs[fmt.Sprintf("%s (n=%d)", name, n)] = shape(n)
	}
	return docs
}

func admitted(doc string) bool {
	_, r := guard.Scan(doc, guard.DefaultScan)
	return r == nil && !guard.Refuses(doc, guard.DefaultScan)
}

// BenchmarkValidateWorstAdmittedFragments: what parsing, validation and
// Measure cost for the fragment shapes the expansion check admits at its
// edge (README, Protection).
func BenchmarkValidateWorstAdmittedFragments(b *testing.B) {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	for name, doc := range worstAdmittedFragments(b) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				d, err := parser.ParseQuery(&ast.Source{Input: doc})
				if err != nil {
					b.Fatal(err)
				}
				if errs := validator.Validate(schema, d); len(errs) > 0 {
					b.Fatal(errs)
				}
				guard.Measure(d, d.Operations[0], nil)
			}
		})
	}
}
