package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cc112/internal/testenv"
)

// TestCallCenterInBrowser drives the call-taker screen, the public
// complaint form and the desk in headless Chromium against a real
// dispatchd (web/e2e/callcenter.mjs). CC112_SCREENSHOTS=dir keeps
// screenshots at wall and phone size.
func TestCallCenterInBrowser(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	node := testenv.Tool(t, "node")
	web := filepath.Join(testenv.RepoRoot(), "web")
	if _, err := os.Stat(filepath.Join(web, "node_modules", "playwright-core")); err != nil {
		testenv.Missing(t, "web/node_modules is missing: run scripts/web.sh (make test does)")
	}
	m := NewMain()
	m.Addr, m.StateDir, m.Demo = "127.0.0.1:0", t.TempDir(), true
	m.AMLAPIKey = "e2e-aml-gateway" // the SMS gateway's own secret
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(web, "e2e", "callcenter.mjs"), m.URL(), os.Getenv("CC112_SCREENSHOTS"))
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium, "AML_API_KEY="+m.AMLAPIKey)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("browser test: %v", err)
	}
	if !strings.Contains(string(out), "1 passed, 0 failed") {
		t.Fatal("the browser script did not finish")
	}
	// What the browser did is in the engine: one fire with two callers.
	list, err := m.Engine.Incidents("active")
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
