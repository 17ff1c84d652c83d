package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cc112/internal/testenv"
)

// TestOfflineMapInBrowser drives web/e2e/offline-map.mjs against dispatchd
// on Surabaya's kelurahan and central road network with no tile server:
// the console, the call-taker and the supervisor draw kecamatan names, and
// zoomed in on a point the kelurahan names and the main roads (issue 19).
func TestOfflineMapInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.City.Dir = filepath.Dir(testenv.SharedData(t, "surabaya_kelurahan_hdx_bps2020.geojson"))
	m.City.Roads = testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson")
	m.HTTP.Tiles.URL = "" // an air-gapped center
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	browser.run(t, 4*time.Minute, "offline-map.mjs", nil, "BASE_URL="+m.URL())
}
