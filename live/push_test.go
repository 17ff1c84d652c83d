package live

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestPausedClientGetsEveryFrameWhole: a client that stops reading fills
// its socket, so the pushers' non-blocking writes stop short (perhaps
// inside a frame: its end is then left to the writer) and its writer takes
// over. The clients beside it must go on getting every event meanwhile (no
// pusher waits for a full socket), and when it reads again it must get
// every event whole and in order. Whether a pusher's write is cut inside
// a frame here is up to the scheduler: most runs leave the filling to the
// writer, so this does not prove that path.
func TestPausedClientGetsEveryFrameWhole(t *testing.T) {
	// Pings far apart: the paused client answers none while it does not
	// read; and a write may wait as long as the test may.
	f := newFixture(t, Config{PingInterval: time.Minute, PongWait: 2 * time.Minute, WriteWait: time.Minute})
	// A receive buffer of fixed size (it does not grow with reads): 600 such
	// events are more than it and the server's send buffer (≤ 4 MB) hold.
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = conn.(*net.TCPConn).SetReadBuffer(64 << 10)
		}
		return conn, err
	}}
	ws, _, err := d.Dial(f.wsURL(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	paused := &client{t: t, ws: ws}
	if m := paused.mustRead(); m.Type != "snapshot" {
		t.Fatalf("first message %s", m.Type)
	}
	start := f.hub.Stats().Seq

	others := make([]*client, 4) // served by the same pushers as the paused one
	var progress [4]atomic.Uint64
	errs := make(chan error, len(others))
	for k := range others {
		others[k] = f.dial("")
		if m := others[k].mustRead(); m.Type != "snapshot" {
			t.Fatalf("first message %s", m.Type)
		}
		progress[k].Store(start)
		go func(c *client, p *atomic.Uint64) {
			for {
				m, err := c.read()
				if err != nil {
					errs <- nil
					return
				}
				if m.Seq != p.Load()+1 {
					errs <- fmt.Errorf("seq %d after %d", m.Seq, p.Load())
					return
				}
				p.Store(m.Seq)
			}
		}(others[k], &progress[k])
	}

	// Fewer than QueueLen events: the paused client is not cut.
	big := strings.Repeat("x", 16<<10)
	const n = 600
	for k := 0; k < n; k++ {
		f.hub.Publish("test.big", map[string]string{"pad": big})
	}
	final := start + n
	waitFor(t, "the other clients to get every event while one is paused", func() bool {
		for k := range progress {
			if progress[k].Load() < final {
				return false
			}
		}
		return true
	})
	for seq := start + 1; seq <= final; seq++ {
		m, err := paused.read()
		if err != nil {
			t.Fatalf("paused client, reading event %d: %v", seq, err)
		}
		if m.Seq != seq || m.Event != "test.big" {
			t.Fatalf("paused client got %s %d, want test.big %d", m.Event, m.Seq, seq)
		}
	}
	if st := f.hub.Stats(); st.SlowCuts != 0 {
		t.Errorf("%d connections cut, want none", st.SlowCuts)
	}
	for _, c := range others {
		_ = c.ws.Close()
	}
	for range others {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
