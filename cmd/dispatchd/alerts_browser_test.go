package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"cc112/auth"
)

// TestAlertsInBrowser drives two dispatcher consoles in Debian's chromium
// (web/e2e/alerts.mjs) against the real server on the demo city: with 40
// incidents open, a new P1 chimes on both, its alert (due after 3 s here)
// shows and its critical sound repeats, counted at the page's WebAudio
// oscillators, until one console acknowledges it; then both are silent,
// and sending a unit clears it. DISPATCH_SCREENSHOTS=DIR keeps its
// screenshots (alerts-*.png) in DIR.
func TestAlertsInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Config.Alerts.UnassignedP1 = 3 * time.Second
	m.AlertTick = 250 * time.Millisecond
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	browser.run(t, 7*time.Minute, "alerts.mjs", nil, "BASE_URL="+m.URL(), "TOKEN="+tokenFor(t, m, auth.Dispatcher))
}
