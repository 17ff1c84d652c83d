package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/city"
	"cc112/dispatch"
	"cc112/internal/enginetest"
)

// fixture is a real engine on a bolt journal with the demo city, a hub
// publishing its changes and a websocket server in front of it.
type fixture struct {
	t    testing.TB
	eng  *dispatch.Engine
	hub  *Hub
	srv  *httptest.Server
	city *city.Pack
}

func newFixture(t testing.TB, cfg Config) *fixture {
	t.Helper()
	return newFixtureListening(t, cfg, nil)
}

// newFixtureListening is newFixture with the server's listener wrapped by
// wrap (nil: as it is).
func newFixtureListening(t testing.TB, cfg Config, wrap func(net.Listener) net.Listener) *fixture {
	t.Helper()
	eng, city := enginetest.Demo(t)
	quiet := slog.New(slog.DiscardHandler)
	cfg.Source, cfg.Logger = eng, quiet
	hub, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	eng.SetPublisher(hub)
	srv := httptest.NewUnstartedServer(hub)
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hub.Close(ctx)
		srv.Close()
	})
	return &fixture{t: t, eng: eng, hub: hub, srv: srv, city: city}
}

func (f *fixture) wsURL(query string) string {
	u := "ws" + strings.TrimPrefix(f.srv.URL, "http")
	if query != "" {
		u += "?" + query
	}
	return u
}

// dial opens a client; it fails the test unless the upgrade succeeds.
func (f *fixture) dial(query string) *client {
	f.t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(f.wsURL(query), nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		f.t.Fatalf("dial %q: %v (status %d)", query, err, status)
	}
	f.t.Cleanup(func() { _ = ws.Close() })
	return &client{t: f.t, ws: ws}
}

// move posts a position to a unit, as a field unit's phone would.
func (f *fixture) move(unitID string, lat, lon float64) {
	f.t.Helper()
	if _, err := f.eng.UpdatePosition(context.Background(), unitID, dispatch.Position{Lat: &lat, Lon: &lon}); err != nil {
		f.t.Fatal(err)
	}
}

// availableUnits returns the ids of units that can be dispatched.
func (f *fixture) availableUnits() []string {
	var ids []string
	for _, u := range f.eng.Units() {
		if u.Status == cc112.UnitAvailable {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

type client struct {
	t  testing.TB
	ws *websocket.Conn
}

// message is any message of the feed.
type message struct {
	Type      string            `json:"type"`
	Epoch     string            `json:"epoch"`
	Seq       uint64            `json:"seq"`
	Event     string            `json:"event"`
	Data      json.RawMessage   `json:"data"`
	Incidents []json.RawMessage `json:"incidents"`
	Units     []json.RawMessage `json:"units"`
	Cameras   []json.RawMessage `json:"cameras"`
}

func (c *client) read() (message, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(20 * time.Second)) // a hung test, not a timing check
	var m message
	typ, b, err := c.ws.ReadMessage()
	if err != nil {
		return m, err
	}
	if typ != websocket.TextMessage {
		return m, fmt.Errorf("message type %d, want text", typ)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("message %.200s: %w", b, err)
	}
	return m, nil
}

func (c *client) mustRead() message {
	c.t.Helper()
	m, err := c.read()
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

// untilPong sends {"type":"ping"} and returns the messages read before the
// pong.
func (c *client) untilPong() []message {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		c.t.Fatal(err)
	}
	var got []message
	for {
		m := c.mustRead()
		if m.Type == "pong" {
			return got
		}
		got = append(got, m)
	}
}

// closeCode reads until the connection ends and returns the close code
// the server sent (0 when the connection ended without a close frame).
func (c *client) closeCode() int {
	for {
		_, err := c.read()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return 0
	}
}

// view is a client's picture of the city, built from the feed only.
type view struct {
	epoch     string
	seq       uint64
	incidents map[string]json.RawMessage
	units     map[string]json.RawMessage
	cameras   map[string]json.RawMessage
}

// apply takes one message; it refuses any gap or repeat of seq.
func (v *view) apply(m message) error {
	switch m.Type {
	case "snapshot":
		v.epoch, v.seq = m.Epoch, m.Seq
		v.incidents, v.units, v.cameras = byID(m.Incidents), byID(m.Units), byID(m.Cameras)
		return nil
	case "event":
	default:
		return fmt.Errorf("unexpected message type %q", m.Type)
	}
	if v.units == nil {
		return fmt.Errorf("event %d before any snapshot", m.Seq)
	}
	if m.Epoch != v.epoch || m.Seq != v.seq+1 {
		return fmt.Errorf("event %s/%d follows %s/%d: gap or repeat", m.Epoch, m.Seq, v.epoch, v.seq)
	}
	v.seq = m.Seq
	var head struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(m.Data, &head); err != nil || head.ID == "" {
		return fmt.Errorf("event %d %s: data without id: %s", m.Seq, m.Event, m.Data)
	}
	switch m.Event {
	case cc112.LiveIncidentCreated, cc112.LiveIncidentUpdated:
		if head.Status == string(cc112.IncidentClosed) {
			delete(v.incidents, head.ID) // the snapshot holds active incidents only
		} else {
			v.incidents[head.ID] = m.Data
		}
	case cc112.LiveUnitUpdated, cc112.LiveUnitMoved:
		v.units[head.ID] = m.Data
	case cc112.LiveCameraUpdated:
		v.cameras[head.ID] = m.Data
	default:
		return fmt.Errorf("unknown event %q", m.Event)
	}
	return nil
}

func byID(list []json.RawMessage) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, raw := range list {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &head)
		out[head.ID] = raw
	}
	return out
}

// sameAsEngine compares a client's view with the engine's state now.
func sameAsEngine(t *testing.T, name string, v *view, eng *dispatch.Engine) {
	t.Helper()
	snap := eng.Snapshot(nil)
	for _, c := range []struct {
		kind string
		got  map[string]json.RawMessage
		want any
	}{
		{"incidents", v.incidents, snap.Incidents},
		{"units", v.units, snap.Units},
		{"cameras", v.cameras, snap.Cameras},
	} {
		var want []json.RawMessage
		b, _ := json.Marshal(c.want)
		_ = json.Unmarshal(b, &want)
		wantByID := byID(want)
		if len(wantByID) != len(c.got) {
			t.Errorf("%s: %d %s, engine has %d", name, len(c.got), c.kind, len(wantByID))
		}
		for id, w := range wantByID {
			if !sameJSON(c.got[id], w) {
				t.Errorf("%s: %s %s is\n%s\nengine has\n%s", name, c.kind, id, c.got[id], w)
			}
		}
	}
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// waitFor polls cond; the limit only guards against a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func dialRaw(url string, header http.Header) (*websocket.Conn, *http.Response, error) {
	return websocket.DefaultDialer.Dial(url, header)
}
