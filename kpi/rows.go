package kpi

import (
	"slices"
	"sync"
)

// rowChunk is how many rows a chunk holds.
const rowChunk = 1024

// rows are the index's rows in chunks that a snapshot shares with the
// index until the index changes one: taking a snapshot copies the list of
// chunks only (the engine's checkpoint takes it under its lock, so the
// pause stays the same whatever the years held), and a change to a shared
// chunk copies that chunk first.
type rows struct {
	chunks [][]row
	owned  []bool // chunks[i] is this rows' alone: no snapshot shares it
	n      int
}

func (rs *rows) len() int { return rs.n }

func (rs *rows) at(p int32) *row { return &rs.chunks[p/rowChunk][p%rowChunk] }

// own makes chunk c this rows' alone.
func (rs *rows) own(c int) {
	if !rs.owned[c] {
		rs.chunks[c] = append(make([]row, 0, rowChunk), rs.chunks[c]...)
		rs.owned[c] = true
	}
}

func (rs *rows) set(p int32, r row) {
	rs.own(int(p / rowChunk))
	*rs.at(p) = r
}

// add appends a row and returns its position.
func (rs *rows) add(r row) int32 {
	if rs.n%rowChunk == 0 {
		rs.chunks = append(rs.chunks, make([]row, 0, rowChunk))
		rs.owned = append(rs.owned, true)
	}
	c := len(rs.chunks) - 1
	rs.own(c) // a shared chunk's spare room may be the snapshot's next row
	rs.chunks[c] = append(rs.chunks[c], r)
	rs.n++
	return int32(rs.n - 1)
}

// pop drops the last row.
func (rs *rows) pop() {
	c := len(rs.chunks) - 1
	rs.chunks[c] = rs.chunks[c][:len(rs.chunks[c])-1] // a shared chunk is copied before the next add writes it
	rs.n--
	if len(rs.chunks[c]) == 0 {
		rs.chunks[c] = nil // else the list's array beyond its length keeps the chunk
		rs.chunks, rs.owned = rs.chunks[:c], rs.owned[:c]
	}
}

// each calls fn with every row in order.
func (rs *rows) each(fn func(p int32, r *row)) {
	for c, chunk := range rs.chunks {
		for i := range chunk {
			fn(int32(c*rowChunk+i), &chunk[i])
		}
	}
}

// shareMu orders the shares of one rows: they run under the index's read
// lock (beside reports), which only excludes the changes.
var shareMu sync.Mutex

// share returns rows that share every chunk with rs, and marks them
// shared in rs. Caller holds the index's lock, at least for reading.
func (rs *rows) share() rows {
	shareMu.Lock()
	defer shareMu.Unlock()
	for c := range rs.owned {
		rs.owned[c] = false
	}
	return rows{chunks: slices.Clone(rs.chunks), owned: make([]bool, len(rs.chunks)), n: rs.n}
}
