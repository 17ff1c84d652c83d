package kpi

import (
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"

	"cc112/internal/shrink"
)

// Index holds one precomputed record per incident, kept current by the
// engine (Put is called under the engine's write lock after every change
// of an incident, on replay too), and answers reports over them.
//
// Put never waits for a report in progress: it queues the record and folds
// the queue in only when the index is free, so a supervisor's slow query
// never holds up a dispatcher's command.
//
// It holds the incidents the engine holds (open, and closed within its
// history window): Forget drops one the engine archived, whose record the
// Archive keeps, and reports read a window's archived records from there
// (UseArchive). A record is packed (row): fixed-size, with no pointer for
// the garbage collector to follow; IDs and numbers are bytes of one
// buffer, names are codes.
type Index struct {
	loc     *time.Location
	archive Archive
	// windows holds a token per report or export holding a window of
	// archived records (maxWindows).
	windows chan struct{}

	mu       sync.RWMutex
	rows     rows
	text     []byte           // the IDs and numbers of the rows, back to back; only appended, until compacted
	dead     int              // bytes of text no row uses any more
	forgets  uint64           // rows forgotten (moved): Export's positions are stale once it changes
	pos      map[uint64]int32 // row of an ID, by the ID's hash
	posPeak  int              // the most pos held when one was forgotten (shrink.Delete)
	clash    map[string]int32 // row of an ID whose hash another ID has already
	seed     maphash.Seed
	more     map[int32][]uint16 // agency codes of the rows with more than inlineAgencies
	cats     interner
	dists    interner
	agencies interner
	open     int

	pendMu  sync.Mutex
	pending []change

	bufs sync.Pool // *[]float64 value buffers of reports
}

// inlineAgencies is how many agencies a row holds itself: an incident
// rarely needs more than three.
const inlineAgencies = 3

// row is one incident's record, packed, with the codes the reports group
// by computed once.
type row struct {
	recv     int64 // unix seconds of the call, for the window filter
	text     uint64
	vals     [numIntervals]float64 // seconds; used when the state says so
	agency   uint64                // bit i set: agency code i took part (63 = any beyond 63)
	nsec     int32                 // the call's nanoseconds
	day      int32                 // days since 1970-01-01 in the index's zone
	priority int32
	idLen    uint16
	numLen   uint16
	cat      uint16
	dist     uint16
	ags      [inlineAgencies]uint16 // agency codes in order of assignment
	nags     uint8                  // how many agencies (beyond inlineAgencies: in Index.more)
	hour     uint8                  // hour of day in the index's zone
	states   uint8                  // 2 bits per interval
	flags    uint8
}

// Flags of a row.
const (
	rowOpen uint8 = 1 << iota
	rowImported
	rowCancelled
	rowClosedBeforeReceived
	allFlags = rowOpen | rowImported | rowCancelled | rowClosedBeforeReceived
)

// change is a queued Put (rec) or Forget (rec.ID).
type change struct {
	rec    Record
	forget bool
}

func (r *row) has(f uint8) bool { return r.flags&f != 0 }

func (r *row) state(k int) State { return State(r.states >> (2 * k) & 3) }

func (r *row) value(k int) Value { return Value{Seconds: r.vals[k], State: r.state(k)} }

// NewIndex returns an empty index; hours and days are in loc (WIB).
func NewIndex(loc *time.Location) *Index {
	if loc == nil {
		loc = time.UTC
	}
	return &Index{loc: loc, pos: map[uint64]int32{}, seed: maphash.MakeSeed()}
}

// UseArchive makes reports and exports read the archived records of
// their window from a (set it before the index is used).
func (x *Index) UseArchive(a Archive) {
	x.archive, x.windows = a, make(chan struct{}, maxWindows)
}

// Put adds or replaces the record of an incident.
func (x *Index) Put(r Record) { x.queue(change{rec: r}) }

// Forget drops the record of an incident the engine archived (nothing
// when it holds none): the archive answers for it from now on.
func (x *Index) Forget(id string) { x.queue(change{rec: Record{ID: id}, forget: true}) }

// Retain forgets the records of the incidents held answers false for
// (dispatch.IncidentState): a restored checkpoint may carry those the
// engine had archived but not yet told Forget of.
func (x *Index) Retain(held func(id string) bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.drainLocked()
	var gone []string
	x.rows.each(func(_ int32, r *row) {
		if id := x.id(r); !held(id) {
			gone = append(gone, id)
		}
	})
	for _, id := range gone {
		x.forgetLocked(id)
	}
}

func (x *Index) queue(c change) {
	x.pendMu.Lock()
	x.pending = append(x.pending, c)
	x.pendMu.Unlock()
	if x.mu.TryLock() {
		x.drainLocked()
		x.mu.Unlock()
	}
}

