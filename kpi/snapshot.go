package kpi

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"math"
	"slices"
	"time"
)

// The index is part of the engine's checkpoint (dispatch.Snapshotter):
// copied under the engine's read lock with the engine's own state, so that
// both describe the same journal seq, and restored with it, so that no
// start feeds the index years of archived incidents again.

// snapshotFormat is the version of the rows' encoding; Restore refuses any
// other (the engine then replays the whole journal, and says why). 2: the
// rows of archived incidents are left out (1 held every incident ever
// handled: restored, they would stay in memory for good).
const snapshotFormat = 2

// Snapshot is a copy of the index's state; it encodes itself (JSON) after
// the engine's lock is released.
type Snapshot struct {
	rows     rows
	text     []byte
	more     map[int32][]uint16
	cats     []string
	dists    []string
	agencies []string
	pending  []change
	of       *Index // the zone and hash seed the pending records fold in with
}

// snapshotWire is a Snapshot as stored: the names, and the rows packed in
// a binary form (base64 in the JSON) that decodes without reflection.
type snapshotWire struct {
	Format     int      `json:"format"`
	Count      int      `json:"count"`
	Categories []string `json:"categories"`
	Districts  []string `json:"districts"`
	Agencies   []string `json:"agencies"`
	Rows       []byte   `json:"rows"`
}

// Snapshot copies the state. The engine calls it under its read lock, when
// no Put runs; it waits only for a fold of queued records (which may wait
// for a report in progress).
func (x *Index) Snapshot() any {
	x.pendMu.Lock() // first the queue, then the rows: a record folded in between is in both, which is harmless
	s := &Snapshot{pending: slices.Clone(x.pending), of: x}
	x.pendMu.Unlock()
	x.mu.RLock()
	defer x.mu.RUnlock()
	s.rows = x.rows.share()
	s.text = x.text[:len(x.text):len(x.text)] // only appended: the bytes so far never change
	s.more = maps.Clone(x.more)
	s.cats, s.dists, s.agencies = slices.Clip(x.cats.names), slices.Clip(x.dists.names), slices.Clip(x.agencies.names)
	return s
}

// MarshalJSON encodes the copy, the queued records folded in.
func (s *Snapshot) MarshalJSON() ([]byte, error) {
	x := &Index{loc: s.of.loc, rows: s.rows, text: s.text, more: s.more,
		cats: internerOf(s.cats), dists: internerOf(s.dists), agencies: internerOf(s.agencies)}
	if len(s.pending) > 0 {
		x.seed = s.of.seed
		x.placeAll()
		for i := range s.pending {
			x.applyLocked(&s.pending[i])
		}
	}
	w := snapshotWire{Format: snapshotFormat, Count: x.rows.len(), Categories: x.cats.names, Districts: x.dists.names,
		Agencies: x.agencies.names, Rows: make([]byte, 0, x.rows.len()*64)}
	x.rows.each(func(p int32, _ *row) { w.Rows = x.appendRow(w.Rows, p) })
	return json.Marshal(w)
}

// appendRow encodes the row at p: ID, number, call instant, priority,
// codes, flags, states, the values the states use, agency codes.
func (x *Index) appendRow(b []byte, p int32) []byte {
	r := x.rows.at(p)
	b = binary.AppendUvarint(b, uint64(r.idLen))
	b = binary.AppendUvarint(b, uint64(r.numLen))
	b = append(b, x.text[r.text:r.text+uint64(r.idLen)+uint64(r.numLen)]...)
	b = binary.AppendVarint(b, r.recv)
	b = binary.AppendUvarint(b, uint64(r.nsec))
	b = binary.AppendVarint(b, int64(r.priority))
	b = binary.AppendUvarint(b, uint64(r.cat))
	b = binary.AppendUvarint(b, uint64(r.dist))
	b = append(b, r.flags, r.states)
	for k := range numIntervals {
		if usesValue(r.state(int(k))) {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.vals[k]))
		}
	}
	codes := x.agencyCodes(r, p)
	b = binary.AppendUvarint(b, uint64(len(codes)))
	for _, c := range codes {
		b = binary.AppendUvarint(b, uint64(c))
	}
	return b
}

