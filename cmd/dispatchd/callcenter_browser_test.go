package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cc112/internal/testenv"
)

// TestCallCenterInBrowser drives the call-taker screen, the public
// complaint form and the desk in headless Chromium against a real
// dispatchd (web/e2e/callcenter.mjs). DISPATCH_SCREENSHOTS=DIR keeps
// screenshots at wall, 4K and phone size in both languages.
func TestCallCenterInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo = "127.0.0.1:0", t.TempDir(), true
	m.HTTP.AMLAPIKey = "e2e-aml-gateway"                                              // the SMS gateway's own secret
	m.City.Roads = testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson") // street names for the location search
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })

	out := browser.run(t, 2*time.Minute, "callcenter.mjs", []string{m.URL()},
		"AML_API_KEY="+m.HTTP.AMLAPIKey)
	if !strings.Contains(out, "1 passed, 0 failed") {
		t.Fatal("the browser script did not finish")
	}
	// What the browser did is in the engine: one fire with two callers.
	list, err := m.Engine.IncidentsInMemory("active")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, inc := range list {
		found = found || (inc.Category == "fire" && inc.Callers == 2 && inc.Caller != nil && inc.Caller.Phone == "+6281277771120")
	}
	if !found {
		t.Fatal("no fire with two callers from +6281277771120 in the engine")
	}
}
