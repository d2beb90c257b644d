package guard

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func TestCacheBoundedByCost(t *testing.T) {
	ctx := context.Background() // no operation: a document counts a token a byte
	c := NewCache(10_000, 1_000, 0)
	doc := &ast.QueryDocument{}
	c.Add(ctx, strings.Repeat("x", 400), doc) // costs 1,201: more than one entry may
	if b, n := c.Held(); b != 0 || n != 0 {
		t.Fatalf("an oversized document was kept: %d bytes, %d documents", b, n)
	}
	q := func(i int) string { return fmt.Sprintf("%0332d", i) } // twice its text and its key cost 997
	for i := range 30 {
		c.Add(ctx, q(i), doc)
		if i == 5 {
			if _, ok := c.Get(ctx, q(0)); !ok { // used: the first to stay
				t.Fatal("document 0 missing while the cache has room")
			}
		}
		if b, _ := c.Held(); b > 10_000 {
			t.Fatalf("after %d documents the cache holds %d bytes", i+1, b)
		}
	}
	if b, n := c.Held(); b != 9_970 || n != 10 {
		t.Fatalf("full cache: %d bytes, %d documents; want 9,970 in 10", b, n)
	}
	if _, ok := c.Get(ctx, q(29)); !ok {
		t.Fatal("the newest document was evicted")
	}
	if _, ok := c.Get(ctx, q(19)); ok {
		t.Fatal("an old document outlived the cache's room")
	}
	c.Add(ctx, q(29), doc) // again: counted once
	if b, n := c.Held(); b != 9_970 || n != 10 {
		t.Fatalf("after re-adding: %d bytes, %d documents", b, n)
	}

	// Tokens cost what their tree holds.
	t2 := NewCache(10_000, 5_000, 100)
	t2.Add(ctx, "abc", doc)
	if b, _ := t2.Held(); b != 2*3+4+3*100 {
		t.Fatalf("a 3-token document costs %d, want 310", b)
	}
	// Comments are kept as nodes of the tree: each # costs a token too.
	t3 := NewCache(100_000, 50_000, 100)
	t3.Add(ctx, "#\n#\nabc", doc)
	if b, _ := t3.Held(); b != 2*7+8+(7+2)*100 {
		t.Fatalf("a document with two comments costs %d, want %d", b, 2*7+8+(7+2)*100)
	}
}
