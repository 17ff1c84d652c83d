package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPagingInBrowser drives Web Push paging on the unit's phone in
// Debian's chromium (web/e2e/paging.mjs): with the service worker
// registered and notifications allowed, a dispatch is pushed to a push
// service on loopback (encrypted, VAPID-signed, urgent), delivered to the
// worker, shown as a notification, and its tap opens the assignment; then
// TERIMA, an out-of-order tap that asks first, messages both ways with a
// canned one, and a cancel that shows one loud message and is pushed. The
// console shows the acknowledgement, the overdue alert (the timeout is 3 s
// here) and the messages, live.
func TestPagingInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Paging.AckTimeout = 3 * time.Second
	// Two hospitals of the city and a market, for the transport.
	m.City.POI = filepath.Join(t.TempDir(), "poi.geojson")
	if err := os.WriteFile(m.City.POI, []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"RSUD Dr. Soetomo","amenity":"hospital"},"geometry":{"type":"Point","coordinates":[112.7580,-7.2683]}},
		{"type":"Feature","properties":{"name":"RS Darmo"},"geometry":{"type":"Point","coordinates":[112.7378,-7.2869]}},
		{"type":"Feature","properties":{"name":"Pasar Atom","amenity":"marketplace"},"geometry":{"type":"Point","coordinates":[112.7430,-7.2400]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	browser.run(t, 3*time.Minute, "paging.mjs", nil, "BASE_URL="+m.URL())
}
