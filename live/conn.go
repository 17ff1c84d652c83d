package live

import (
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
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
	// guards what follows, up to viewer. A connection is born with wmu
	// held, which its writer lets go once the first frame is in rest: no
	// event may go before it.
	wmu sync.Mutex
	// rest is what must go before anything else: the first frame, or the
	// end of a write cut short (slices of the shared frames, read only).
	rest     net.Buffers
	deadline time.Time // the socket's write deadline as last set
	// raw is the plain socket's, for the pushers' non-blocking writes (nil
	// when there is none, as under TLS: the writer sends everything).
	raw syscall.RawConn
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
	c.wmu.Lock() // until writeLoop has the first frame
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
	// The writer answers pings. gorilla itself writes a close frame from
	// this goroutine, outside wmu, when the client breaks the protocol or
	// sends more than readLimit: one write, so its bytes do not mix with
	// another's, but it may land between a cut frame and its end. The
	// connection ends right after (NextReader fails, the socket is closed):
	// such a client may get a garbled last frame instead of the close.
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
func (c *conn) signal() { poke(c.wake) }

// poke wakes whoever waits on ch (of capacity 1) without waiting itself: a
// wake-up already due covers this one.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
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
	if first != nil {
		c.rest = net.Buffers{first}
	}
	c.wmu.Unlock() // held since newConn
	var batch [batchMax][]byte
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

// writeNext sends what is due, under c.wmu: rest, the frames after the
// cursor, a pong or a ping. idle: nothing was.
func (c *conn) writeNext(batch [][]byte) (idle bool, err error) {
	if len(c.rest) > 0 {
		_, err = c.writeAll(&c.rest)
		if len(c.rest) == 0 {
			c.rest = nil
		}
		return false, err
	}
	due, err := c.sendNext((*conn).writeAll, batch)
	if due > 0 || err != nil {
		return false, err
	}
	switch {
	case c.pongDue.Swap(false):
		c.rest = net.Buffers{pongFrame} // sent next, like a frame's end
	case c.pingData.Load() != nil:
		err = c.control(websocket.PongMessage, *c.pingData.Swap(nil))
	case c.pingDue.Swap(false):
		err = c.control(websocket.PingMessage, nil)
	default:
		return true, nil
	}
	return false, err
}

// sendNext writes the frames after c's cursor (at most batchMax; batch is
// room for them), under c.wmu, with write: a pusher's non-blocking write or
// the writer's blocking one, each taking what it wrote from the front of
// its buffers. Once any byte is written the cursor moves past the batch,
// and what is left goes to rest, to be sent before anything else. It
// returns how many frames were due.
func (c *conn) sendNext(write func(*conn, *net.Buffers) (int, error), batch [][]byte) (due int, err error) {
	frames, last, ok := c.h.next(c, batch, batchMax)
	if !ok {
		return 0, errStop
	}
	if len(frames) == 0 {
		return 0, nil
	}
	bufs := net.Buffers(frames)
	n, err := write(c, &bufs)
	if n > 0 {
		c.sent.Store(last)
		if len(bufs) > 0 {
			c.rest = slices.Clone(bufs) // bufs is in the caller's batch
		}
	}
	return len(frames), err
}

// errStop: the hub stopped the connection.
var errStop = errors.New("live: connection stopped")

// writeAll is the writer's way of writing b to the socket: it blocks until
// every byte is written, or the socket fails or is past its deadline.
func (c *conn) writeAll(b *net.Buffers) (int, error) {
	// Moving a deadline costs a timer update: it is moved only when less
	// than half of WriteWait is left, so a write gets WriteWait/2 at least.
	wait := c.h.cfg.WriteWait
	if now := time.Now(); c.deadline.Sub(now) < wait/2 {
		c.deadline = now.Add(wait)
		_ = c.net.SetWriteDeadline(c.deadline)
	}
	n, err := b.WriteTo(c.net)
	return int(n), err
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
	whole := len(c.rest) == 0 // else the socket stopped inside a frame
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