// drainLocked folds the queued records in. Caller holds mu for writing.
func (x *Index) drainLocked() {
	x.pendMu.Lock()
	batch := x.pending
	x.pending = nil
	x.pendMu.Unlock()
	for i := range batch {
		x.applyLocked(&batch[i])
	}
}

func (x *Index) applyLocked(c *change) {
	if c.forget {
		x.forgetLocked(c.rec.ID)
	} else {
		x.putLocked(&c.rec)
	}
}

func (x *Index) putLocked(r *Record) {
	p, ok := x.find(r.ID)
	if !ok {
		p = x.rows.add(row{})
		x.place(r.ID, p)
	}
	x.setLocked(p, r, ok)
}

// setLocked writes r's row at p: a new row, or one replacing the row of
// the same ID there (old).
func (x *Index) setLocked(p int32, r *Record, old bool) {
	rw := row{cat: x.cats.code(r.Category), dist: x.dists.code(r.District), priority: int32(clamp(r.Priority))}
	rw.setReceived(r.ReceivedAt, x.loc)
	for k, v := range r.Values {
		rw.vals[k] = v.Seconds
	}
	rw.states, rw.flags = r.states(), r.flags()
	var room [inlineAgencies]uint16
	codes := room[:0]
	for _, a := range r.Agencies {
		codes = append(codes, x.agencies.code(a))
	}
	if rw.has(rowOpen) {
		x.open++
	}
	if old {
		was := x.rows.at(p)
		if was.has(rowOpen) {
			x.open--
		}
		rw.text, rw.idLen, rw.numLen = was.text, was.idLen, was.numLen
		if x.number(was) != r.Number {
			x.dead += int(was.idLen) + int(was.numLen)
			rw.text, rw.idLen, rw.numLen = x.appendText(r.ID, r.Number)
		}
	} else {
		rw.text, rw.idLen, rw.numLen = x.appendText(r.ID, r.Number)
	}
	x.setAgencies(&rw, p, codes)
	x.rows.set(p, rw)
	x.compactText()
}

// forgetLocked drops id's row: the last row takes its place.
func (x *Index) forgetLocked(id string) {
	p, ok := x.find(id)
	if !ok {
		return
	}
	r := x.rows.at(p)
	if r.has(rowOpen) {
		x.open--
	}
	x.dead += int(r.idLen) + int(r.numLen)
	x.unplace(id, p)
	delete(x.more, p)
	if last := int32(x.rows.len() - 1); p != last {
		moved := *x.rows.at(last)
		x.unplace(x.id(&moved), last)
		x.place(x.id(&moved), p)
		if codes, ok := x.more[last]; ok {
			x.more[p] = codes
			delete(x.more, last)
		}
		x.rows.set(p, moved)
	}
	x.rows.pop()
	x.forgets++
	x.compactText()
}

// unplace forgets where id's row is (at p).
func (x *Index) unplace(id string, p int32) {
	h := maphash.String(x.seed, cut(id))
	if at, ok := x.pos[h]; ok && at == p {
		shrink.Delete(&x.pos, &x.posPeak, h)
		return
	}
	delete(x.clash, cut(id))
}

// compactText copies the text the rows use into a new buffer once the
// dead bytes outweigh the live ones (a snapshot may still read the old).
func (x *Index) compactText() {
	if x.dead == 0 || x.dead <= len(x.text)-x.dead {
		return
	}
	text := make([]byte, 0, len(x.text)-x.dead)
	for c, chunk := range x.rows.chunks {
		for i := range chunk {
			r := chunk[i]
			n := uint64(r.idLen) + uint64(r.numLen)
			at := uint64(len(text))
			text = append(text, x.text[r.text:r.text+n]...)
			if at != r.text {
				r.text = at
				x.rows.set(int32(c*rowChunk+i), r)
			}
		}
	}
	x.text, x.dead = text, 0
}

func clamp(v int) int { return max(math.MinInt32, min(v, math.MaxInt32)) }

// setReceived fills the call's instant and its hour and day in loc.
func (r *row) setReceived(t time.Time, loc *time.Location) {
	r.recv, r.nsec = t.Unix(), int32(t.Nanosecond())
	local := t.In(loc)
	r.hour = uint8(local.Hour())
	r.day = dayNumber(local)
}

func (r *row) received(loc *time.Location) time.Time {
	return time.Unix(r.recv, int64(r.nsec)).In(loc)
}

// setAgencies stores a row's agency codes (the row at p).
func (x *Index) setAgencies(r *row, p int32, codes []uint16) {
	r.agency, r.nags = 0, uint8(min(len(codes), math.MaxUint8))
	for _, c := range codes {
		r.agency |= 1 << min(c, 63)
	}
	copy(r.ags[:], codes)
	if len(codes) > inlineAgencies {
		if x.more == nil {
			x.more = map[int32][]uint16{}
		}
		x.more[p] = slices.Clone(codes[:r.nags]) // codes may be the caller's stack
	} else {
		delete(x.more, p)
	}
}

