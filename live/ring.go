package live

import (
	"slices"
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

// ring holds the last published events for resume, in seq order, in
// chunks of chunkLen entries. An entry is written once and its chunk never
// reused, and the list of chunks is copied when it changes: a window (what
// view returns) stays valid after later pushes and trims, so connections
// read it without the hub's lock and a publish never waits for a reader.
// The ring itself is not safe for concurrent use: the hub guards it.
type ring struct {
	chunks []*chunk // oldest first; the last may have free slots
	n      int      // entries held
	first  uint64   // seq of the oldest entry (when n > 0)
	bytes  int      // frame bytes + overhead held
}

// chunkLen entries make a chunk: 256 unit.moved frames are ~110 KB, what a
// trimmed but not yet dropped chunk may keep alive.
const chunkLen = 256

type chunk struct {
	base    uint64 // seq of entries[0]
	entries [chunkLen]entry
}

// push appends the frames of event seq (which must follow the last one).
func (r *ring) push(seq uint64, at time.Time, frame []byte, views *variants) {
	if r.n == 0 {
		r.first = seq
	}
	if k := len(r.chunks) - 1; k < 0 || seq-r.chunks[k].base >= chunkLen {
		// A new list: windows handed out keep the old one.
		r.chunks = append(slices.Clip(r.chunks), &chunk{base: seq})
	}
	c := r.chunks[len(r.chunks)-1]
	e := entry{at: at.UnixNano(), frame: frame, views: views}
	c.entries[seq-c.base] = e
	r.n++
	r.bytes += e.size()
}

// at is the entry of seq, which the ring holds.
func (r *ring) at(seq uint64) entry { return entryOf(r.chunks, seq) }

func entryOf(chunks []*chunk, seq uint64) entry {
	off := seq - chunks[0].base
	return chunks[off/chunkLen].entries[off%chunkLen]
}

// trim drops the oldest entries while there are more than minEvents of them
// AND the oldest is older than minAge, and in any case while more than
// maxBytes are held: memory is bounded even at a rate that would make ten
// minutes of events too big; a client that then resumes gets a snapshot. A
// chunk goes (and its frames with it) once all its entries are dropped.
func (r *ring) trim(now time.Time, minEvents int, minAge time.Duration, maxBytes int) {
	cut := now.Add(-minAge).UnixNano()
	for r.n > 0 {
		old := r.at(r.first)
		if !(r.n > minEvents && old.at < cut) && !(maxBytes > 0 && r.bytes > maxBytes && r.n > 1) {
			return
		}
		r.bytes -= old.size()
		r.n--
		r.first++
		if r.n == 0 || r.first-r.chunks[0].base >= chunkLen {
			r.chunks = slices.Clone(r.chunks[1:])
		}
	}
}

// window is a ring's events as a reader sees them: immutable, read without
// the hub's lock. last is the hub's seq (the ring may hold none of it).
type window struct {
	chunks []*chunk
	first  uint64
	n      int
	last   uint64
}

// view is the ring's window when the hub's seq is last.
func (r *ring) view(last uint64) *window {
	return &window{chunks: r.chunks, first: r.first, n: r.n, last: last}
}

// has reports whether every event after seq up to last is held, that is
// whether a client that has seen seq can be served from the ring.
func (r *ring) has(seq, last uint64) bool { return r.view(last).has(seq) }

// after appends to dst the frames of the events after seq, at most max of
// them, as viewer may see them (nil: whole). The caller has checked
// has(seq, last).
func (r *ring) after(dst [][]byte, seq uint64, max int, viewer *cc112.Viewer) [][]byte {
	return r.view(0).after(dst, seq, max, viewer)
}

// has reports whether every event after seq up to w.last is held.
func (w *window) has(seq uint64) bool {
	if seq >= w.last {
		return seq == w.last
	}
	return w.n > 0 && seq+1 >= w.first
}

// after appends to dst the frames of the events after seq, at most max of
// them, as viewer may see them (nil: whole).
func (w *window) after(dst [][]byte, seq uint64, max int, viewer *cc112.Viewer) [][]byte {
	if w.n == 0 || seq+1 < w.first {
		return dst
	}
	for s := seq + 1; s < w.first+uint64(w.n) && max > 0; s++ {
		e := entryOf(w.chunks, s)
		if viewer != nil && e.views != nil {
			dst = append(dst, e.views.frameFor(*viewer, e.frame))
		} else {
			dst = append(dst, e.frame)
		}
		max--
	}
	return dst
}
