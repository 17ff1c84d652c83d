package live

import (
	"errors"
	"net"
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
// write the new frames straight to the sockets, one non-blocking writev
// each (a batch of shared frames goes in one call, uncopied). A
// connection whose socket is full (or that is busy with a snapshot, a ping
// or its close) is left to its own writer, which blocks with a deadline as
// before: the pushers never wait for a client.
// Over TLS the pushers only wake the writer (one hop more than a publish
// waking it): crypto/tls has no write that gives up when the socket is
// full without breaking the connection.

// A round is the connections to serve after a publish. Pushers claim them
// one at a time rather than each owning a share: a pusher whose thread the
// system deschedules holds up one client, not its share of them.
type round struct {
	conns []*conn
	start int          // where in conns the round begins (see newRoundLocked)
	next  atomic.Int64 // how many connections were claimed
}

// A pusher is one of the goroutines that write new frames straight to the
// sockets. Its raw write's buffers are kept here so that the function
// handed to RawConn.Write is made once, not at every write.
type pusher struct {
	h     *Hub
	wake  chan struct{} // cap 1
	batch [batchMax][]byte
	// The raw write's argument and result (push_writev.go).
	bufs     net.Buffers
	n        int
	rawWrite func(fd uintptr) bool // p.writeOnce
}

// startPushers starts one pusher per core; they end with the hub.
func (h *Hub) startPushers() {
	h.round.Store(&round{})
	h.pushers = make([]*pusher, runtime.GOMAXPROCS(0))
	for k := range h.pushers {
		p := &pusher{h: h, wake: make(chan struct{}, 1)}
		p.rawWrite = p.writeOnce
		h.pushers[k] = p
		go p.run()
	}
}

// run serves the connections of the newest round until none is left, then
// waits for the next publish.
func (p *pusher) run() {
	for {
		r := p.h.round.Load()
		if i := r.next.Add(1) - 1; i < int64(len(r.conns)) {
			if c := r.conns[(r.start+int(i))%len(r.conns)]; !p.push(c) {
				c.signal()
			}
			continue
		}
		select {
		case <-p.wake:
		case <-p.h.quit:
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
	for _, p := range h.pushers {
		poke(p.wake)
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
// socket is full or not a plain socket, the writer is busy (its first frame
// not yet sent, say) or has a cut write's end to send, a full batch may
// have more behind it, or c must stop.
func (p *pusher) push(c *conn) bool {
	if c.raw == nil {
		return false
	}
	if !c.wmu.TryLock() {
		p.h.handovers.Add(1)
		return false
	}
	defer c.wmu.Unlock()
	if len(c.rest) > 0 {
		p.h.handovers.Add(1)
		return false
	}
	due, err := c.sendNext(p.write, p.batch[:0])
	clear(p.batch[:])
	return err == nil && due < batchMax
}

// write is the pushers' way of writing b to c's socket: one non-blocking
// system call, which takes what the socket has room for (b keeps the
// rest). errFull: it did not take everything.
func (p *pusher) write(c *conn, b *net.Buffers) (int, error) {
	p.bufs = *b
	err := c.raw.Write(p.rawWrite)
	n := p.n
	p.bufs, p.n = nil, 0
	consume(b, n)
	if err == nil && len(*b) == 0 {
		return n, nil
	}
	p.h.handovers.Add(1)
	if n > 0 {
		p.h.cutPushes.Add(1)
	}
	return n, errFull
}

// errFull: the socket did not take everything.
var errFull = errors.New("live: socket full")

// consume drops the first n bytes of b, as net.Buffers.WriteTo does with
// what it wrote.
func consume(b *net.Buffers, n int) {
	for len(*b) > 0 && n >= len((*b)[0]) {
		n -= len((*b)[0])
		*b = (*b)[1:]
	}
	if n > 0 {
		(*b)[0] = (*b)[0][n:]
	}
}
