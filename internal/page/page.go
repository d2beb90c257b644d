// Package page is the keyset pagination the lifecycle lists share: newest first,
// a cursor is the id of the last row seen, so a page costs one indexed range scan
// whatever its depth.
package page

// Max is the largest page (A1).
const Max = 100

// Request asks for First rows after the row with id After (0: from the newest).
type Request struct {
	First int
	After int
}

// Size is the number of rows to serve: First within 1..Max, Max when unset.
func (r Request) Size() int {
	if r.First <= 0 || r.First > Max {
		if r.First == 0 {
			return 0
		}
		return Max
	}
	return r.First
}

// Page is one page of a list.
type Page[T any] struct {
	Items   []T
	HasNext bool
	Total   int
}

// Cut turns up to Size()+1 fetched rows into a page.
func Cut[T any](rows []T, r Request, total int) Page[T] {
	n := r.Size()
	p := Page[T]{Items: rows, Total: total}
	if len(rows) > n {
		p.Items, p.HasNext = rows[:n], true
	}
	return p
}
