package live

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
)

// closeReason is the close frame a connection ends with (code 0: none).
type closeReason struct {
	code int
	text string
}

var (
	reasonSlow     = closeReason{websocket.CloseTryAgainLater, "too slow: reconnect with ?epoch=E&since=N to resume"}
	reasonShutdown = closeReason{websocket.CloseGoingAway, "server shutting down: reconnect to resume"}
	reasonBye      = closeReason{websocket.CloseNormalClosure, ""} // answer to the client's close
	reasonGone     = closeReason{}                                 // the client vanished or went silent
	reasonRevoked  = closeReason{websocket.ClosePolicyViolation, "session ended: log in again"}
)

const (
	// readLimit bounds a client's frame: clients only send {"type":"ping"}.
	readLimit = 512
	// closeWait is how long a closing connection waits for the client's
	// close frame, so that closing the socket does not reset data the
	// client has yet to read.
	closeWait = time.Second
	// batchMax is how many frames one write hands to the socket.
	batchMax = 32
)

// conn is one websocket client: a reader goroutine (pongs, the client's
// close, its pings) and a writer goroutine that alone writes data frames.
// Its queue is the hub's buffer itself: sent is its cursor there.
type conn struct {
	h   *Hub
	ws  *websocket.Conn
	net net.Conn

	sent   atomic.Uint64 // seq of the last event handed to the socket
	maxLag atomic.Uint64 // how far behind it may fall before it is cut

	// The writer waits on wake alone (one channel is much cheaper to park
	// on than a select); what it should do is in the flags and in the hub.
	wake     chan struct{}          // cap 1
	pingDue  atomic.Bool            // time to ping the client
	pongDue  atomic.Bool            // the client sent {"type":"ping"}
	pingData atomic.Pointer[[]byte] // the client sent a ping frame: answer it
	done     chan struct{}          // closed when the reader ends

	// Data goes to the socket from the writer, or from a pusher when the
	// socket takes it at once (push.go); wmu makes them take turns and
	// guards what follows, up to viewer.
	wmu      sync.Mutex
	ready    atomic.Bool // the first frame is sent: pushers may write
	rest     []byte      // the end of a frame a pusher's write cut: next to send
	torn     bool        // a write stopped inside a frame
	deadline time.Time   // the socket's write deadline as last set
	// raw is the plain socket's, for the pushers' non-blocking writes (nil
	// when there is none, as under TLS: the writer sends everything).
	raw      syscall.RawConn
	rawWrite func(fd uintptr) bool // c.rawWriteOnce, made once
	rawBuf   []byte
	rawN     int
	// viewer is what personal data the client's user may see (view.go).
	viewer cc112.Viewer
	// release stops watching the session (Config.Watch).
	release func()

	// guarded by h.mu
	stopped atomic.Bool // set under the hub's lock, read by next without it
	reason  closeReason
}

func newConn(h *Hub, ws *websocket.Conn) *conn {
	c := &conn{h: h, ws: ws, net: ws.NetConn(),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	c.usePlainSocket()
	return c
}

// readLoop keeps the read deadline moving while the client answers pings
// and notices when it leaves.
func (c *conn) readLoop() {
	defer close(c.done)
	cfg := &c.h.cfg
	c.ws.SetReadLimit(readLimit)
	alive := func() { _ = c.ws.SetReadDeadline(time.Now().Add(cfg.PongWait)) }
	alive()
	c.ws.SetPongHandler(func(string) error { alive(); return nil })
	// The writer answers: only it writes, except gorilla's own protocol
	// error frame, which is one write and is serialised by the socket.
	c.ws.SetPingHandler(func(data string) error {
		b := []byte(data)
		c.pingData.Store(&b)
		c.signal()
		return nil
	})
	c.ws.SetCloseHandler(func(int, string) error { return nil })
	for {
		typ, r, err := c.ws.NextReader()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.h.stop(c, reasonBye)
				return
			}
			// Gone or silent past PongWait: nothing more can reach it, so
			// the socket is closed now, which also frees a blocked writer.
			c.h.stop(c, reasonGone)
			_ = c.net.Close()
			return
		}
		alive()
		if typ != websocket.TextMessage {
			continue
		}
		msg, err := io.ReadAll(r)
		if err == nil && isPing(msg) {
			c.pongDue.Store(true)
			c.signal()
		}
	}
}

