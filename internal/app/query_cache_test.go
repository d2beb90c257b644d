package app_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// A review filled the query cache with a thousand distinct valid 216 KB
// documents (each refused afterwards for its list argument): parsed, they
// held 4.9 GB. The cache now keeps small documents only, 2 MiB of text in all.
func TestQueryCacheHoldsBoundedMemory(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	lee := e.Demo("lee@fabrikam.example")
	var list strings.Builder
	for i := range 12000 {
		if i > 0 {
			list.WriteByte(',')
		}
		fmt.Fprintf(&list, `"%015d"`, i)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	heldBefore, _ := e.App.QueryCache.Held()
	for k := range 60 {
		q := fmt.Sprintf(`query Q%d($a:[String!]=[%s]){users(where:{emailIn:$a}){totalCount}}`, k, list.String())
		if code := e.Do(lee, q, nil).Code(); code != "INVALID_INPUT" {
			t.Fatalf("document %d: code %q, want INVALID_INPUT (too many list elements)", k, code)
		}
	}
	if held, docs := e.App.QueryCache.Held(); held != heldBefore {
		t.Fatalf("the cache went from %d to %d bytes of text (%d documents) after documents of 216 KB", heldBefore, held, docs)
	}
	// 60 such documents parsed held about 330 MB in the cache.
	if grew := int64(heap()) - int64(before); grew > 64<<20 {
		t.Fatalf("the heap grew by %d MB after 60 distinct large documents", grew>>20)
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
