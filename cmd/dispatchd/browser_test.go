package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// TestConsoleInBrowser drives the dispatcher console in Debian's chromium
// (web/e2e/console.mjs, with playwright-core) against the real server:
// an incident created on one page appears on a second, a one-click
// dispatch changes the unit on both, and after the server cuts every
// connection the pages resume with no event missed.
//
// DISPATCH_SCREENSHOTS=DIR keeps its screenshots in DIR.
func TestConsoleInBrowser(t *testing.T) {
	browser := needBrowser(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cut := &cutListener{Listener: ln, conns: map[*trackedConn]struct{}{}}
	m := NewMain()
	m.Listener = cut
	m.Store.StateDir = t.TempDir()
	m.City.Demo, m.City.Sim = true, false
	m.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		closeCtx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = m.Close(closeCtx)
	}()
	control := httptest.NewServer(controlHandler(t, m, cut))
	defer control.Close()

	browser.run(t, 4*time.Minute, "console.mjs", nil,
		"BASE_URL="+m.URL(), "CONTROL_URL="+control.URL)
}

// controlHandler is what the browser script asks of the server's side:
// cut every connection and refuse new ones (as a failing network would),
// change the state meanwhile, and let clients back in.
func controlHandler(t *testing.T, m *Main, cut *cutListener) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /drop", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"cut": cut.cutAll()})
	})
	mux.HandleFunc("POST /resume", func(w http.ResponseWriter, r *http.Request) {
		cut.setPaused(false)
	})
	// mutate makes changes the disconnected pages must catch up on: two
	// incidents, one dispatched by the response plan, one unit off duty.
	mux.HandleFunc("POST /mutate", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var numbers []string
		for k, c := range []cc112.Category{cc112.CatFlood, cc112.CatMedical} {
			p := geo.Point{Lat: -7.29 + float64(k)*0.01, Lon: 112.74}
			inc, err := m.Engine.CreateIncident(ctx, dispatch.NewIncident{Category: c, Priority: 2, Location: &p, Address: "Jl. Darmo"}, "", "")
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			numbers = append(numbers, inc.Number)
			if k == 0 {
				if _, err := m.Engine.AutoAssign(ctx, inc.ID, "", ""); err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
			}
		}
		if _, err := m.Engine.SetUnitStatus(ctx, "u-dkp-12", cc112.UnitOffduty, "", ""); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"numbers": numbers, "offduty": "u-dkp-12"})
	})
	return mux
}

// cutListener tracks the server's connections so that a test can cut them
// all at once, websockets included (http.Server forgets hijacked ones).
type cutListener struct {
	net.Listener
	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	paused bool
}

func (l *cutListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if l.paused {
			l.mu.Unlock()
			go refuse(c)
			continue
		}
		tc := &trackedConn{Conn: c, l: l}
		l.conns[tc] = struct{}{}
		l.mu.Unlock()
		return tc, nil
	}
}

// refuse closes a connection made while the network is down once its
// request came (or after a second), so that the browser reads the close
// before any answer ("Connection closed before receiving a handshake
// response" on a websocket). Closed at once, the request crosses the close
// and the browser's words depend on the timing: this way every run meets
// the one that is otherwise rare.
func refuse(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = c.Read(make([]byte, 64<<10))
	_ = c.Close()
}

// cutAll closes every open connection and refuses new ones until
// setPaused(false); it returns how many it closed.
func (l *cutListener) cutAll() int {
	l.mu.Lock()
	l.paused = true
	list := make([]*trackedConn, 0, len(l.conns))
	for c := range l.conns {
		list = append(list, c)
	}
	l.mu.Unlock()
	for _, c := range list {
		_ = c.Close()
	}
	return len(list)
}

func (l *cutListener) setPaused(p bool) {
	l.mu.Lock()
	l.paused = p
	l.mu.Unlock()
}

type trackedConn struct {
	net.Conn
	l    *cutListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// testWriter sends the server's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}
