package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// follower reads a feed into a view in the background, resuming with
// ?epoch&since when stopAfter events have been read (0: never).
type follower struct {
	f         *fixture
	mu        sync.Mutex
	v         view
	err       error
	resumed   bool
	stopAfter int
}

func (fl *follower) run(query string) {
	c := fl.f.dial(query)
	go func() {
		n := 0
		for {
			m, err := c.read()
			fl.mu.Lock()
			if err == nil {
				err = fl.v.apply(m)
			}
			if err != nil {
				if fl.err == nil {
					fl.err = err
				}
				fl.mu.Unlock()
				return
			}
			n++
			if fl.stopAfter > 0 && n == fl.stopAfter && !fl.resumed {
				fl.resumed = true
				q := fmt.Sprintf("epoch=%s&since=%d", fl.v.epoch, fl.v.seq)
				fl.mu.Unlock()
				_ = c.ws.Close()
				// A new connection continues the same view: any gap,
				// repeat or snapshot-less start shows in apply.
				c = fl.f.dial(q)
				continue
			}
			fl.mu.Unlock()
		}
	}()
}

func (fl *follower) seq() (uint64, error) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return fl.v.seq, fl.err
}

// drive runs one writer's share of a busy hour: incidents created,
// dispatched, units moving, arriving, and closed, on its own units.
func drive(ctx context.Context, eng *dispatch.Engine, units []string, rounds int) error {
	for r := 0; r < rounds; r++ {
		for _, id := range units {
			u, err := eng.Unit(id)
			if err != nil {
				return err
			}
			loc := geo.Point{Lat: u.Location.Lat + 0.001, Lon: u.Location.Lon + 0.001}
			inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: "medical", Location: &loc}, "", "")
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			if _, err := eng.Assign(ctx, inc.ID, id, "", ""); err != nil {
				return fmt.Errorf("assign: %w", err)
			}
			if _, err := eng.SetUnitStatus(ctx, id, cc112.UnitEnroute, "", ""); err != nil {
				return fmt.Errorf("enroute: %w", err)
			}
			for k := 1; k <= 4; k++ {
				lat, lon := u.Location.Lat+0.0002*float64(k), u.Location.Lon+0.0002*float64(k)
				if _, err := eng.UpdatePosition(ctx, id, dispatch.Position{Lat: &lat, Lon: &lon}); err != nil {
					return fmt.Errorf("move: %w", err)
				}
			}
			if _, err := eng.SetUnitStatus(ctx, id, cc112.UnitOnscene, "", ""); err != nil {
				return fmt.Errorf("onscene: %w", err)
			}
			if r%2 == 0 { // leave half of the incidents open for the snapshot
				if _, err := eng.CloseIncident(ctx, inc.ID, "handled", "", ""); err != nil {
					return fmt.Errorf("close: %w", err)
				}
			} else if _, err := eng.SetUnitStatus(ctx, id, cc112.UnitAvailable, "", ""); err != nil {
				return fmt.Errorf("available: %w", err)
			}
		}
	}
	return nil
}

// TestFeedMatchesEngineUnderConcurrentWriters drives the real engine from
// many goroutines while clients connect before, during (snapshot taken
// while events are being published) and reconnect with resume: every
// client must see consecutive seqs and end with exactly the engine's state.
func TestFeedMatchesEngineUnderConcurrentWriters(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	units := f.availableUnits()
	const writers, perWriter, rounds = 6, 2, 6
	if len(units) < writers*perWriter {
		t.Fatalf("demo city has %d available units, need %d", len(units), writers*perWriter)
	}
	var followers []*follower
	start := func(query string, stopAfter int) {
		fl := &follower{f: f, stopAfter: stopAfter}
		fl.run(query)
		followers = append(followers, fl)
	}
	start("", 0)  // before the load
	start("", 40) // resumes during the load

	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(own []string) {
			defer wg.Done()
			errs <- drive(ctx, f.eng, own, rounds)
		}(units[w*perWriter : (w+1)*perWriter])
	}
	// Clients joining while events are published: their snapshot and
	// first seq must agree.
	for _, after := range []uint64{50, 150, 300} {
		base := f.hub.Stats().Seq
		waitFor(t, "events to be published", func() bool { return f.hub.Stats().Seq >= base+after })
		start("", 0)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	start("", 0) // after the load
	final := f.hub.Stats().Seq
	for k, fl := range followers {
		waitFor(t, fmt.Sprintf("follower %d to reach seq %d", k, final), func() bool {
			seq, err := fl.seq()
			if err != nil {
				t.Fatalf("follower %d: %v", k, err)
			}
			return seq >= final
		})
	}
	for k, fl := range followers {
		fl.mu.Lock()
		if fl.stopAfter > 0 && !fl.resumed {
			t.Errorf("follower %d never resumed", k)
		}
		sameAsEngine(t, fmt.Sprintf("follower %d", k), &fl.v, f.eng)
		fl.mu.Unlock()
	}
	if got := final; got < uint64(writers*perWriter*rounds*8) {
		t.Errorf("only %d events published", got)
	}
}