func isPing(msg []byte) bool {
	return bytes.Equal(bytes.Join(bytes.Fields(msg), nil), []byte(`{"type":"ping"}`))
}

// signal wakes the writer.
func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writeLoop sends first (a snapshot, or nothing on resume), then every
// event after the cursor that the pushers left to it, pings and pongs, and
// finally the close frame.
func (c *conn) writeLoop(first []byte) {
	defer c.h.remove(c)
	if c.release != nil {
		defer c.release()
	}
	var batch [batchMax][]byte
	if first != nil {
		c.wmu.Lock()
		err := c.write(first)
		c.wmu.Unlock()
		if err != nil {
			c.finish()
			return
		}
	}
	c.ready.Store(true)
	for {
		c.wmu.Lock()
		idle, err := c.writeNext(batch[:0])
		c.wmu.Unlock()
		clear(batch[:])
		if err != nil {
			c.finish()
			return
		}
		if idle {
			<-c.wake
		}
	}
}

// writeNext sends what is due, under c.wmu: the rest of a frame a pusher
// cut, the frames after the cursor, a pong or a ping. idle: nothing was.
func (c *conn) writeNext(batch [][]byte) (idle bool, err error) {
	if c.rest != nil {
		rest := c.rest
		c.rest = nil
		if err := c.write(rest); err != nil {
			c.torn = true // even when none of it went: the frame's start did
			return false, err
		}
		return false, nil
	}
	frames, last, ok := c.h.next(c, batch, batchMax)
	if !ok {
		return false, errStop
	}
	switch {
	case len(frames) > 0:
		if err = c.write(frames...); err == nil {
			c.sent.Store(last)
		}
	case c.pongDue.Swap(false):
		err = c.write(pongFrame)
	case c.pingData.Load() != nil:
		err = c.control(websocket.PongMessage, *c.pingData.Swap(nil))
	case c.pingDue.Swap(false):
		err = c.control(websocket.PingMessage, nil)
	default:
		return true, nil
	}
	return false, err
}

// errStop: the hub stopped the connection.
var errStop = errors.New("live: connection stopped")

// write hands frames to the socket in one system call. A write that fails
// halfway leaves a partial frame: nothing more may follow it.
func (c *conn) write(frames ...[]byte) error {
	// Moving a deadline costs a timer update: it is moved only when less
	// than half of WriteWait is left, so a write gets WriteWait/2 at least.
	wait := c.h.cfg.WriteWait
	if now := time.Now(); c.deadline.Sub(now) < wait/2 {
		c.deadline = now.Add(wait)
		_ = c.net.SetWriteDeadline(c.deadline)
	}
	bufs := net.Buffers(frames)
	n, err := bufs.WriteTo(c.net)
	if err != nil && n > 0 {
		c.torn = true
	}
	return err
}

// control writes a ping or pong frame through gorilla, which sets its own
// deadline on the socket.
func (c *conn) control(typ int, data []byte) error {
	c.deadline = time.Now().Add(c.h.cfg.WriteWait)
	return c.ws.WriteControl(typ, data, c.deadline)
}

// finish closes the connection: with the close frame the hub asked for,
// then waiting a moment for the client's answer.
func (c *conn) finish() {
	c.h.stop(c, reasonGone) // a write failed: no effect if already stopped
	r := c.h.reasonOf(c)
	c.wmu.Lock()
	whole := !c.torn && c.rest == nil
	if r.code != 0 && whole {
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(r.code, r.text), time.Now().Add(c.h.cfg.WriteWait))
	}
	c.wmu.Unlock()
	if r.code != 0 && whole {
		select {
		case <-c.done:
		case <-time.After(closeWait):
		}
	}
	_ = c.net.Close()
	<-c.done
}

func (h *Hub) reasonOf(c *conn) closeReason {
	h.mu.Lock()
	defer h.mu.Unlock()
	return c.reason
}

// noBuffers is a write buffer pool that is never used: frames are written
// ready-made, so gorilla needs no buffer per connection.
type noBuffers struct{}

func (noBuffers) Get() any { return nil }
func (noBuffers) Put(any)  {}
