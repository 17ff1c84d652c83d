package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cc112/internal/testenv"
)

// browserEnv is what the browser tests need: Debian's chromium, node, and
// web/ with its npm packages and the vendor files the pages load
// (scripts/web.sh makes both; make test runs it).
type browserEnv struct{ chromium, node, web string }

func needBrowser(t testing.TB) browserEnv {
	t.Helper()
	b := browserEnv{chromium: testenv.Tool(t, "chromium"), node: testenv.Tool(t, "node"), web: filepath.Join(testenv.RepoRoot(), "web")}
	for _, p := range []string{
		filepath.Join(b.web, "node_modules", "playwright-core"),
		filepath.Join(testenv.RepoRoot(), "ui", "static", "vendor", "leaflet", "leaflet.js"),
		filepath.Join(testenv.RepoRoot(), "ui", "static", "vendor", "uplot"),
	} {
		if _, err := os.Stat(p); err != nil {
			testenv.Missing(t, "%s is missing: run scripts/web.sh (make test does)", p)
		}
	}
	return b
}

// run runs web/e2e/<script> with args in web/, with CHROMIUM and env set,
// logs what it printed and fails the test when it exits non-zero; it
// returns what the script printed.
func (b browserEnv) run(t *testing.T, timeout time.Duration, script string, args []string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, append([]string{filepath.Join("e2e", script)}, args...)...)
	cmd.Dir = b.web
	cmd.Env = append(append(os.Environ(), "CHROMIUM="+b.chromium), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", script, out)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return string(out)
}

// screenshotDir is where a browser test saves its screenshots: a temporary
// folder, docs/screenshots with DISPATCH_UPDATE_SCREENSHOTS set.
func screenshotDir(t *testing.T) string {
	if os.Getenv("DISPATCH_UPDATE_SCREENSHOTS") != "" {
		return filepath.Join(testenv.RepoRoot(), "docs", "screenshots")
	}
	return t.TempDir()
}
