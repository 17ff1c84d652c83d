package main

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"
)

// TestEveryPageInBothLanguagesInBrowser opens every page (web/e2e/
// languages.mjs) on a wall and a phone, in Bahasa Indonesia and then in
// English through the page's switch: each page has the switch, changes its
// words and asks the one catalogue for no key it lacks.
// DISPATCH_SCREENSHOTS=DIR keeps the screenshots in DIR.
func TestEveryPageInBothLanguagesInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close(context.Background()) }()

	shots := os.Getenv("DISPATCH_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	browser.run(t, 4*time.Minute, "languages.mjs", nil, "BASE_URL="+m.URL(), "SHOTS="+shots)
}
