package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestIncidentRecordInBrowser drives the console's history tab and the
// incident panel's record edits in headless Chromium against a real
// dispatchd (web/e2e/record.mjs): a cancelled incident found by a note's
// words opens read-only with its log and is reopened; a location typed
// outside the service area is saved only with a reason; a duplicate is
// merged. DISPATCH_SCREENSHOTS=DIR keeps screenshots (three sizes, both
// languages).
func TestIncidentRecordInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })

	out := browser.run(t, 3*time.Minute, "record.mjs", []string{m.URL()})
	if !strings.Contains(out, "1 passed, 0 failed") {
		t.Fatal("the browser script did not finish")
	}
}
