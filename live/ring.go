package live

import (
	"time"

	"cc112"
)

// entry is one published event as it goes on the wire: the whole websocket
// frame (header and JSON), built once and shared by every connection.
type entry struct {
	at    int64 // unix nanoseconds, for the age rule
	frame []byte
	// views are the other viewers' frames of an event with personal data
	// (view.go); nil: everyone gets frame.
	views *variants
}

// size is what the entry costs.
func (e entry) size() int {
	if e.views != nil {
		return viewsCost*len(e.frame) + entryOverhead
	}
	return len(e.frame) + entryOverhead
}

// entryOverhead is what an entry costs besides its frame bytes: the slot in
// the ring (8 bytes of time, 24 of slice header) and the allocator's rounding
// of the frame (about 8 bytes on average). A unit.moved frame is ~420 bytes,
// so 100,000 of them hold ~46 MB.
const entryOverhead = 40

// ring holds the last published events for resume, in seq order. It grows
// by doubling and drops its oldest entries by the rules of trim. Not safe
// for concurrent use: the hub guards it.
type ring struct {
	buf   []entry
	head  int    // index of the oldest entry
	n     int    // entries held
	first uint64 // seq of the oldest entry (when n > 0)
	bytes int    // frame bytes + overhead held
}

// push appends the frames of event seq (which must follow the last one).
func (r *ring) push(seq uint64, at time.Time, frame []byte, views *variants) {
	if r.n == len(r.buf) {
		r.grow()
	}
	if r.n == 0 {
		r.first = seq
	}
	e := entry{at: at.UnixNano(), frame: frame, views: views}
	r.buf[(r.head+r.n)%len(r.buf)] = e
	r.n++
	r.bytes += e.size()
}

func (r *ring) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 1024
	}
	buf := make([]entry, size)
	for k := 0; k < r.n; k++ {
		buf[k] = r.buf[(r.head+k)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}

// trim drops the oldest entries while there are more than minEvents of them
// AND the oldest is older than minAge, and in any case while more than
// maxBytes are held: memory is bounded even at a rate that would make ten
// minutes of events too big; a client that then resumes gets a snapshot.
func (r *ring) trim(now time.Time, minEvents int, minAge time.Duration, maxBytes int) {
	cut := now.Add(-minAge).UnixNano()
	for r.n > 0 {
		old := r.buf[r.head]
		if !(r.n > minEvents && old.at < cut) && !(maxBytes > 0 && r.bytes > maxBytes && r.n > 1) {
			return
		}
		r.bytes -= old.size()
		r.buf[r.head] = entry{} // let the frame be collected
		r.head = (r.head + 1) % len(r.buf)
		r.n--
		r.first++
	}
}

// has reports whether every event after seq up to last is held, that is
// whether a client that has seen seq can be served from the ring.
func (r *ring) has(seq, last uint64) bool {
	if seq >= last {
		return seq == last
	}
	return r.n > 0 && seq+1 >= r.first
}

// after appends to dst the frames of the events after seq, at most max of
// them, as viewer may see them (nil: whole). The caller has checked
// has(seq, last).
func (r *ring) after(dst [][]byte, seq uint64, max int, viewer *cc112.Viewer) [][]byte {
	if r.n == 0 || seq+1 < r.first {
		return dst
	}
	for k := int(seq + 1 - r.first); k < r.n && max > 0; k++ {
		e := r.buf[(r.head+k)%len(r.buf)]
		if viewer != nil && e.views != nil {
			dst = append(dst, e.views.frameFor(*viewer, e.frame))
		} else {
			dst = append(dst, e.frame)
		}
		max--
	}
	return dst
}
