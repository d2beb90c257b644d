package app_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// Reviews filled the query cache: a thousand distinct valid 216 KB documents
// (each refused afterwards for its list argument) held 4.9 GB; once the
// cache counted documents' canonical text, 3,000 documents padded with a
// 250 KB comment (not in the canonical text, but kept by the parsed tree)
// held 1.2 GB. The cache now counts what a document holds: its text as sent
// and its tokens.
func TestQueryCacheHoldsBoundedMemory(t *testing.T) {
	// 600 bodies of 250 KB cost 9,000 points of their reading (one per 16
	// KiB): the cache is measured here, not the rate limit.
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 1 << 30 })
	lee := e.Demo("lee@fabrikam.example")
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	held := func() int { b, _ := e.App.QueryCache.Held(); return b }

	var list strings.Builder
	for i := range 12000 {
		if i > 0 {
			list.WriteByte(',')
		}
		fmt.Fprintf(&list, `"%015d"`, i)
	}
	before, heldBefore := heap(), held()
	for k := range 60 {
		q := fmt.Sprintf(`query Q%d($a:[String!]=[%s]){users(where:{emailIn:$a}){totalCount}}`, k, list.String())
		if code := e.Do(lee, q, nil).Code(); code != "INVALID_INPUT" {
			t.Fatalf("document %d: code %q, want INVALID_INPUT (too many list elements)", k, code)
		}
	}
	if h := held(); h != heldBefore {
		t.Fatalf("the cache went from %d to %d bytes after documents of 24,000 tokens", heldBefore, h)
	}
	if grew := heap() - before; grew > 64<<20 {
		t.Fatalf("the heap grew by %d MB after 60 distinct large documents", grew>>20)
	}

	comment := "#" + strings.Repeat("x", 250<<10) + "\n"
	before = heap()
	for k := range 600 {
		if r := e.Do(lee, fmt.Sprintf("%squery Q%d{__typename}", comment, k), nil); r.Code() != "" {
			t.Fatalf("padded document %d: %s", k, r.Code())
		}
	}
	if h := held(); h > 64<<20 {
		t.Fatalf("the cache holds %d MB after 600 documents of 250 KB", h>>20)
	}
	// 600 such documents are 150 MB of text, all kept before.
	if grew := heap() - before; grew > 96<<20 {
		t.Fatalf("the heap grew by %d MB after 600 distinct 250 KB documents", grew>>20)
	}

	// Ordinary documents are kept and found again.
	for range 2 {
		if code := e.Do(lee, `{me{email}}`, nil).Code(); code != "" {
			t.Fatalf("me: %s", code)
		}
	}
	if _, docs := e.App.QueryCache.Held(); docs == 0 {
		t.Fatal("a small document was not kept")
	}
}
