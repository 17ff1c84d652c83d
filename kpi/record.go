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
	// EachArchivedRecord calls fn with the archived records received in
	// [from, to) (a zero bound is open), oldest first, until fn returns
	// false.
	EachArchivedRecord(ctx context.Context, from, to time.Time, fn func(Record) bool) error
}

// ArchiveRecord is the encoded record a journal stores for an archived
// incident.
func ArchiveRecord(inc *cc112.Incident) []byte { return AppendRecord(nil, FromIncident(inc)) }

// recordFormat is the first byte of an encoded record: DecodeRecord
// refuses any other.
const recordFormat = 1

// maxText bounds an encoded record's strings (an ID is a few dozen bytes).
const maxText = 1 << 20

// AppendRecord appends r's compact binary encoding to b: the format byte;
// ID, number, category and district; priority; the call's unix seconds
// and nanoseconds; flags and states; the values the states use; the
// agencies.
func AppendRecord(b []byte, r Record) []byte {
	b = append(b, recordFormat)
	for _, s := range []string{r.ID, r.Number, r.Category, r.District} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, int64(r.Priority))
	b = binary.AppendVarint(b, r.ReceivedAt.Unix())
	b = binary.AppendUvarint(b, uint64(r.ReceivedAt.Nanosecond()))
	states := r.states()
	b = append(b, r.flags(), states)
	for k := range numIntervals {
		if usesValue(State(states >> (2 * k) & 3)) {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Values[k].Seconds))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(r.Agencies)))
	for _, a := range r.Agencies {
		b = appendString(b, a)
	}
	return b
}

// DecodeRecord decodes what AppendRecord wrote; anything else (a byte
// short, one too many, an unknown format or flag) is an error.
func DecodeRecord(b []byte) (Record, error) {
	d := decoder{b: b}
	if f := d.byte(); d.err == nil && f != recordFormat {
		return Record{}, fmt.Errorf("metrics record format %d, this binary reads %d", f, recordFormat)
	}
	var r Record
	for _, s := range []*string{&r.ID, &r.Number, &r.Category, &r.District} {
		*s = d.string()
	}
	r.Priority = int(d.varint(math.MinInt32, math.MaxInt32))
	sec := d.varint(math.MinInt64/2, math.MaxInt64/2)
	nsec := d.uvarint(999_999_999)
	r.ReceivedAt = time.Unix(sec, int64(nsec)).UTC()
	flags, states := d.byte(), d.byte()
	for k := range numIntervals {
		st := State(states >> (2 * k) & 3)
		r.Values[k].State = st
		if usesValue(st) {
			r.Values[k].Seconds = math.Float64frombits(d.uint64())
		}
	}
	if n := d.uvarint(math.MaxUint16); n > 0 {
		r.Agencies = make([]string, 0, min(n, uint64(len(d.b))))
		for range n {
			r.Agencies = append(r.Agencies, d.string())
		}
	}
	if d.err != nil {
		return Record{}, fmt.Errorf("metrics record: %w", d.err)
	}
	if len(d.b) != 0 {
		return Record{}, fmt.Errorf("metrics record: %d bytes after it", len(d.b))
	}
	if flags&^allFlags != 0 {
		return Record{}, fmt.Errorf("metrics record: unknown flags %#x", flags)
	}
	r.setFlags(flags)
	return r, nil
}

// usesValue says whether an interval of that state has seconds to keep.
func usesValue(st State) bool { return st == OK || st == OutOfOrder }

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func (d *decoder) string() string {
	return string(d.bytes(int(d.uvarint(maxText))))
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

func (r *Record) setFlags(f uint8) {
	r.Open, r.Imported = f&rowOpen != 0, f&rowImported != 0
	r.Cancelled, r.ClosedBeforeReceived = f&rowCancelled != 0, f&rowClosedBeforeReceived != 0
}

// states packs the intervals' states, 2 bits each.
func (r *Record) states() uint8 {
	var s uint8
	for k, v := range r.Values {
		s |= uint8(v.State&3) << (2 * k)
	}
	return s
}
