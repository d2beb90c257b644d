package guard

import (
	"context"
	"sync"
)

// Memory bounds the answer text the process holds at once: built and not yet
// taken by its client. An answer is held from its first field until its
// client has taken it (or its write deadline passed): a client that asks
// for large answers on many connections and reads none held them all — an
// outside review ran the process out of memory with 256 connections of one
// address, each waiting on a 6.4 MB answer nobody read. Its first FreeBytes
// are free (small answers never wait on anyone); beyond them an answer takes
// room from Limit, and from its caller's share PerCaller, a chunk at a time.
// An answer that finds no room stops where it is and is refused
// RATE_LIMITED: the memory a flood of readers-who-never-read can take is
// Limit, and one caller's PerCaller.
type Memory struct {
	Limit, PerCaller int64

	mu   sync.Mutex
	used int64
	per  map[string]int64
}

// FreeBytes of every answer take no room; beyond them room is taken
// memoryChunk at a time.
const (
	FreeBytes   = 64 << 10
	memoryChunk = 256 << 10
)

// Used is the answer text held now (tests, metrics).
func (m *Memory) Used() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

func (m *Memory) take(key string, n int64) (ok, callerFull bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.per == nil {
		m.per = map[string]int64{}
	}
	if m.PerCaller > 0 && m.per[key]+n > m.PerCaller {
		return false, true
	}
	if m.Limit > 0 && m.used+n > m.Limit {
		return false, false
	}
	m.used += n
	m.per[key] += n
	return true, false
}

func (m *Memory) give(key string, n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.used -= n
	if m.per[key] -= n; m.per[key] <= 0 {
		delete(m.per, key)
	}
}

// Take takes n bytes of room for key outright (no hold: the caller gives
// them back with Give), false when they are not there.
func (m *Memory) Take(key string, n int64) bool {
	ok, _ := m.take(key, n)
	return ok
}

// Give gives back room Take took.
func (m *Memory) Give(key string, n int64) { m.give(key, n) }

// Hold is the room one request (an HTTP request, a websocket operation)
// took for its answers; Release gives it back once the answer was taken.
type Hold struct {
	mem *Memory

	mu       sync.Mutex
	key      string
	taken    int64
	released bool
}

type holdKey struct{}

// WithHold gives ctx a hold on mem for the answers computed under it, and
// the func that releases it: call it once the answer has been written (or
// could not be). A nil mem holds nothing.
func WithHold(ctx context.Context, mem *Memory) (context.Context, func()) {
	if mem == nil {
		return ctx, func() {}
	}
	h := &Hold{mem: mem}
	return context.WithValue(ctx, holdKey{}, h), h.Release
}

func holdOf(ctx context.Context) *Hold {
	h, _ := ctx.Value(holdKey{}).(*Hold)
	return h
}

// cover makes the hold cover n bytes of answer text past FreeBytes,
// charged to key; ok false when there is no room.
func (h *Hold) cover(key string, n int64) (ok, callerFull bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return true, false // the answer is being dropped anyway
	}
	if h.key == "" {
		h.key = key
	}
	if n <= h.taken {
		return true, false
	}
	need := (n - h.taken + memoryChunk - 1) / memoryChunk * memoryChunk
	if ok, full := h.mem.take(h.key, need); !ok {
		return false, full
	}
	h.taken += need
	return true, false
}

// Release gives the hold's room back; later calls do nothing.
func (h *Hold) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return
	}
	h.released = true
	if h.taken > 0 {
		h.mem.give(h.key, h.taken)
		h.taken = 0
	}
}