// TestResume covers what a reconnecting client gets: the missed events from
// the buffer, or a snapshot when that is not possible.
func TestResume(t *testing.T) {
	f := newFixture(t, Config{MinEvents: 20, MinAge: -1})
	units := f.availableUnits()
	moves := func(n int) {
		for k := 0; k < n; k++ {
			f.move(units[k%len(units)], -7.25+float64(k)*1e-5, 112.75)
		}
	}
	moves(5)
	c := f.dial("")
	snap := c.mustRead()
	if snap.Type != "snapshot" || snap.Epoch != f.hub.Epoch() || snap.Seq != f.hub.Stats().Seq {
		t.Fatalf("first message %s epoch %s seq %d, want a snapshot of %s at %d",
			snap.Type, snap.Epoch, snap.Seq, f.hub.Epoch(), f.hub.Stats().Seq)
	}
	epoch, seen := snap.Epoch, snap.Seq
	moves(10)
	for k := 0; k < 3; k++ { // the client reads three and drops
		if m := c.mustRead(); m.Seq != seen+1 {
			t.Fatalf("event seq %d after %d", m.Seq, seen)
		}
		seen++
	}
	_ = c.ws.Close()
	moves(10) // 17 missed: still in a buffer of 20

	for _, tc := range []struct {
		name     string
		query    string
		snapshot bool
		from     uint64 // first event expected when not a snapshot
	}{
		{"missed events are replayed", fmt.Sprintf("epoch=%s&since=%d", epoch, seen), false, seen + 1},
		{"up to date: nothing to replay", fmt.Sprintf("epoch=%s&since=%d", epoch, seen+17), false, seen + 18},
		{"another epoch: snapshot", fmt.Sprintf("epoch=%s&since=%d", "0123456789abcdef", seen), true, 0},
		{"seq from the future: snapshot", fmt.Sprintf("epoch=%s&since=%d", epoch, seen+1000), true, 0},
		{"since not a number: snapshot", "epoch=" + epoch + "&since=x", true, 0},
		{"no epoch: snapshot", fmt.Sprintf("since=%d", seen), true, 0},
		{"older than the buffer: snapshot", fmt.Sprintf("epoch=%s&since=%d", epoch, 1), true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.dial(tc.query)
			// The pong to a ping follows what the server sent on subscribing:
			// only then is the hub's seq the one the client starts from.
			early := c.untilPong()
			last := f.hub.Stats().Seq
			f.move(units[0], -7.26, 112.74) // so that an up-to-date client gets one event
			next := func() message {
				if len(early) > 0 {
					m := early[0]
					early = early[1:]
					return m
				}
				return c.mustRead()
			}
			m := next()
			if tc.snapshot {
				if m.Type != "snapshot" || m.Seq != last || m.Epoch != epoch {
					t.Fatalf("got %s seq %d epoch %s, want a snapshot at %d of %s", m.Type, m.Seq, m.Epoch, last, epoch)
				}
				if m = next(); m.Type != "event" || m.Seq != last+1 {
					t.Fatalf("after the snapshot: %s seq %d, want event %d", m.Type, m.Seq, last+1)
				}
				return
			}
			want := tc.from
			for {
				if m.Type != "event" || m.Seq != want || m.Epoch != epoch {
					t.Fatalf("got %s seq %d epoch %s, want event %d", m.Type, m.Seq, m.Epoch, want)
				}
				if m.Seq == last+1 {
					return
				}
				want++
				m = next()
			}
		})
	}
	if st := f.hub.Stats(); st.BufferEvents > 20 {
		t.Errorf("buffer holds %d events, bound is 20", st.BufferEvents)
	}
}

