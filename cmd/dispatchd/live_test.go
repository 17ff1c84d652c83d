package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestLiveFeedThroughMain: the whole server's websocket gives a snapshot,
// then the event of a position posted to the API; a foreign origin is
// refused at the handshake; Close sends 1001 before the HTTP server stops.
func TestLiveFeedThroughMain(t *testing.T) {
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.HTTP.AllowedOrigins = []string{"https://wall.example.org"}
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close(context.Background()) }()
	wsURL := "ws" + strings.TrimPrefix(m.URL(), "http") + "/api/v1/live"
	token := login(t, m.URL(), "dispatcher")
	if _, res, _ := websocket.DefaultDialer.Dial(wsURL, nil); res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: answer %v, want 401", res)
	}

	for origin, want := range map[string]int{
		"https://evil.example.com": http.StatusForbidden,
		"https://wall.example.org": http.StatusSwitchingProtocols,
	} {
		ws, res, _ := websocket.DefaultDialer.Dial(wsURL, http.Header{"Origin": {origin}, "Authorization": {"Bearer " + token}})
		if ws != nil {
			_ = ws.Close()
		}
		if res == nil || res.StatusCode != want {
			t.Fatalf("origin %s: answer %v, want %d", origin, res, want)
		}
	}

	ws, _, err := websocket.DefaultDialer.Dial(wsURL+"?token="+token, nil) // as a browser would
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	read := func() (msg struct {
		Type  string          `json:"type"`
		Seq   uint64          `json:"seq"`
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
		Units []struct {
			ID string `json:"id"`
		} `json:"units"`
	}) {
		t.Helper()
		_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		if err := ws.ReadJSON(&msg); err != nil {
			t.Fatal(err)
		}
		return msg
	}
	snap := read()
	if snap.Type != "snapshot" || len(snap.Units) < 60 {
		t.Fatalf("first message %s with %d units", snap.Type, len(snap.Units))
	}
	unit := snap.Units[0].ID
	status, body, err := postJSON(m.URL()+"/api/v1/units/"+unit+"/position", token, `{"lat":-7.2601,"lon":112.7502}`)
	if err != nil || status != http.StatusOK {
		t.Fatalf("position: %d %s %v", status, body, err)
	}
	ev := read()
	var u struct {
		ID       string `json:"id"`
		Location struct{ Lat, Lon float64 }
	}
	_ = json.Unmarshal(ev.Data, &u)
	if ev.Event != "unit.moved" || ev.Seq != snap.Seq+1 || u.ID != unit || u.Location.Lat != -7.2601 {
		t.Fatalf("got %s seq %d %s, want unit.moved %d of %s", ev.Event, ev.Seq, ev.Data, snap.Seq+1, unit)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("after Close: %v, want close 1001", err)
	}
}

// TestPoliceLiveFeedHasNoCallers: through the whole server, a police
// connection's feed never carries a caller's phone, name or NIK (in the
// snapshot or in the events of an incident with a caller), while a
// dispatcher's does.
func TestPoliceLiveFeedHasNoCallers(t *testing.T) {
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close(context.Background()) }()
	wsURL := "ws" + strings.TrimPrefix(m.URL(), "http") + "/api/v1/live"
	const phone, name, nik = "+6281299887766", "Rina Wati", "3578010101900001"
	calltaker := login(t, m.URL(), "calltaker")
	incident := `{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378},"caller":{"name":"` + name + `","phone":"` + phone + `","nik":"` + nik + `"}}`
	if status, b, err := postJSON(m.URL()+"/api/v1/incidents", calltaker, incident); err != nil || status != http.StatusCreated {
		t.Fatalf("create: %d %s %v", status, b, err)
	}
	dial := func(role string) *websocket.Conn {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL+"?token="+login(t, m.URL(), role), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ws.Close() })
		return ws
	}
	police, dispatcher := dial("police"), dial("dispatcher")
	read := func(ws *websocket.Conn) []byte {
		_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// The snapshot first: once it arrived the connection is subscribed, so
	// the next incident reaches it as an event (not inside the snapshot).
	snaps := map[*websocket.Conn][]byte{police: read(police), dispatcher: read(dispatcher)}
	// A second incident with a caller, as events, and its dispatch.
	if status, b, err := postJSON(m.URL()+"/api/v1/incidents", calltaker, incident); err != nil || status != http.StatusCreated {
		t.Fatalf("create: %d %s %v", status, b, err)
	}
	for _, tc := range []struct {
		ws      *websocket.Conn
		role    string
		callers bool
	}{{police, "police", false}, {dispatcher, "dispatcher", true}} {
		all := append(snaps[tc.ws], read(tc.ws)...) // the snapshot, then incident.created
		if !strings.Contains(string(all), `"incident.created"`) {
			t.Fatalf("%s: no incident.created in %.300s", tc.role, all)
		}
		for _, secret := range []string{phone, name, nik} {
			if strings.Contains(string(all), secret) != tc.callers {
				t.Errorf("%s: %q in the feed = %v, want %v", tc.role, secret, !tc.callers, tc.callers)
			}
		}
	}
}
