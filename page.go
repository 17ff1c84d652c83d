package cc112

import (
	"container/heap"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Page is one page of a list that can grow: the API's one answer shape for
// every such list ({"items": […], "next_cursor": "…"}). NextCursor is ""
// on the last page; passed back as ?cursor= it continues after Items.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// A page holds DefaultPageSize items unless the client asks for a limit
// of 1 to MaxPageSize.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// PageRequest is what a client asks of a list: how many items, after which.
type PageRequest struct {
	Limit  int    // 0 is DefaultPageSize
	Cursor string // a page's NextCursor; "" for the first page
}

// Check sets the default limit and refuses one outside 1..MaxPageSize.
func (p *PageRequest) Check() error {
	if p.Limit == 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit < 1 || p.Limit > MaxPageSize {
		return Errorf(EInvalid, "limit must be 1 to %d, got %d", MaxPageSize, p.Limit)
	}
	return nil
}

// ErrBadCursor answers a cursor no page of this list gave.
func ErrBadCursor() error {
	return Errorf(EInvalid, "cursor is not one this list gave (pass next_cursor back unchanged, with the same filters)")
}

// PageKey is an item's place in a newest-first list: later At first, then
// the greater ID (byte order), so that two items never tie.
type PageKey struct {
	At time.Time
	ID string
}

// Cursor encodes the key, opaque to clients.
func (k PageKey) Cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(k.At.UnixNano(), 10) + "|" + k.ID))
}

// ParseCursor reads a PageKey.Cursor; "" is no cursor (nil, nil).
func ParseCursor(s string) (*PageKey, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadCursor()
	}
	nanos, id, ok := strings.Cut(string(raw), "|")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil {
		return nil, ErrBadCursor()
	}
	return &PageKey{At: time.Unix(0, n).UTC(), ID: id}, nil
}

// Before reports whether k comes before o in the list (is newer).
func (k PageKey) Before(o PageKey) bool {
	if !k.At.Equal(o.At) {
		return k.At.After(o.At)
	}
	return k.ID > o.ID
}

// Newest collects one page of a newest-first list out of items offered in
// any order (a map's), holding at most limit+1 of them: a page never
// copies the whole list, however long it has grown.
type Newest[T any] struct {
	key   func(T) PageKey
	after *PageKey
	limit int
	h     newestHeap[T]
}

// NewNewest starts a page for req; key gives an item's place in the list.
func NewNewest[T any](req PageRequest, key func(T) PageKey) (*Newest[T], error) {
	if err := req.Check(); err != nil {
		return nil, err
	}
	after, err := ParseCursor(req.Cursor)
	if err != nil {
		return nil, err
	}
	return &Newest[T]{key: key, after: after, limit: req.Limit, h: newestHeap[T]{}}, nil
}

// Offer considers one item for the page.
func (n *Newest[T]) Offer(item T) {
	k := n.key(item)
	if n.after != nil && !n.after.Before(k) {
		return // on an earlier page
	}
	if len(n.h.items) <= n.limit {
		heap.Push(&n.h, keyed[T]{k, item})
		return
	}
	if k.Before(n.h.items[0].k) { // newer than the oldest kept
		n.h.items[0] = keyed[T]{k, item}
		heap.Fix(&n.h, 0)
	}
}

// Page is the collected page, newest first, each item passed through
// copyOf (a clone: the caller still holds the lock the items live under).
func (n *Newest[T]) Page(copyOf func(T) T) Page[T] {
	sorted := make([]keyed[T], len(n.h.items))
	for k := len(sorted) - 1; k >= 0; k-- {
		sorted[k] = heap.Pop(&n.h).(keyed[T])
	}
	p := Page[T]{Items: make([]T, 0, min(len(sorted), n.limit))}
	for k, it := range sorted {
		if k == n.limit {
			p.NextCursor = sorted[k-1].k.Cursor()
			break
		}
		p.Items = append(p.Items, copyOf(it.item))
	}
	return p
}

type keyed[T any] struct {
	k    PageKey
	item T
}

// newestHeap has the oldest kept item on top, the first to go when a newer
// one comes.
type newestHeap[T any] struct{ items []keyed[T] }

func (h *newestHeap[T]) Len() int           { return len(h.items) }
func (h *newestHeap[T]) Less(a, b int) bool { return h.items[b].k.Before(h.items[a].k) }
func (h *newestHeap[T]) Swap(a, b int)      { h.items[a], h.items[b] = h.items[b], h.items[a] }
func (h *newestHeap[T]) Push(x any)         { h.items = append(h.items, x.(keyed[T])) }
func (h *newestHeap[T]) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}
