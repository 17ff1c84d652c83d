package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"cc112/auth"
)

// TestMoveUpsInBrowser drives the dispatcher console and a unit's phone
// in Debian's chromium (web/e2e/moveups.mjs) against the real server on
// the demo city: the console lists move-ups, one click sends one, and the
// phone shows its post as soon as its unit is relocated. With
// DISPATCH_SCREENSHOTS=DIR it keeps moveup-*.png in DIR.
func TestMoveUpsInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	browser.run(t, 10*time.Minute, "moveups.mjs", nil, "BASE_URL="+m.URL(), "TOKEN="+tokenFor(t, m, auth.Dispatcher),
		"UNIT_ID="+m.DemoUnit)
}
