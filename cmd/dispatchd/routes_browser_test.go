package main

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"cc112/internal/testenv"
)

// TestRoutesInBrowser drives web/e2e/routes.mjs against dispatchd with the
// demo city on central Surabaya's road network: the route of the
// recommendation under the pointer is drawn on the console, a unit on its
// way shows its route and a running countdown, the unit's phone its route
// and a geo: Navigasi link, and the supervisor the ETA error after the
// arrival. Screenshots in both languages at 1920×1080, 3840×2160 and
// 390×844 (DISPATCH_SCREENSHOTS=DIR keeps them in DIR).
func TestRoutesInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.City.Roads = testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson")
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	if m.roads == nil {
		t.Fatal("the road network was not loaded")
	}
	browser.run(t, 3*time.Minute, "routes.mjs", nil, "BASE_URL="+m.URL())
}
