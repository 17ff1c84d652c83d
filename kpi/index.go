package kpi

import (
	"sync"
	"time"
)

// Index holds one precomputed record per incident, kept current by the
// engine (Put is called under the engine's write lock after every change
// of an incident, on replay too), and answers reports over them.
//
// Put never waits for a report in progress: it queues the record and folds
// the queue in only when the index is free, so a supervisor's slow query
// never holds up a dispatcher's command.
type Index struct {
	loc *time.Location

	mu       sync.RWMutex
	rows     []row
	pos      map[string]int32
	cats     interner
	dists    interner
	agencies interner
	open     int

	pendMu  sync.Mutex
	pending []Record

	bufs sync.Pool // *[]float64 value buffers of reports
}

// row is a record with the codes the reports group by, computed once.
type row struct {
	rec    Record
	recv   int64 // unix seconds, for the window filter
	cat    uint16
	dist   uint16
	hour   uint8  // hour of day in the index's zone
	day    int32  // days since 1970-01-01 in the index's zone
	agency uint64 // bit i set: agency code i took part (63 = any beyond 63)
}

// NewIndex returns an empty index; hours and days are in loc (WIB).
func NewIndex(loc *time.Location) *Index {
	if loc == nil {
		loc = time.UTC
	}
	return &Index{loc: loc, pos: map[string]int32{}}
}

// Put adds or replaces the record of an incident.
func (x *Index) Put(r Record) {
	x.pendMu.Lock()
	x.pending = append(x.pending, r)
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
		x.putLocked(&batch[i])
	}
}

func (x *Index) putLocked(r *Record) {
	rw := row{rec: *r, recv: r.ReceivedAt.Unix(), cat: x.cats.code(r.Category), dist: x.dists.code(r.District)}
	local := r.ReceivedAt.In(x.loc)
	rw.hour = uint8(local.Hour())
	rw.day = dayNumber(local)
	for _, a := range r.Agencies {
		rw.agency |= 1 << min(x.agencies.code(a), 63)
	}
	if rw.rec.Open {
		x.open++
	}
	if p, ok := x.pos[r.ID]; ok {
		if x.rows[p].rec.Open {
			x.open--
		}
		x.rows[p] = rw
		return
	}
	x.pos[r.ID] = int32(len(x.rows))
	x.rows = append(x.rows, rw)
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
	x.read(func() { n = len(x.rows) })
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

func (in *interner) code(s string) uint16 {
	if c, ok := in.codes[s]; ok {
		return c
	}
	if in.codes == nil {
		in.codes = map[string]uint16{}
	}
	if len(in.names) >= 1<<16-1 {
		// Absurdly many distinct names: the last code is shared.
		if len(in.names) == 1<<16-1 {
			in.names = append(in.names, otherKey)
		}
		return 1<<16 - 1
	}
	c := uint16(len(in.names))
	in.codes[s] = c
	in.names = append(in.names, s)
	return c
}

func (in *interner) lookup(s string) (uint16, bool) {
	c, ok := in.codes[s]
	return c, ok
}
