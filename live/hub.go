package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/dispatch"
)

// Source gives snapshots of the state: the engine. during runs while the
// state cannot change (the engine's read lock); Publish runs under its
// write lock, so the seq read in during matches the snapshot.
type Source interface {
	Snapshot(during func()) dispatch.Snapshot
}

// Config holds what a Hub needs; zero fields take the defaults in brackets.
type Config struct {
	Source Source // required
	Logger *slog.Logger
	// AllowedOrigins are the browser origins ("https://wall.example.org")
	// allowed besides the server's own host.
	AllowedOrigins []string
	// QueueLen is how many events a connection may be behind before it is
	// cut (it will resume) [1024: 10 s at 100 events/s]. A lagging
	// connection costs no memory (its queue is the shared buffer): the
	// bound is about how stale a screen may get, and it forgives a client
	// that the machine did not schedule for a moment.
	QueueLen int
	// The resume buffer keeps at least MinEvents events [100,000] and at
	// least MinAge of them [10 min], but never more than MaxBytes [256 MiB]:
	// past that bound the oldest go and a late resume gets a snapshot.
	MinEvents int
	MinAge    time.Duration
	MaxBytes  int
	// WriteWait bounds one write to a client [5 s]. Every PingInterval [4 s]
	// the client is pinged; a client silent for PongWait [8 s] is cut, so a
	// client that stopped reading is gone within 8 s.
	WriteWait    time.Duration
	PingInterval time.Duration
	PongWait     time.Duration
	// Now is the clock of the buffer's age rule [time.Now].
	Now func() time.Time
	// Viewer says what personal data a connection's user may see (view.go);
	// nil: every connection sees everything. Payloads gives the type of
	// each live event's data (cc112.LiveEvents), which a standby decodes
	// its leader's events into to give each viewer its view
	// (dispatch.LivePayloads and the extensions'); required with Viewer.
	Viewer   func(r *http.Request) cc112.Viewer
	Payloads map[string]func() any
	// Watch, when set, calls end when the session that opened r ends
	// (logout, password change, expiry): the connection is closed then
	// (1008). release is called when the connection ends.
	Watch func(r *http.Request, end func()) (release func())
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.QueueLen, 1024)
	def(&c.MinEvents, 100_000)
	def(&c.MaxBytes, 256<<20)
	defDur(&c.MinAge, 10*time.Minute)
	defDur(&c.WriteWait, 5*time.Second)
	defDur(&c.PingInterval, 4*time.Second)
	defDur(&c.PongWait, 8*time.Second)
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Hub is the live feed: it numbers the engine's changes, keeps them for
// resume and fans them out to every websocket connection. It implements
// dispatch.Publisher and http.Handler (GET /api/v1/live).
type Hub struct {
	cfg      Config
	log      *slog.Logger
	upgrader websocket.Upgrader
	wg       sync.WaitGroup // one per open connection
	quit     chan struct{}  // closed by Close: stops the pinger

	// win is the buffer as connections' writers read it, without a lock:
	// stored (under mu) with every change of ring or seq. A publish never
	// waits for 500 readers to leave a lock, and so never holds up the
	// engine's writer, which publishes under its own lock.
	win atomic.Pointer[window]
	// conns is the open connections, subscribed or finishing: changed under
	// mu, a new slice each time, so that it is read without the lock too.
	// round is the pushers' work after the last publish, pushers their
	// wake-ups (push.go).
	conns   atomic.Pointer[[]*conn]
	round   atomic.Pointer[round]
	pushers []chan struct{}
	// What the pushers left to the connections' writers (Stats).
	handovers, cutPushes atomic.Uint64

	// mu guards what follows.
	mu        sync.RWMutex
	epoch     string
	epochJSON []byte
	seq       uint64 // last published
	// source gives the snapshots of this epoch: cfg.Source, or a Follower
	// mirroring the leader's feed (following, see follow.go); gen counts
	// the epoch switches so that a snapshot taken across one is not used.
	source    Source
	gen       uint64
	following bool
	taps      map[*Tap]struct{}
	ring      ring
	closed    bool
	snap      *snapshotCache // nil: none yet
	cuts      uint64         // connections cut for being too slow
}

var _ dispatch.Publisher = (*Hub)(nil)

