package live

import (
	"encoding/json"
	"strings"
	"sync"

	"cc112"
	"cc112/dispatch"
)

// Follower makes a standby's hub serve the leader's feed, as the leader's
// relay (Tap) wrote it to Redis: the same epoch, seqs and bytes as on the
// leader, so a client may move between instances and prove it missed
// nothing. It keeps its own copy of what a snapshot holds (active
// incidents, units, cameras), built from the leader's snapshot and the
// events after it, because the standby's engine, which reads the journal,
// lags the feed.
//
// Until it holds a leader's snapshot (at start, after a gap, a new epoch
// or a Redis outage) the hub serves the standby's own engine in its own
// epoch, as without Redis; each switch closes the connections, whose
// reconnect gets a snapshot of the new epoch.
type Follower struct {
	h     *Hub
	moved func(cc112.Unit) // the unit of each unit.moved, for the standby's engine

	mu        sync.RWMutex
	stopped   bool
	synced    bool
	epoch     string
	seq       uint64
	incidents map[string]*cc112.Incident
	units     map[string]cc112.Unit
	cameras   map[string]cc112.Camera
}

// Follower returns the hub's follower. moved (optional) receives the unit
// of every relayed unit.moved: the standby's API then shows live positions,
// not only the journal's samples.
func (h *Hub) Follower(moved func(cc112.Unit)) *Follower {
	return &Follower{h: h, moved: moved}
}

// relayed is a live message as relayed: an event or a snapshot.
type relayed struct {
	Type      string            `json:"type"`
	Epoch     string            `json:"epoch"`
	Seq       uint64            `json:"seq"`
	Event     string            `json:"event"`
	Data      json.RawMessage   `json:"data"`
	Incidents []*cc112.Incident `json:"incidents"`
	Units     []cc112.Unit      `json:"units"`
	Cameras   []cc112.Camera    `json:"cameras"`
}

// Message takes the next relayed message (a live message's JSON). It
// reports whether the follower is in step with the leader; false asks for
// a snapshot (redisfeed.Subscribe requests one from the leader).
func (f *Follower) Message(payload []byte) bool {
	var m relayed
	if err := json.Unmarshal(payload, &m); err != nil || m.Epoch == "" {
		f.h.log.Warn("live: follower: unreadable relayed message", "err", err)
		return f.InStep() // its seq is missing: the next one shows the gap
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return true
	}
	switch m.Type {
	case "snapshot":
		if f.synced && m.Epoch == f.epoch && m.Seq <= f.seq {
			return true // another follower asked for it
		}
		f.adopt(&m, payload)
		return true
	case "event":
		if !f.synced {
			return false
		}
		if m.Epoch == f.epoch && m.Seq <= f.seq {
			return true // written twice by a retrying relay
		}
		if m.Epoch != f.epoch || m.Seq != f.seq+1 {
			f.h.log.Info("live: follower lost step with the leader's feed; waiting for a snapshot",
				"epoch", f.epoch, "seq", f.seq, "got_epoch", m.Epoch, "got_seq", m.Seq)
			f.synced = false
			return false
		}
		f.apply(&m)
		f.seq = m.Seq
		f.h.ingest(m.Seq, payload, m.Event, m.Data)
		return true
	}
	return f.synced
}

// adopt starts serving the leader's epoch from its snapshot m.
func (f *Follower) adopt(m *relayed, payload []byte) {
	f.incidents = make(map[string]*cc112.Incident, len(m.Incidents))
	for _, inc := range m.Incidents {
		f.incidents[inc.ID] = inc
	}
	f.units = make(map[string]cc112.Unit, len(m.Units))
	for _, u := range m.Units {
		f.units[u.ID] = u
		if f.moved != nil {
			f.moved(u)
		}
	}
	f.cameras = make(map[string]cc112.Camera, len(m.Cameras))
	for _, c := range m.Cameras {
		f.cameras[c.ID] = c
	}
	f.synced, f.epoch, f.seq = true, m.Epoch, m.Seq
	h := f.h
	h.mu.Lock()
	h.switchLocked(m.Epoch, m.Seq, f, true)
	h.snap = newSnapshotCache(m.Epoch, m.Seq, textFrame(payload, nil, nil),
		dispatch.Snapshot{Incidents: m.Incidents, Units: m.Units, Cameras: m.Cameras})
	h.mu.Unlock()
	h.log.Info("live: serving the leader's feed", "epoch", m.Epoch, "seq", m.Seq)
}

