package live

import (
	"runtime"
	"slices"
	"sync/atomic"
)

// The hot path of the feed. Waking every connection's writer for every
// event costs two goroutine switches per client per event, and under load
// the wake-ups queue behind each other on the scheduler: an execution trace
// of 500 clients at 100 events/s showed the cores idle most of each
// fan-out, the writers waiting to be scheduled (docs/benchmarks.md, issue
// 21.5). So a publish wakes a few pushers instead (one per core), which
// write the new frames straight to the sockets with non-blocking writes. A connection whose socket is full (or that is busy
// with a snapshot, a ping or its close) is left to its own writer, which
// blocks with a deadline as before: the pushers never wait for a client.

// A round is the connections to serve after a publish. Pushers claim them
// one at a time rather than each owning a share: a pusher whose thread the
// system deschedules holds up one client, not its share of them.
type round struct {
	conns []*conn
	start int          // where in conns the round begins (see newRoundLocked)
	next  atomic.Int64 // how many connections were claimed
}

// startPushers starts one pusher per core; they end with the hub.
func (h *Hub) startPushers() {
	h.round.Store(&round{})
	h.pushers = make([]chan struct{}, runtime.GOMAXPROCS(0))
	for k := range h.pushers {
		h.pushers[k] = make(chan struct{}, 1)
		go h.push(h.pushers[k])
	}
}

// push serves the connections of the newest round until none is left,
// then waits for the next publish.
func (h *Hub) push(wake chan struct{}) {
	var (
		batch   [batchMax][]byte
		scratch []byte
	)
	for {
		r := h.round.Load()
		if i := r.next.Add(1) - 1; i < int64(len(r.conns)) {
			if c := r.conns[(r.start+int(i))%len(r.conns)]; !c.push(batch[:0], &scratch) {
				c.signal()
			}
			clear(batch[:])
			continue
		}
		select {
		case <-wake:
		case <-h.quit:
			return
		}
	}
}

// newRoundLocked runs after every publish, under the hub's lock: a round of
// every connection (a newer round serves what an older one has not yet:
// each push sends everything after the client's cursor), and the pushers
// woken. It begins where the round it replaces had got to, so that under
// a stream of publishes the connections at the end of the list are not
// left to wait behind the first ones every time.
func (h *Hub) newRoundLocked() {
	conns := *h.conns.Load()
	r := &round{conns: conns}
	if old := h.round.Load(); len(old.conns) > 0 && len(conns) > 0 {
		r.start = (old.start + int(min(old.next.Load(), int64(len(old.conns))))) % len(conns)
	}
	h.round.Store(r)
	for _, w := range h.pushers {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// addConnLocked and removeConnLocked change h.conns: a new slice every
// time, so that the rounds and loops holding an older one stay valid
// (connections come and go rarely, events often).
func (h *Hub) addConnLocked(c *conn) {
	list := append(slices.Clip(*h.conns.Load()), c)
	h.conns.Store(&list)
}

func (h *Hub) removeConnLocked(c *conn) {
	list := slices.DeleteFunc(slices.Clone(*h.conns.Load()), func(x *conn) bool { return x == c })
	h.conns.Store(&list)
}

// push writes the frames c has not been sent yet straight to its socket
// without blocking. It reports false when c's writer must take over: the
// socket is full or not a plain socket, the writer is busy or c must stop.
func (c *conn) push(dst [][]byte, scratch *[]byte) bool {
	if c.raw == nil {
		return false
	}
	if !c.ready.Load() || !c.wmu.TryLock() {
		c.h.handovers.Add(1)
		return false
	}
	defer c.wmu.Unlock()
	if c.rest != nil {
		c.h.handovers.Add(1)
		return false
	}
	frames, last, ok := c.h.next(c, dst, batchMax)
	if !ok {
		return false
	}
	if len(frames) == 0 {
		return true
	}
	buf := frames[0]
	if len(frames) > 1 {
		*scratch = (*scratch)[:0]
		for _, f := range frames {
			*scratch = append(*scratch, f...)
		}
		buf = *scratch
	}
	n := c.tryWrite(buf)
	if n == len(buf) {
		c.sent.Store(last)
		// A full batch may have more behind it: the writer fetches it.
		return len(frames) < batchMax
	}
	if n > 0 { // the socket took part of a frame: the writer sends the rest first
		c.rest = append([]byte(nil), buf[n:]...)
		c.sent.Store(last)
		c.h.cutPushes.Add(1)
	}
	c.h.handovers.Add(1)
	return false
}

// tryWrite writes b to the socket without waiting and returns how many
// bytes it took: 0 when it is full, closed or past its write deadline.
func (c *conn) tryWrite(b []byte) int {
	c.rawBuf = b
	err := c.raw.Write(c.rawWrite)
	n := c.rawN
	c.rawBuf, c.rawN = nil, 0
	if err != nil {
		return 0
	}
	return n
}
