//go:build linux || darwin || openbsd

package live

import (
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestCutFrameIsFinishedByWriter proves the path where a pusher's
// non-blocking write is cut inside a frame and the connection's writer
// sends the frame's end. Both socket buffers are tiny, so a pusher that
// writes a big frame to an idle connection gets only part of it taken; the
// client reads nothing until that has happened, then reads with gorilla's
// parser: every frame must arrive whole, in order and exactly once.
func TestCutFrameIsFinishedByWriter(t *testing.T) {
	const bufSize = 8 << 10
	// No ping while the client does not read, and no write deadline.
	f := newFixtureListening(t, Config{PingInterval: time.Hour, PongWait: time.Hour, WriteWait: time.Hour},
		func(l net.Listener) net.Listener { return sendBufferListener{l, bufSize} })
	d := websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, bufSize)
		})
		return errors.Join(cerr, err)
	}}).DialContext}
	ws, _, err := d.Dial(f.wsURL(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	c := &client{t: t, ws: ws}
	m := c.mustRead()
	if m.Type != "snapshot" {
		t.Fatalf("first message %s", m.Type)
	}

	// A frame far bigger than both socket buffers, whose bytes say which
	// event it is, so that a shifted or spliced frame cannot pass.
	const size = 256 << 10
	pad := func(seq uint64) string {
		return strings.Repeat(string(rune('a'+seq%26)), size) + strconv.FormatUint(seq, 10)
	}
	seq := m.Seq
	publish := func() {
		seq++
		f.hub.Publish("test.big", map[string]string{"pad": pad(seq)})
	}
	expect := func(want uint64) {
		t.Helper()
		m := c.mustRead()
		var data struct{ Pad string }
		if err := json.Unmarshal(m.Data, &data); err != nil || m.Seq != want || m.Event != "test.big" || data.Pad != pad(want) {
			t.Fatalf("read %s %s %d (%d bytes of data, %v), want test.big %d whole",
				m.Type, m.Event, m.Seq, len(m.Data), err, want)
		}
	}

	// The writer is idle once it has sent the snapshot, so the pusher
	// serves the new frame; but it may still be busy when the first
	// frames come, or the socket may hold unacknowledged bytes: the pusher
	// then hands the frame over whole, and the test tries again.
	for attempt := 1; ; attempt++ {
		before := f.hub.Stats()
		publish()
		waitFor(t, "a pusher to leave the connection to its writer", func() bool {
			return f.hub.Stats().Handovers > before.Handovers
		})
		if f.hub.Stats().CutPushes > before.CutPushes {
			t.Logf("cut at attempt %d", attempt)
			break
		}
		if attempt == 20 {
			t.Fatalf("in %d attempts no pusher's write was cut inside a frame", attempt)
		}
		expect(seq)
	}
	// While the writer waits to send the cut frame's end, more frames
	// queue behind it.
	cut := seq
	publish()
	publish()
	for s := cut; s <= seq; s++ {
		expect(s)
	}
	// And nothing after them: a frame sent twice would come before the pong.
	if got := c.untilPong(); len(got) > 0 {
		t.Fatalf("after event %d: %d more messages, the first %s %d", seq, len(got), got[0].Event, got[0].Seq)
	}
	if st := f.hub.Stats(); st.SlowCuts != 0 {
		t.Errorf("%d connections cut, want none", st.SlowCuts)
	}
}

// sendBufferListener gives the connections it accepts a send buffer of
// size bytes.
type sendBufferListener struct {
	net.Listener
	size int
}

func (l sendBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if err := c.(*net.TCPConn).SetWriteBuffer(l.size); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}