// apply updates the copy by the protocol's rule: data is the resource,
// data.id names it, a closed incident leaves the active set.
func (f *Follower) apply(m *relayed) {
	var err error
	switch {
	case strings.HasPrefix(m.Event, "incident."):
		var inc cc112.Incident
		if err = json.Unmarshal(m.Data, &inc); err == nil {
			if inc.Active() {
				f.incidents[inc.ID] = &inc
			} else {
				delete(f.incidents, inc.ID)
			}
		}
	case strings.HasPrefix(m.Event, "unit."):
		var u cc112.Unit
		if err = json.Unmarshal(m.Data, &u); err == nil {
			f.units[u.ID] = u
			if m.Event == cc112.LiveUnitMoved && f.moved != nil {
				f.moved(u)
			}
		}
	case strings.HasPrefix(m.Event, "camera."):
		var c cc112.Camera
		if err = json.Unmarshal(m.Data, &c); err == nil {
			f.cameras[c.ID] = c
		}
	}
	if err != nil {
		f.h.log.Error("live: follower: relayed event", "event", m.Event, "seq", m.Seq, "err", err)
	}
}

// Snapshot is the follower's copy at the hub's seq (the hub's Source while
// it follows).
func (f *Follower) Snapshot(during func()) dispatch.Snapshot {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s := dispatch.Snapshot{Units: make([]cc112.Unit, 0, len(f.units)), Cameras: make([]cc112.Camera, 0, len(f.cameras))}
	for _, inc := range f.incidents {
		s.Incidents = append(s.Incidents, inc.Clone())
	}
	for _, u := range f.units {
		s.Units = append(s.Units, u)
	}
	for _, c := range f.cameras {
		s.Cameras = append(s.Cameras, c)
	}
	if during != nil {
		during()
	}
	s.Sort()
	return s
}

// Resync says messages may have been lost (Redis reconnected): the
// follower waits for a snapshot before it takes events again.
func (f *Follower) Resync() {
	f.mu.Lock()
	f.synced = false
	f.mu.Unlock()
}

// Lost says Redis is unreachable: the hub serves the standby's own engine
// again, in a new epoch, until a leader's snapshot arrives.
func (f *Follower) Lost() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.synced = false
	if f.stopped {
		return
	}
	h := f.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.following {
		h.switchLocked(newEpoch(), 0, h.cfg.Source, false)
		h.log.Info("live: the leader's feed is unreachable; serving this instance's journal")
	}
}

// Stop ends following for good (the standby was promoted): the hub leads
// in a new epoch.
func (f *Follower) Stop() {
	f.mu.Lock()
	f.stopped, f.synced = true, false
	f.mu.Unlock()
	f.h.Lead()
}

// InStep reports whether the follower serves the leader's feed.
func (f *Follower) InStep() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.synced && !f.stopped
}

// ingest appends the leader's message seq (its JSON payload, whose event
// and data are given decoded), with its views for this hub's viewers.
func (h *Hub) ingest(seq uint64, payload []byte, event string, data json.RawMessage) {
	frame := textFrame(payload, nil, nil)
	views := h.decodeViews(event, data) // outside the lock: it decodes
	now := h.cfg.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.following && seq == h.seq+1 {
		if views != nil {
			views.epoch, views.seq = h.epochJSON, seq
		}
		h.appendLocked(now, frame, views)
	}
}