// New returns a hub with a new epoch.
func New(cfg Config) (*Hub, error) {
	if cfg.Source == nil {
		return nil, errors.New("live: a source of snapshots is required")
	}
	if cfg.Viewer != nil && cfg.Payloads == nil {
		return nil, errors.New("live: a Viewer needs the Payloads of the live events")
	}
	cfg.setDefaults()
	origins, err := parseOrigins(cfg.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	h := &Hub{cfg: cfg, log: cfg.Logger, source: cfg.Source, taps: map[*Tap]struct{}{},
		quit: make(chan struct{})}
	h.setEpochLocked(newEpoch())
	h.win.Store(h.ring.view(0))
	h.conns.Store(new([]*conn))
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Clients send next to nothing: a small read buffer, and no write
		// buffer at all since frames are written ready-made.
		ReadBufferSize:  256,
		WriteBufferPool: noBuffers{},
		CheckOrigin:     func(r *http.Request) bool { return originAllowed(r, origins) },
		Error:           writeHandshakeError,
	}
	go h.pinger()
	h.startPushers()
	return h, nil
}

// pinger asks every connection's writer to ping its client each
// PingInterval: one timer for the hub instead of one per connection.
func (h *Hub) pinger() {
	t := time.NewTicker(h.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-h.quit:
			return
		case <-t.C:
		}
		// Without the hub's lock: a publish (under the engine's lock) must
		// not wait for 500 wake-ups.
		for _, c := range *h.conns.Load() {
			c.pingDue.Store(true)
			c.signal()
		}
	}
}

// Epoch names this run of the feed: an opaque string, new at every start
// (16 random hex digits), or the leader's while following it (follow.go).
// Seqs are only comparable within one epoch.
func (h *Hub) Epoch() string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.epoch
}

func (h *Hub) setEpochLocked(epoch string) {
	h.epoch, h.epochJSON = epoch, mustJSON(epoch)
}

func newEpoch() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Publish numbers a change and hands it to every connection. The engine
// calls it in order under its write lock: it encodes the message once,
// appends it to the buffer, cuts connections too far behind and wakes the
// others; it never waits for a client. While the hub follows a leader's
// feed, the local engine's changes are not published: the leader's are.
func (h *Hub) Publish(name string, data any) {
	body, err := json.Marshal(data)
	if err != nil { // cannot happen with the engine's types; keep seq gapless anyway
		h.log.Error("live: encode event", "event", name, "err", err)
		body = []byte("null")
	}
	now := h.cfg.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.following {
		return
	}
	frame := textFrame(eventPrefix(h.epochJSON, h.seq+1, name), body, closeBrace)
	h.appendLocked(now, frame, viewsOf(h.epochJSON, h.seq+1, name, data))
}

// appendLocked adds event h.seq+1 (its frame, and its views when its data
// has personal data) to the buffer and wakes whoever reads it: the taps and
// the pushers, which write it to the connections.
func (h *Hub) appendLocked(now time.Time, frame []byte, views *variants) {
	h.seq++
	h.ring.push(h.seq, now, frame, views)
	h.ring.trim(now, h.cfg.MinEvents, h.cfg.MinAge, h.cfg.MaxBytes)
	h.win.Store(h.ring.view(h.seq))
	for t := range h.taps {
		t.signal()
	}
	for _, c := range *h.conns.Load() {
		if c.stopped.Load() {
			continue
		}
		if h.seq-c.sent.Load() > c.maxLag.Load() {
			h.stopLocked(c, reasonSlow)
		}
	}
	h.newRoundLocked()
}

// Stats is a view of the hub for tests and metrics.
type Stats struct {
	Epoch        string
	Seq          uint64
	Conns        int // open connections (subscribed or closing)
	BufferEvents int
	BufferBytes  int
	BufferFirst  uint64 // oldest seq held
	SlowCuts     uint64 // connections cut for falling behind
	// Handovers counts the times a pusher left a connection with frames
	// due to its writer (a full socket, a busy writer); CutPushes those of
	// them where the socket took only part of a frame, whose end the
	// writer sent.
	Handovers, CutPushes uint64
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return Stats{Epoch: h.epoch, Seq: h.seq, Conns: len(*h.conns.Load()),
		BufferEvents: h.ring.n, BufferBytes: h.ring.bytes, BufferFirst: h.ring.first, SlowCuts: h.cuts,
		Handovers: h.handovers.Load(), CutPushes: h.cutPushes.Load()}
}

var errClosed = errors.New("live: hub closed")

// subscribe registers c and returns the frame to send first: a snapshot, or
// nil when c resumes after since in this epoch and the buffer still holds
// every later event. From then on c gets every event after its cursor, so
// there is neither gap nor duplicate.
func (h *Hub) subscribe(c *conn, epoch string, since uint64, resume bool) ([]byte, error) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, errClosed
	}
	if resume && epoch == h.epoch && h.win.Load().has(since) {
		h.addLocked(c, since)
		h.mu.Unlock()
		return nil, nil
	}
	if s := h.snap; s != nil && s.seq == h.seq {
		h.addLocked(c, h.seq)
		h.mu.Unlock()
		return h.snapshotFor(c, s), nil
	}
	h.mu.Unlock()
	s, err := h.snapshot(func(seq uint64) { h.addLocked(c, seq) })
	if err != nil {
		return nil, err
	}
	return h.snapshotFor(c, s), nil
}

