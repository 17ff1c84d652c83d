package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cc112/internal/testenv"
)

// TestUnitInBrowser drives the field-unit phone view in Debian's chromium
// (web/e2e/unit.mjs, playwright-core) against the real server with demo
// accounts: the unit logs in, a dispatch arrives live, en route and
// (offline, queued) on scene reach the dispatcher's API. The police page
// has its own test (police_browser_test.go). With
// DISPATCH_UPDATE_SCREENSHOTS=1 it refreshes docs/screenshots/.
func TestUnitInBrowser(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	node := testenv.Tool(t, "node")
	web := filepath.Join(testenv.RepoRoot(), "web")
	if _, err := os.Stat(filepath.Join(web, "node_modules", "playwright-core")); err != nil {
		testenv.Missing(t, "web/node_modules is missing: run scripts/web.sh (make test does)")
	}
	m := NewMain()
	m.Addr, m.StateDir, m.Demo, m.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close(context.Background()) }()

	shots := t.TempDir()
	if os.Getenv("DISPATCH_UPDATE_SCREENSHOTS") != "" {
		shots = filepath.Join(testenv.RepoRoot(), "docs", "screenshots")
	}
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "unit.mjs"))
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "BASE_URL="+m.URL(), "CHROMIUM="+chromium, "SCREENSHOTS="+shots)
	out, err := cmd.CombinedOutput()
	t.Logf("unit.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser scenario failed: %v", err)
	}
}
