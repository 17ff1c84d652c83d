package kpi

import (
	"cmp"
	"slices"
)

// exportChunk is how many records Export copies per read lock: the
// writer (a client download, maybe slow) never runs under the lock.
const exportChunk = 4096

// Export calls fn with the records q selects, oldest call first, in chunks.
// q.GroupBy is ignored. fn runs without any lock held; an error stops it.
func (x *Index) Export(q Query, fn func([]Record) error) error {
	if err := q.Validate(); err != nil {
		return err
	}
	var order []int32
	x.read(func() {
		sel, ok := x.selector(q)
		if !ok {
			return
		}
		x.rows.each(func(p int32, r *row) {
			if sel(r) {
				order = append(order, p)
			}
		})
		slices.SortStableFunc(order, func(a, b int32) int {
			ra, rb := x.rows.at(a), x.rows.at(b)
			if c := cmp.Compare(ra.recv, rb.recv); c != 0 {
				return c
			}
			if c := cmp.Compare(ra.nsec, rb.nsec); c != 0 {
				return c
			}
			return cmp.Compare(x.number(ra), x.number(rb))
		})
	})
	buf := make([]Record, 0, exportChunk)
	for len(order) > 0 {
		n := min(len(order), exportChunk)
		buf = buf[:0]
		// Rows are only ever appended or replaced in place, so positions
		// stay valid between chunks; a replaced row shows its newer state.
		x.read(func() {
			for _, p := range order[:n] {
				buf = append(buf, x.record(p))
			}
		})
		if err := fn(buf); err != nil {
			return err
		}
		order = order[n:]
	}
	return nil
}