// Restore decodes a Snapshot into new state and returns what installs it
// in place of the index's (dispatch.Snapshotter). A snapshot that does not
// decode whole and consistent is refused: nothing is installed.
func (x *Index) Restore(data json.RawMessage) (func(), error) {
	var w snapshotWire
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, err
	}
	if w.Format != snapshotFormat {
		return nil, fmt.Errorf("metrics index format %d, this binary reads %d", w.Format, snapshotFormat)
	}
	for _, names := range [][]string{w.Categories, w.Districts, w.Agencies} {
		if len(names) > lastCode+1 {
			return nil, fmt.Errorf("metrics index: %d names in a column", len(names))
		}
	}
	if w.Count < 0 || w.Count > len(w.Rows) {
		return nil, fmt.Errorf("metrics index: %d rows in %d bytes", w.Count, len(w.Rows))
	}
	n := &Index{loc: x.loc, pos: make(map[uint64]int32, w.Count), seed: x.seed,
		cats: internerOf(w.Categories), dists: internerOf(w.Districts), agencies: internerOf(w.Agencies)}
	d := decoder{b: w.Rows}
	for range w.Count {
		if err := n.decodeRow(&d); err != nil {
			return nil, fmt.Errorf("metrics index row %d: %w", n.rows.len(), err)
		}
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("metrics index: %d bytes after the last row", len(d.b))
	}
	return func() {
		x.mu.Lock()
		defer x.mu.Unlock()
		x.pendMu.Lock()
		x.pending = nil // the snapshot holds every record up to its seq
		x.pendMu.Unlock()
		x.rows, x.text, x.dead, x.pos, x.posPeak, x.clash, x.more = n.rows, n.text, 0, n.pos, 0, n.clash, n.more
		x.forgets++ // every row moved
		x.cats, x.dists, x.agencies, x.open = n.cats, n.dists, n.agencies, n.open
	}, nil
}

func (x *Index) decodeRow(d *decoder) error {
	idLen, numLen := d.uvarint(math.MaxUint16), d.uvarint(math.MaxUint16)
	id, number := d.bytes(int(idLen)), d.bytes(int(numLen))
	recv := d.varint(math.MinInt64, math.MaxInt64)
	nsec := d.uvarint(999_999_999)
	r := row{
		priority: int32(d.varint(math.MinInt32, math.MaxInt32)),
		cat:      d.code(len(x.cats.names)),
		dist:     d.code(len(x.dists.names)),
		flags:    d.byte(),
		states:   d.byte(),
	}
	for k := range numIntervals {
		if usesValue(r.state(int(k))) {
			r.vals[k] = math.Float64frombits(d.uint64())
		}
	}
	var room [inlineAgencies]uint16
	codes := append(room[:0], make([]uint16, d.uvarint(math.MaxUint8))...)
	for i := range codes {
		codes[i] = d.code(len(x.agencies.names))
	}
	if d.err != nil {
		return d.err
	}
	if r.flags&^allFlags != 0 {
		return fmt.Errorf("unknown flags %#x", r.flags)
	}
	r.setReceived(time.Unix(recv, int64(nsec)), x.loc)
	return x.addDecoded(id, number, r, codes)
}

// addDecoded adds a decoded row r (its call's instant set) with its ID,
// number and agency codes; an ID the index holds already is an error (an
// unplaced index, see place, neither checks nor maps it).
func (x *Index) addDecoded(id, number []byte, r row, codes []uint16) error {
	if x.pos == nil {
		return x.addRow(id, number, r, codes)
	}
	// As find and place, without making strings of 150,000 IDs.
	h := maphash.Bytes(x.seed, id)
	at, hashed := x.pos[h]
	if _, clashed := x.clash[string(id)]; clashed || hashed && x.sameID(x.rows.at(at), string(id)) {
		return fmt.Errorf("incident %q twice", id)
	}
	p := int32(x.rows.len())
	if hashed {
		if x.clash == nil {
			x.clash = map[string]int32{}
		}
		x.clash[string(id)] = p
	} else {
		x.pos[h] = p
	}
	return x.addRow(id, number, r, codes)
}

// addRow appends row r with its ID, number and agency codes.
func (x *Index) addRow(id, number []byte, r row, codes []uint16) error {
	p := x.rows.add(row{})
	r.text, r.idLen, r.numLen = uint64(len(x.text)), uint16(len(id)), uint16(len(number))
	x.text = append(append(x.text, id...), number...)
	x.setAgencies(&r, p, codes)
	if r.has(rowOpen) {
		x.open++
	}
	x.rows.set(p, r)
	return nil
}

// internerOf rebuilds a column's codes from its names.
func internerOf(names []string) interner {
	in := interner{codes: make(map[string]uint16, len(names)), names: slices.Clone(names)}
	for i, s := range names[:min(len(names), lastCode)] {
		in.codes[s] = uint16(i)
	}
	return in
}

// decoder reads a packed rows buffer; the first error sticks and every
// later read returns zero.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

// uvarint reads a value, refusing one above limit.
func (d *decoder) uvarint(limit uint64) uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	if v > limit {
		d.fail(fmt.Errorf("value %d above %d", v, limit))
		return 0
	}
	return v
}

// code reads a code of a column of n names.
func (d *decoder) code(n int) uint16 {
	v, _ := binary.Uvarint(d.b)
	if d.err == nil && v >= uint64(n) {
		d.fail(fmt.Errorf("code %d of %d names", v, n))
		return 0
	}
	return uint16(d.uvarint(lastCode))
}

func (d *decoder) varint(lo, hi int64) int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	if v < lo || v > hi {
		d.fail(fmt.Errorf("value %d out of [%d, %d]", v, lo, hi))
		return 0
	}
	return v
}

func (d *decoder) bytes(n int) []byte {
	if len(d.b) < n {
		d.fail(errShort)
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) byte() byte {
	if b := d.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) uint64() uint64 {
	if b := d.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}
