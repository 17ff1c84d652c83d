package kpi

import (
	"bytes"
	"cmp"
	"context"
	"slices"

	"cc112"
)

// exportChunk is how many records Export copies per read lock: the
// writer (a client download, maybe slow) never runs under the lock.
const exportChunk = 4096

// Export calls fn with the records q selects, the archived ones too,
// oldest call first, in chunks. q.GroupBy is ignored. fn runs without any
// lock held; an error stops it. Errors as Report's; the archive is read a
// page at a time (streamExport), so one that fails after the first page
// fails the export after fn has had records: callers must not take what
// they had for the whole.
func (x *Index) Export(ctx context.Context, q Query, fn func([]Record) error) error {
	if err := q.Validate(); err != nil {
		return cc112.Errorf(cc112.EInvalid, "%v", err)
	}
	if x.archive == nil {
		return x.export(q, fn)
	}
	release, err := x.enterWindow(ctx)
	if err != nil {
		return err
	}
	defer release()
	return x.streamExport(ctx, q, fn)
}

// exportOrder is the order of an export's records: oldest call first
// (seconds, then nanoseconds), then by number, then by ID.
func exportOrder(xa *Index, ra *row, xb *Index, rb *row) int {
	return cmp.Or(cmp.Compare(ra.recv, rb.recv), cmp.Compare(ra.nsec, rb.nsec),
		bytes.Compare(xa.numberBytes(ra), xb.numberBytes(rb)), bytes.Compare(xa.idBytes(ra), xb.idBytes(rb)))
}

func (x *Index) export(q Query, fn func([]Record) error) error {
	var order []int32
	var forgets uint64
	x.read(func() {
		forgets = x.forgets
		sel, ok := x.selector(q)
		if !ok {
			return
		}
		x.rows.each(func(p int32, r *row) {
			if sel(r) {
				order = append(order, p)
			}
		})
		slices.SortFunc(order, func(a, b int32) int { return exportOrder(x, x.rows.at(a), x, x.rows.at(b)) })
	})
	buf := make([]Record, 0, exportChunk)
	for len(order) > 0 {
		n := min(len(order), exportChunk)
		buf = buf[:0]
		// Rows are appended or replaced in place, so positions stay valid
		// between chunks (a replaced row shows its newer state), unless one
		// was forgotten: only an index without an archive is read so, and
		// its rows are forgotten only by a misconfigured engine.
		stale := false
		x.read(func() {
			if stale = x.forgets != forgets; stale {
				return
			}
			for _, p := range order[:n] {
				buf = append(buf, x.record(p))
			}
		})
		if stale {
			return cc112.Errorf(cc112.EUnavailable, "the metrics index changed during the export; ask again")
		}
		if err := fn(buf); err != nil {
			return err
		}
		order = order[n:]
	}
	return nil
}
