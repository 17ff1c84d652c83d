package kpi

import (
	"context"
	"math"
	"slices"
	"time"

	"cc112"
)

// An export over the archive streams it (issue 21): the archive is read
// in pages of (received time, ID) order, and memory's rows of the window
// are held as copies (bounded by what the engine holds), so that what the
// export holds never grows with the window. Each page ends at a whole
// second (the export orders one second's records by nanoseconds and
// number, the archive by ID): the records of the page's last second are
// read again with the next page. Between pages memory is read again:
//   - an incident held is taken from memory (refreshed) when its second
//     comes, or as held if the engine has let it go meanwhile; its
//     archived copy is skipped;
//   - an incident that came into memory (new, or restored: the engine
//     puts it in memory before its journal drops the archived copy) and
//     whose second has not been passed is held from then on, its
//     archived copy in the page skipped; one whose second has been passed
//     was exported already, from the archive.

// exportPage is how many archived records an export reads per page (a
// variable for the tests).
var exportPage = exportChunk

// streamExport is Export over the archive.
func (x *Index) streamExport(ctx context.Context, q Query, fn func([]Record) error) error {
	from, to, inWindow := windowBounds(q)
	w := &Index{loc: x.loc, pos: map[uint64]int32{}, seed: x.seed}
	held := x.holdWindow(w, inWindow)
	var after *cc112.HistoryKey
	passed := int64(math.MinInt64) // every second before it is exported
	limit := exportPage
	var out exportOut
	for {
		a := &Index{loc: x.loc, seed: x.seed} // this page's archived records, but those held
		n, first, last, err := x.archivedPage(ctx, a, from, to, after, limit, held)
		if err != nil {
			return err
		}
		end := int64(math.MaxInt64) // the page ends the window: all its seconds are whole
		if n == limit {
			if first == last { // one second fills the page: read it whole
				limit *= 2
				continue
			}
			end = last
		}
		due := x.takeMemory(w, held, inWindow, passed, end)
		out.reset()
		out.add(a, q, passed, end, held)
		out.addDue(w, q, due)
		if err := out.send(fn); err != nil {
			return err
		}
		if end == math.MaxInt64 {
			return nil
		}
		passed, limit = end, exportPage
		after = &cc112.HistoryKey{ReceivedAt: time.Unix(end, 0)} // "" sorts before every ID: the second's records again
	}
}

// archivedPage reads a page of the archive after after into a, but the
// records of incidents held; n counts them all, first and last are the
// seconds of its first and last.
func (x *Index) archivedPage(ctx context.Context, a *Index, from, to time.Time, after *cc112.HistoryKey, limit int, held map[string]int32) (n int, first, last int64, err error) {
	var bad error
	var room [inlineAgencies]uint16
	err = x.archive.ArchivedRecordsAfter(ctx, from, to, after, limit, func(rec []byte) bool {
		var id, number []byte
		var r row
		var codes []uint16
		if id, number, r, codes, bad = a.unpackRecord(rec, room[:0]); bad != nil {
			return false
		}
		if n++; n == 1 {
			first = r.recv
		}
		last = r.recv
		if _, ok := held[string(id)]; !ok {
			bad = a.addDecoded(id, number, r, codes)
		}
		return bad == nil
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return 0, 0, 0, unreadable(err)
	}
	return n, first, last, ctx.Err()
}

// takeMemory reads memory's rows of the window into w and returns the
// rows of w due in this page: those whose second was in [passed, end)
// when held, refreshed from memory (or as held, when the engine has let
// the incident go). A row not held whose second is not passed is held from
// now on. A held row's place is its second when held: an incident whose
// call time is corrected during the download is listed once, as memory
// has it when its place comes.
func (x *Index) takeMemory(w *Index, held map[string]int32, inWindow func(*row) bool, passed, end int64) (due []int32) {
	x.read(func() {
		x.rows.each(func(p int32, r *row) {
			if !inWindow(r) || r.recv < passed {
				return
			}
			if _, ok := held[string(x.idBytes(r))]; ok {
				return
			}
			rec := x.record(p)
			w.putLocked(&rec)
			held[rec.ID], _ = w.find(rec.ID)
		})
		w.rows.each(func(p int32, r *row) {
			if r.recv >= passed && r.recv < end {
				due = append(due, p)
			}
		})
		for _, p := range due {
			if at, ok := x.find(w.id(w.rows.at(p))); ok {
				rec := x.record(at)
				w.setLocked(p, &rec, true)
			}
		}
	})
	return due
}

// exportOut is a page of an export being ordered.
type exportOut struct {
	refs []exportRef
	buf  []Record
}

// exportRef is a row to export, in its index.
type exportRef struct {
	x *Index
	p int32
}

func (o *exportOut) reset() { o.refs = o.refs[:0] }

// add takes the page's archived rows that q selects whose second is in
// [passed, end), but those of an ID held (came into memory after the page
// was read).
func (o *exportOut) add(x *Index, q Query, passed, end int64, skip map[string]int32) {
	sel, ok := x.selector(q)
	if !ok {
		return
	}
	x.rows.each(func(p int32, r *row) {
		if r.recv < passed || r.recv >= end || !sel(r) {
			return
		}
		if _, gone := skip[string(x.idBytes(r))]; gone {
			return
		}
		o.refs = append(o.refs, exportRef{x, p})
	})
}

// addDue takes the rows due of w that q selects.
func (o *exportOut) addDue(w *Index, q Query, due []int32) {
	if sel, ok := w.selector(q); ok {
		for _, p := range due {
			if sel(w.rows.at(p)) {
				o.refs = append(o.refs, exportRef{w, p})
			}
		}
	}
}

// send orders the page as Export does and hands it to fn in chunks.
func (o *exportOut) send(fn func([]Record) error) error {
	slices.SortFunc(o.refs, func(a, b exportRef) int { return exportOrder(a.x, a.x.rows.at(a.p), b.x, b.x.rows.at(b.p)) })
	for refs := o.refs; len(refs) > 0; {
		n := min(len(refs), exportChunk)
		o.buf = o.buf[:0]
		for _, f := range refs[:n] {
			o.buf = append(o.buf, f.x.record(f.p))
		}
		if err := fn(o.buf); err != nil {
			return err
		}
		refs = refs[n:]
	}
	return nil
}
