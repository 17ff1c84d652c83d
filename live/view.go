package live

import (
	"encoding/json"
	"sync"

	"cc112"
	"cc112/dispatch"
)

// Each connection has a viewer (cc112.Viewer): what personal data it may
// see. Most events carry none (unit.moved, camera.updated) and have one
// frame for everyone. An event whose data is a cc112.Viewed resource keeps
// the resource beside its frame, and each of the resource's views (a few:
// whole, without the caller, the callback number only, hidden) is encoded
// the first time a connection needs it and then shared. A viewer who may
// not see an event at all gets the hidden frame in its place, with the same
// seq, so that its seqs stay consecutive.

// hiddenEvent names the placeholder of an event a viewer may not see.
const hiddenEvent = "hidden"

// variants are the views of one event's data.
type variants struct {
	// data is the event's resource; nil when its type is not known (a
	// relayed event this instance cannot decode): then only viewers who
	// see everything get it, the others its placeholder (fail closed).
	data  cc112.Viewed
	epoch []byte // the epoch's JSON
	seq   uint64
	event string

	mu     sync.Mutex
	frames []variant // made on demand; a resource has a few views
}

type variant struct {
	name  string // the view's name (cc112.Viewed), "" for hidden
	frame []byte
}

// viewsCost is what an event with views counts in the resume buffer, in
// multiples of its whole frame: the frame, the resource held for later
// views, and up to two more views of about its size (the placeholder is
// small). Counted at once so the byte bound holds before views are made.
const viewsCost = 4

// frameFor returns the frame of the event that v may see; whole is the
// frame everyone who sees it whole shares.
func (vs *variants) frameFor(v cc112.Viewer, whole []byte) []byte {
	name := ""
	switch {
	case vs.data != nil:
		name = vs.data.ViewName(v)
	case v.Sight == cc112.SeeAll:
		name = cc112.ViewAll
	}
	if name == cc112.ViewAll {
		return whole
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	for _, x := range vs.frames {
		if x.name == name {
			return x.frame
		}
	}
	var f []byte
	if name == "" {
		f = textFrame(eventPrefix(vs.epoch, vs.seq, hiddenEvent), []byte("null"), closeBrace)
	} else {
		body, err := json.Marshal(vs.data.View(v))
		if err != nil {
			body = []byte("null") // our own types: cannot happen; fail closed
		}
		f = textFrame(eventPrefix(vs.epoch, vs.seq, vs.event), body, closeBrace)
	}
	vs.frames = append(vs.frames, variant{name, f})
	return f
}

// viewsOf returns the variants of an event whose data is data, or nil when
// the data holds no personal data (one frame for everyone).
func viewsOf(epoch []byte, seq uint64, event string, data any) *variants {
	d, ok := data.(cc112.Viewed)
	if !ok {
		return nil
	}
	return &variants{data: d, epoch: epoch, seq: seq, event: event}
}

// decodeViews is viewsOf for a relayed event: its data is decoded into the
// type the vocabulary (Config.Payloads) names. An event not named there, or
// that does not decode, is shown whole only to those who see everything.
// The caller sets the variants' epoch and seq.
func (h *Hub) decodeViews(event string, raw json.RawMessage) *variants {
	mk := h.cfg.Payloads[event]
	if mk == nil {
		if h.cfg.Viewer == nil {
			return nil // nobody is restricted
		}
		return &variants{event: event}
	}
	v := mk()
	if err := json.Unmarshal(raw, v); err != nil {
		h.log.Error("live: relayed event does not decode; shown whole only to full viewers", "event", event, "err", err)
		return &variants{event: event}
	}
	return viewsOf(nil, 0, event, v)
}

// snapshotCache is the newest snapshot encoded, shared by the clients that
// connect at its seq (a wall of screens after a restart), with its views.
type snapshotCache struct {
	epoch string
	seq   uint64
	frame []byte            // everyone's, and the relay's
	state dispatch.Snapshot // what frame encodes, for the views
	views map[string][]byte // by viewer key; guarded by the hub's lock
}

// maxSnapshotViews bounds the views kept of one snapshot (one per unit and
// agency user connected at its seq); past it a view is made per client.
const maxSnapshotViews = 64

// snapshotFor returns s as c's viewer may see it.
func (h *Hub) snapshotFor(c *conn, s *snapshotCache) []byte {
	if c.viewer.Sight == cc112.SeeAll {
		return s.frame
	}
	key := c.viewer.Key()
	h.mu.RLock()
	f := s.views[key]
	h.mu.RUnlock()
	if f != nil {
		return f
	}
	incs := cc112.IncidentsFor(s.state.Incidents, c.viewer)
	same := len(incs) == len(s.state.Incidents)
	for k := 0; same && k < len(incs); k++ {
		same = incs[k] == s.state.Incidents[k]
	}
	f = s.frame
	if !same {
		f = encodeSnapshot(s.epoch, s.seq, dispatch.Snapshot{Incidents: incs, Units: s.state.Units, Cameras: s.state.Cameras})
	}
	h.mu.Lock()
	if len(s.views) < maxSnapshotViews {
		s.views[key] = f
	}
	h.mu.Unlock()
	return f
}

func newSnapshotCache(epoch string, seq uint64, frame []byte, state dispatch.Snapshot) *snapshotCache {
	return &snapshotCache{epoch: epoch, seq: seq, frame: frame, state: state, views: map[string][]byte{}}
}
