package kpi

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"cc112"
)

// Archive is where the records of the incidents the engine let go are
// kept (issue 21): each journal stores an archived incident's record,
// encoded by AppendRecord, in the transaction that archives it, and drops
// it in the one that restores it. The index then holds only the incidents
// in memory and reads the rest of a report's window from here.
type Archive interface {
	// EachArchivedRecord calls fn with the encoded records (AppendRecord)
	// of the archived incidents received in [from, to) (a zero bound is
	// open), in any order (the index orders what it exports), until fn
	// returns false. rec is only valid during the call. The index decodes
	// them (a year of a large city is hundreds of thousands: straight
	// into its rows, not into Records).
	EachArchivedRecord(ctx context.Context, from, to time.Time, fn func(rec []byte) bool) error
	// ArchivedRecordsAfter calls fn with at most limit encoded records of
	// the archived incidents received in [from, to), in the order of
	// (received time, ID), those after the key after only (nil: from
	// from), until fn returns false: an export pages the window with it,
	// one short read per page, so that a slow download pins nothing.
	ArchivedRecordsAfter(ctx context.Context, from, to time.Time, after *cc112.HistoryKey, limit int, fn func(rec []byte) bool) error
}

// ArchiveRecord is the encoded record a journal stores for an archived
// incident.
func ArchiveRecord(inc *cc112.Incident) []byte { return AppendRecord(nil, FromIncident(inc)) }

// recordFormat is the first byte of an encoded record: DecodeRecord
// refuses any other.
const recordFormat = 1

// AppendRecord appends r's compact binary encoding to b: the format byte;
// ID, number, category and district; priority; the call's unix seconds
// and nanoseconds; flags and states; the values the states use; the
// agencies.
func AppendRecord(b []byte, r Record) []byte {
	b = append(b, recordFormat)
	for _, s := range []string{r.ID, r.Number, r.Category, r.District} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, int64(clamp(r.Priority)))
	b = binary.AppendVarint(b, r.ReceivedAt.Unix())
	b = binary.AppendUvarint(b, uint64(r.ReceivedAt.Nanosecond()))
	states := r.states()
	b = append(b, r.flags(), states)
	for k := range numIntervals {
		if usesValue(State(states >> (2 * k) & 3)) {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Values[k].Seconds))
		}
	}
	ags := r.Agencies[:min(len(r.Agencies), math.MaxUint8)] // as many as a row keeps
	b = binary.AppendUvarint(b, uint64(len(ags)))
	for _, a := range ags {
		b = appendString(b, a)
	}
	return b
}

// DecodeRecord decodes what AppendRecord wrote; anything else (a byte
// short, one too many, an unknown format or flag) is an error.
func DecodeRecord(b []byte) (Record, error) {
	x := NewIndex(time.UTC)
	if err := x.putEncoded(b, nil); err != nil {
		return Record{}, err
	}
	return x.record(0), nil
}

// putEncoded adds an encoded record's row, decoded in place: no string
// but the names the index has not met yet; nothing for an ID in skip. An
// ID the index holds already is an error. Caller holds mu for writing (or
// owns the index).
func (x *Index) putEncoded(b []byte, skip map[string]int32) error {
	var room [inlineAgencies]uint16
	id, number, r, codes, err := x.unpackRecord(b, room[:0])
	if err != nil {
		return err
	}
	if _, held := skip[string(id)]; held {
		return nil
	}
	return x.addDecoded(id, number, r, codes)
}

// unpackRecord decodes an encoded record into a row of the index's codes
// (its agencies in r.agency and, in order, appended to codes) without
// adding it. id and number are b's bytes.
func (x *Index) unpackRecord(b []byte, codes []uint16) (id, number []byte, r row, _ []uint16, err error) {
	d := decoder{b: b}
	if f := d.byte(); d.err == nil && f != recordFormat {
		return nil, nil, r, codes, fmt.Errorf("metrics record format %d, this binary reads %d", f, recordFormat)
	}
	id, number = d.text(), d.text()
	r = row{cat: x.cats.codeOf(d.text()), dist: x.dists.codeOf(d.text()), priority: int32(d.varint(math.MinInt32, math.MaxInt32))}
	sec := d.varint(math.MinInt64/2, math.MaxInt64/2)
	nsec := d.uvarint(999_999_999)
	r.flags, r.states = d.byte(), d.byte()
	for k := range numIntervals {
		if usesValue(r.state(int(k))) {
			r.vals[k] = math.Float64frombits(d.uint64())
		}
	}
	for range d.uvarint(math.MaxUint8) {
		c := x.agencies.codeOf(d.text())
		codes = append(codes, c)
		r.agency |= 1 << min(c, 63)
	}
	switch {
	case d.err != nil:
		err = fmt.Errorf("metrics record: %w", d.err)
	case len(d.b) != 0:
		err = fmt.Errorf("metrics record: %d bytes after it", len(d.b))
	case r.flags&^allFlags != 0:
		err = fmt.Errorf("metrics record: unknown flags %#x", r.flags)
	}
	if err != nil {
		return nil, nil, r, codes, err
	}
	r.setReceived(time.Unix(sec, int64(nsec)), x.loc)
	return id, number, r, codes, nil
}

// text reads a string's bytes, bounded as a row keeps them.
func (d *decoder) text() []byte {
	return d.bytes(int(d.uvarint(math.MaxUint16)))
}

// usesValue says whether an interval of that state has seconds to keep.
func usesValue(st State) bool { return st == OK || st == OutOfOrder }

// appendString appends s's length and bytes, s cut as a row keeps it.
func appendString(b []byte, s string) []byte {
	s = cut(s)
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// flags packs the record's booleans as a row keeps them.
func (r *Record) flags() uint8 {
	var f uint8
	for _, b := range []struct {
		on   bool
		flag uint8
	}{{r.Open, rowOpen}, {r.Imported, rowImported}, {r.Cancelled, rowCancelled}, {r.ClosedBeforeReceived, rowClosedBeforeReceived}} {
		if b.on {
			f |= b.flag
		}
	}
	return f
}

// states packs the intervals' states, 2 bits each.
func (r *Record) states() uint8 {
	var s uint8
	for k, v := range r.Values {
		s |= uint8(v.State&3) << (2 * k)
	}
	return s
}
