package live

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
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

	sent atomic.Uint64 // seq of the last event handed to the socket
	wake chan struct{} // an event was published (cap 1)
	pong chan struct{} // the client sent {"type":"ping"} (cap 1)
	ping chan []byte   // the client sent a ping frame: its payload (cap 1)
	stop chan struct{} // closed by the hub; reason says why
	done chan struct{} // closed when the reader ends
	torn bool          // a write stopped inside a frame (writer only)
	// redacted connections (police) get frames without callers' identities.
	redacted bool

	// guarded by h.mu
	maxLag  uint64
	stopped bool
	reason  closeReason
}

func newConn(h *Hub, ws *websocket.Conn) *conn {
	return &conn{h: h, ws: ws, net: ws.NetConn(),
		wake: make(chan struct{}, 1), pong: make(chan struct{}, 1), ping: make(chan []byte, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
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
		select {
		case c.ping <- []byte(data):
		default:
		}
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
			c.signal(c.pong)
		}
	}
}

func isPing(msg []byte) bool {
	return bytes.Equal(bytes.Join(bytes.Fields(msg), nil), []byte(`{"type":"ping"}`))
}

func (c *conn) signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// writeLoop sends first (a snapshot, or nothing on resume), then every
// event after the cursor, pings, and finally the close frame.
func (c *conn) writeLoop(first []byte) {
	defer c.h.remove(c)
	cfg := &c.h.cfg
	ticker := time.NewTicker(cfg.PingInterval)
	defer ticker.Stop()
	var batch [batchMax][]byte
	if first != nil {
		if err := c.write(first); err != nil {
			c.finish()
			return
		}
	}
	for {
		frames, last, ok := c.h.next(c, batch[:0], batchMax)
		if !ok {
			c.finish()
			return
		}
		if len(frames) > 0 {
			err := c.write(frames...)
			clear(batch[:])
			if err != nil {
				c.finish()
				return
			}
			c.sent.Store(last)
			continue
		}
		var err error
		select {
		case <-c.wake:
		case <-c.stop:
		case <-c.pong:
			err = c.write(pongFrame)
		case data := <-c.ping:
			err = c.ws.WriteControl(websocket.PongMessage, data, time.Now().Add(cfg.WriteWait))
		case <-ticker.C:
			err = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteWait))
		}
		if err != nil {
			c.finish()
			return
		}
	}
}

// write hands frames to the socket in one system call. A write that fails
// halfway leaves a partial frame: nothing more may follow it.
func (c *conn) write(frames ...[]byte) error {
	_ = c.net.SetWriteDeadline(time.Now().Add(c.h.cfg.WriteWait))
	bufs := net.Buffers(frames)
	n, err := bufs.WriteTo(c.net)
	if err != nil && n > 0 {
		c.torn = true
	}
	return err
}

// finish closes the connection: with the close frame the hub asked for,
// then waiting a moment for the client's answer.
func (c *conn) finish() {
	c.h.stop(c, reasonGone) // a write failed: no effect if already stopped
	r := c.h.reasonOf(c)
	if r.code != 0 && !c.torn {
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(r.code, r.text), time.Now().Add(c.h.cfg.WriteWait))
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