// TestSlowClientIsCut: a client reading too slowly is disconnected with a
// close frame that says so, while the others get every event and the hub
// keeps nothing for it.
func TestSlowClientIsCut(t *testing.T) {
	// Only falling behind may end the slow connection: on a loaded machine
	// filling its socket took longer than the default PongWait (8 s), and
	// the unanswered pings closed it before it was cut.
	f := newFixture(t, Config{QueueLen: 64, MinEvents: 500, MinAge: -1,
		WriteWait: time.Minute, PingInterval: time.Minute, PongWait: 2 * time.Minute})
	fast := []*client{f.dial(""), f.dial("")}
	slow := f.dial("")
	for _, c := range append(fast, slow) {
		if m := c.mustRead(); m.Type != "snapshot" {
			t.Fatalf("first message %s", m.Type)
		}
	}
	start := f.hub.Stats().Seq
	progress := make([]atomic.Uint64, len(fast))
	errs := make(chan error, len(fast))
	for k, c := range fast {
		progress[k].Store(start)
		go func() {
			for {
				m, err := c.read()
				if err != nil {
					errs <- nil
					return
				}
				if m.Seq != progress[k].Load()+1 {
					errs <- fmt.Errorf("fast client %d: seq %d after %d", k, m.Seq, progress[k].Load())
					return
				}
				progress[k].Store(m.Seq)
			}
		}()
	}
	slowCode := make(chan int, 1)
	go func() {
		n := 0
		for {
			_, err := slow.read()
			if err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					slowCode <- ce.Code
				} else {
					slowCode <- -1
				}
				return
			}
			// After ten messages it stops reading until the hub has cut it:
			// slower than the others however loaded the machine is (a client
			// merely sleeping between reads kept up with a publisher slowed
			// by a busy machine). Then it reads on, to the close frame.
			if n++; n == 10 {
				for f.hub.Stats().SlowCuts == 0 {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}
	}()
	// 16 KB events fill the slow client's socket buffers, then its queue.
	// The publisher keeps pace with the fast clients, which must never be
	// cut.
	big := strings.Repeat("x", 16<<10)
	caughtUp := func(seq uint64) bool {
		for k := range progress {
			if progress[k].Load()+16 < seq {
				return false
			}
		}
		return true
	}
	publish := func(name string, pad string) {
		f.hub.Publish(name, map[string]string{"id": name, "pad": pad})
		seq := f.hub.Stats().Seq
		waitFor(t, "the fast clients", func() bool { return caughtUp(seq) })
	}
	for k := 0; f.hub.Stats().SlowCuts == 0; k++ {
		if k == 20000 {
			t.Fatal("20000 events published and the slow client is still connected")
		}
		publish("test.big", big)
	}
	for k := 0; k < 100; k++ { // the others go on
		publish("test.small", "")
	}
	if code := <-slowCode; code != websocket.CloseTryAgainLater {
		t.Errorf("slow client closed with %d, want %d (too slow, resume)", code, websocket.CloseTryAgainLater)
	}
	waitFor(t, "the slow connection to be released", func() bool { return f.hub.Stats().Conns == len(fast) })
	final := f.hub.Stats().Seq
	waitFor(t, "the fast clients to get every event", func() bool { return caughtUp(final + 16) })
	for _, c := range fast {
		_ = c.ws.Close()
	}
	for range fast {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	st := f.hub.Stats()
	if st.SlowCuts != 1 {
		t.Errorf("%d connections cut, want only the slow one", st.SlowCuts)
	}
	if st.BufferEvents > 500 {
		t.Errorf("buffer holds %d events: not bounded by MinEvents 500", st.BufferEvents)
	}
}

// TestSilentClientIsCut: a client that stops reading stops answering pings
// and is cut, while a reading client stays.
func TestSilentClientIsCut(t *testing.T) {
	f := newFixture(t, Config{PingInterval: 20 * time.Millisecond, PongWait: 200 * time.Millisecond})
	alive := f.dial("")
	silent := f.dial("")
	// Each reads its snapshot, so both are subscribed before the count is
	// watched (a dial returns before the server has subscribed the
	// connection); then silent reads no more: its pong handler never runs.
	alive.mustRead()
	silent.mustRead()
	go func() {
		for {
			if _, err := alive.read(); err != nil {
				return
			}
		}
	}()
	waitFor(t, "the silent client to be cut", func() bool { return f.hub.Stats().Conns == 1 })
	time.Sleep(300 * time.Millisecond) // longer than PongWait: the reading client must still be there
	if n := f.hub.Stats().Conns; n != 1 {
		t.Fatalf("%d connections, want the reading client only", n)
	}
}

func TestOrigin(t *testing.T) {
	f := newFixture(t, Config{AllowedOrigins: []string{"https://wall.example.org", " http://10.0.0.5:8080/ "}})
	host := strings.TrimPrefix(f.srv.URL, "http://")
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"", http.StatusSwitchingProtocols}, // not a browser
		{"http://" + host, http.StatusSwitchingProtocols},
		{"https://wall.example.org", http.StatusSwitchingProtocols},
		{"HTTPS://WALL.example.org", http.StatusSwitchingProtocols},
		{"http://10.0.0.5:8080", http.StatusSwitchingProtocols},
		{"https://evil.example.com", http.StatusForbidden},
		{"http://wall.example.org", http.StatusForbidden}, // another scheme is another origin
		{"http://10.0.0.5:8081", http.StatusForbidden},
		{"null", http.StatusForbidden},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			ws, res, err := dialRaw(f.wsURL(""), h)
			if ws != nil {
				_ = ws.Close()
			}
			if res == nil {
				t.Fatalf("no answer: %v", err)
			}
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(res.Header.Get("Content-Type"), "json") {
				t.Errorf("refusal is %q, want the JSON error envelope", res.Header.Get("Content-Type"))
			}
		})
	}
	if _, err := New(Config{Source: f.eng, AllowedOrigins: []string{"wall.example.org"}}); err == nil {
		t.Error("an origin without scheme was accepted")
	}
}

