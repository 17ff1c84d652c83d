package live

import (
	"github.com/gorilla/websocket"
)

// A hub serves one epoch at a time. A standby's hub switches between its
// own epoch (the changes its engine reads from the journal) and the
// leader's (the leader's messages relayed through Redis, follow.go). A
// switch closes every connection: a client's cursor means nothing in the
// other epoch, and its reconnect gets a snapshot of the new one.

// reasonSwitch closes connections when the hub changes epochs.
var reasonSwitch = closeReason{websocket.CloseServiceRestart, "the feed changed epoch: reconnect to get a snapshot"}

// switchLocked starts epoch at seq with src giving its snapshots. The
// caller holds h.mu (and, when src is a Follower, its lock, so that the
// first snapshot agrees with seq).
func (h *Hub) switchLocked(epoch string, seq uint64, src Source, following bool) {
	h.gen++
	h.setEpochLocked(epoch)
	h.seq, h.source, h.following = seq, src, following
	h.ring = ring{}
	h.snap = nil
	for _, c := range *h.conns.Load() {
		h.stopLocked(c, reasonSwitch)
	}
	h.win.Store(h.ring.view(seq)) // after the stops: see Hub.next
	for t := range h.taps {
		t.signal()
	}
}

// Lead makes the hub number its own engine's changes again, in a new
// epoch: a promoted standby calls it. A hub that already leads is left
// alone (its clients keep their epoch).
func (h *Hub) Lead() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.following {
		h.switchLocked(newEpoch(), 0, h.cfg.Source, false)
	}
}

// Following reports whether the hub serves a leader's feed.
func (h *Hub) Following() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.following
}