// agencyCodes lists a row's agency codes in order of assignment.
func (x *Index) agencyCodes(r *row, p int32) []uint16 {
	if int(r.nags) > inlineAgencies {
		return x.more[p]
	}
	return r.ags[:r.nags]
}

// appendText stores an ID and a number and says where.
func (x *Index) appendText(id, number string) (at uint64, idLen, numLen uint16) {
	id, number = cut(id), cut(number)
	at = uint64(len(x.text))
	x.text = append(append(x.text, id...), number...)
	return at, uint16(len(id)), uint16(len(number))
}

// cut bounds an ID or number to what a row can say (64 KB; the engine's
// are a few dozen bytes).
func cut(s string) string { return s[:min(len(s), math.MaxUint16)] }

func (x *Index) id(r *row) string { return string(x.idBytes(r)) }

func (x *Index) number(r *row) string { return string(x.numberBytes(r)) }

// idBytes and numberBytes are the row's text, not copied.
func (x *Index) idBytes(r *row) []byte { return x.text[r.text : r.text+uint64(r.idLen)] }

func (x *Index) numberBytes(r *row) []byte {
	at := r.text + uint64(r.idLen)
	return x.text[at : at+uint64(r.numLen)]
}

// sameID compares without copying the row's ID.
func (x *Index) sameID(r *row, id string) bool {
	return string(x.text[r.text:r.text+uint64(r.idLen)]) == cut(id)
}

// find is the row of an ID.
func (x *Index) find(id string) (int32, bool) {
	if p, ok := x.pos[maphash.String(x.seed, cut(id))]; ok && x.sameID(x.rows.at(p), id) {
		return p, true
	}
	p, ok := x.clash[cut(id)]
	return p, ok
}

// place records the row of a new ID; nothing in an unplaced index (no
// map of IDs: a report's private window, until placeAll).
func (x *Index) place(id string, p int32) {
	if x.pos == nil {
		return
	}
	h := maphash.String(x.seed, cut(id))
	if _, taken := x.pos[h]; !taken {
		x.pos[h] = p
		return
	}
	if x.clash == nil {
		x.clash = map[string]int32{}
	}
	x.clash[cut(id)] = p
}

// placeAll maps the IDs of an unplaced index.
func (x *Index) placeAll() {
	x.pos = make(map[uint64]int32, x.rows.len())
	x.rows.each(func(p int32, r *row) { x.place(x.id(r), p) })
}

// record unpacks the row at p.
func (x *Index) record(p int32) Record {
	r := x.rows.at(p)
	rec := Record{
		ID: x.id(r), Number: x.number(r), Category: x.cats.names[r.cat], Priority: int(r.priority),
		District: x.dists.names[r.dist], ReceivedAt: r.received(x.loc),
		Open: r.has(rowOpen), Imported: r.has(rowImported), Cancelled: r.has(rowCancelled),
		ClosedBeforeReceived: r.has(rowClosedBeforeReceived),
	}
	for k := range numIntervals {
		rec.Values[k] = r.value(int(k))
	}
	for _, c := range x.agencyCodes(r, p) {
		rec.Agencies = append(rec.Agencies, x.agencies.names[c])
	}
	return rec
}

// dayNumber counts days since 1970-01-01 of t's calendar date in its zone.
func dayNumber(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// read runs fn on a current view of the rows: queued records are folded in
// first, then fn runs under the read lock.
func (x *Index) read(fn func()) {
	x.mu.Lock()
	x.drainLocked()
	x.mu.Unlock()
	x.mu.RLock()
	defer x.mu.RUnlock()
	fn()
}

// Len is the number of incidents indexed.
func (x *Index) Len() int {
	var n int
	x.read(func() { n = x.rows.len() })
	return n
}

// Open is the number of incidents still active.
func (x *Index) Open() int {
	var n int
	x.read(func() { n = x.open })
	return n
}

// interner gives small stable codes to the few distinct strings of a
// column (categories, districts, agencies).
type interner struct {
	codes map[string]uint16
	names []string
}

// lastCode is shared by every name beyond the first 65,535 of a column.
const lastCode = 1<<16 - 1

func (in *interner) code(s string) uint16 {
	if c, ok := in.codes[s]; ok {
		return c
	}
	if in.codes == nil {
		in.codes = map[string]uint16{}
	}
	if len(in.names) >= lastCode {
		// Absurdly many distinct names: the last code is shared.
		if len(in.names) == lastCode {
			in.names = append(in.names, otherKey)
		}
		return lastCode
	}
	c := uint16(len(in.names))
	in.codes[s] = c
	in.names = append(in.names, s)
	return c
}

// codeOf is code for a name's bytes, without a string for a known one.
func (in *interner) codeOf(b []byte) uint16 {
	if c, ok := in.codes[string(b)]; ok {
		return c
	}
	return in.code(string(b))
}

func (in *interner) lookup(s string) (uint16, bool) {
	c, ok := in.codes[s]
	return c, ok
}