// TestCloseSendsGoingAway: shutting the hub down closes every connection
// with 1001 and refuses new ones the same way.
func TestCloseSendsGoingAway(t *testing.T) {
	f := newFixture(t, Config{})
	clients := []*client{f.dial(""), f.dial(""), f.dial("")}
	for _, c := range clients {
		c.mustRead()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.hub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for k, c := range clients {
		if code := c.closeCode(); code != websocket.CloseGoingAway {
			t.Errorf("client %d: close code %d, want %d", k, code, websocket.CloseGoingAway)
		}
	}
	if n := f.hub.Stats().Conns; n != 0 {
		t.Errorf("%d connections left after Close", n)
	}
	if code := f.dial("").closeCode(); code != websocket.CloseGoingAway {
		t.Errorf("connection after Close: code %d, want %d", code, websocket.CloseGoingAway)
	}
}

// TestClientPing: browsers cannot send ping frames, so a tiny text ping is
// answered; anything else a client sends is ignored.
func TestClientPing(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.dial("")
	c.mustRead()
	for _, msg := range []string{`{"type":"hello"}`, `not json`, ` { "type" : "ping" } `} {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	if m := c.mustRead(); m.Type != "pong" {
		t.Fatalf("got %q, want pong", m.Type)
	}
	// A frame over the read limit ends the connection.
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 4096))); err != nil {
		t.Fatal(err)
	}
	if code := c.closeCode(); code != websocket.CloseMessageTooBig {
		t.Errorf("close code %d after an oversized frame, want %d", code, websocket.CloseMessageTooBig)
	}
}