// errSwitched: the hub changed epochs while a snapshot was being taken.
var errSwitched = errors.New("live: epoch switched")

// snapshot encodes a snapshot of the current source at the current seq;
// during (optional) runs under the hub's lock at that seq. It retries when
// the hub switches epochs meanwhile, and caches the snapshot.
func (h *Hub) snapshot(during func(seq uint64)) (*snapshotCache, error) {
	for {
		var (
			epoch string
			seq   uint64
			err   error
		)
		h.mu.RLock()
		src, gen := h.source, h.gen
		h.mu.RUnlock()
		snap := src.Snapshot(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			switch {
			case h.closed:
				err = errClosed
			case h.gen != gen:
				err = errSwitched
			default:
				epoch, seq = h.epoch, h.seq
				if during != nil {
					during(seq)
				}
			}
		})
		if errors.Is(err, errSwitched) {
			err = nil
			continue
		}
		if err != nil {
			return nil, err
		}
		s := newSnapshotCache(epoch, seq, encodeSnapshot(epoch, seq, snap), snap)
		h.mu.Lock()
		if h.gen == gen && (h.snap == nil || seq >= h.snap.seq) {
			h.snap = s
		}
		h.mu.Unlock()
		return s, nil
	}
}

func encodeSnapshot(epoch string, seq uint64, s dispatch.Snapshot) []byte {
	msg := snapshotMessage{Type: "snapshot", Epoch: epoch, Seq: seq,
		Incidents: s.Incidents, Units: s.Units, Cameras: s.Cameras}
	if s.Incidents == nil {
		msg.Incidents = []struct{}{}
	}
	body, err := json.Marshal(msg)
	if err != nil {
		panic("live: encode snapshot: " + err.Error()) // our own types: a bug
	}
	return textFrame(body, nil, nil)
}

// addLocked makes c receive the events after seq. A resuming client may
// first catch up on its backlog; after that it may fall QueueLen behind.
func (h *Hub) addLocked(c *conn, seq uint64) {
	c.sent.Store(seq)
	c.maxLag.Store(uint64(h.cfg.QueueLen) + (h.seq - seq))
	h.addConnLocked(c)
	h.wg.Add(1)
}

// stopLocked tells c's writer to close the connection with reason. A
// writer blocked in a write is not interrupted, which could cut a frame in
// half: it notices when the write ends, at the latest after WriteWait.
func (h *Hub) stopLocked(c *conn, r closeReason) {
	if c.stopped.Load() {
		return
	}
	c.reason = r
	c.stopped.Store(true)
	c.signal()
	if r == reasonSlow {
		h.cuts++
	}
}

func (h *Hub) stop(c *conn, r closeReason) {
	h.mu.Lock()
	h.stopLocked(c, r)
	h.mu.Unlock()
}

// next appends to dst the frames c has not been sent yet (at most max) and
// returns the seq of the last one. ok is false when c must stop: told so,
// or so far behind that the buffer no longer holds what it needs.
//
// It takes no lock: the window it reads is immutable. A connection stopped
// by an epoch switch is stopped before the new epoch's window is stored,
// so checking stopped after loading the window never sends c frames of an
// epoch it did not subscribe to.
func (h *Hub) next(c *conn, dst [][]byte, max int) (frames [][]byte, last uint64, ok bool) {
	w := h.win.Load()
	if c.stopped.Load() {
		return dst, 0, false
	}
	sent := c.sent.Load()
	if !w.has(sent) {
		h.stop(c, reasonSlow)
		return dst, 0, false
	}
	frames = w.after(dst, sent, max, &c.viewer)
	if len(frames) == 0 {
		c.maxLag.Store(uint64(h.cfg.QueueLen)) // a resumed backlog is caught up
	}
	return frames, sent + uint64(len(frames)), true
}

func (h *Hub) remove(c *conn) {
	h.mu.Lock()
	h.removeConnLocked(c)
	h.mu.Unlock()
	h.wg.Done()
}

// Close closes every connection with a close frame (1001, going away) and
// waits for them until ctx ends, then drops the rest. Call it before
// http.Server.Shutdown, which does not touch hijacked connections.
// Connections that arrive later are refused the same way.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		close(h.quit)
	}
	h.closed = true
	for _, c := range *h.conns.Load() {
		h.stopLocked(c, reasonShutdown)
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		h.mu.Lock()
		for _, c := range *h.conns.Load() {
			_ = c.net.Close()
		}
		h.mu.Unlock()
		<-done
		return ctx.Err()
	}
}
