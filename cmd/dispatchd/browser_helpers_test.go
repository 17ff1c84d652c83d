package main

import (
	"cc112"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cc112/auth"
	"cc112/cctv/camsim"
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

// run runs web/e2e/<script> with args in web/, with CHROMIUM, the
// screenshot folder (screenshotEnv) and env set (and thrice the time when
// every screenshot is wanted),
// logs what it printed and fails the test when it exits non-zero; it
// returns what the script printed.
func (b browserEnv) run(t *testing.T, timeout time.Duration, script string, args []string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), shotTime(timeout))
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, append([]string{filepath.Join("e2e", script)}, args...)...)
	cmd.Dir = b.web
	cmd.Env = b.env(t, env)
	out, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", script, out)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return string(out)
}

// env is a script's environment: ours, CHROMIUM, the screenshot switch and
// the test's own (which wins).
func (b browserEnv) env(t *testing.T, own []string) []string {
	return append(append(append(os.Environ(), "CHROMIUM="+b.chromium), screenshotEnv(t)...), own...)
}

// screenshotEnv is the one switch of the browser tests' screenshots,
// DISPATCH_SCREENSHOTS, as the scripts read it: SCREENSHOTS, the folder
// (DISPATCH_SCREENSHOTS, relative to the repository root, or a temporary
// one when unset), and ALL_SHOTS, set when DISPATCH_SCREENSHOTS is: then a
// script also saves its pages at 3840×2160 and 390×844 in both languages.
// Unset, a script saves only the few it always takes, into the temporary
// folder, so that a run of the suite does not pay for the rest.
func screenshotEnv(t *testing.T) []string {
	dir := os.Getenv("DISPATCH_SCREENSHOTS")
	if dir == "" {
		return []string{"SCREENSHOTS=" + t.TempDir(), "ALL_SHOTS="}
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(testenv.RepoRoot(), dir)
	}
	return []string{"SCREENSHOTS=" + dir, "ALL_SHOTS=1"}
}

// shotTime is a script's time limit: three times timeout when every
// screenshot is wanted (a page at three sizes in two languages is six).
func shotTime(timeout time.Duration) time.Duration {
	if os.Getenv("DISPATCH_SCREENSHOTS") != "" {
		return 3 * timeout
	}
	return timeout
}

// cameraScene is a running dispatchd whose cameras near Tugu Pahlawan
// stream from camsim, with an incident among them: what the camera-wall
// and police tests look at.
type cameraScene struct {
	m                 *Main
	admin, dispatcher string
	incident          cc112.Incident
}

// runDemo starts dispatchd on the demo city (its accounts, no simulator)
// for a browser test, and closes it when the test ends.
func runDemo(t *testing.T) *Main {
	t.Helper()
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}

// newCameraScene starts dispatchd (the demo city when demo is set) with
// fast camera probing, registers camsim's cameras 1…n as prefix1…prefixN
// (plus extra camera bodies), waits until those stream, and creates the
// incident (a JSON body) among them.
func newCameraScene(t *testing.T, demo bool, n int, prefix, incident string, extra ...string) *cameraScene {
	t.Helper()
	return newCameraSceneWith(t, nil, nil, demo, n, prefix, incident, extra...)
}

// newCameraSceneWith is newCameraScene with the Main set up by configure
// before it runs and before(sc) called once the cameras are online, before
// the incident is made (both optional).
func newCameraSceneWith(t *testing.T, configure func(*Main), before func(*cameraScene), demo bool, n int, prefix, incident string, extra ...string) *cameraScene {
	t.Helper()
	sim := camsim.ForTest(t, n, false)
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), demo, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Cameras.ProbeInterval = 300 * time.Millisecond
	if configure != nil {
		configure(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	sc := &cameraScene{m: m, admin: tokenFor(t, m, auth.Admin), dispatcher: tokenFor(t, m, auth.Dispatcher)}
	bodies := extra
	var ids []string
	for k := 1; k <= n; k++ {
		id := fmt.Sprintf("%s%d", prefix, k)
		ids = append(ids, id)
		bodies = append(bodies, fmt.Sprintf(`{"id":"%s","name":"Kamera Tunjungan %d","location":{"lat":%f,"lon":112.7378},"rtsp_url":"%s"}`,
			id, k, -7.2458-float64(k)*0.0005, sim.URL(k)))
	}
	for _, body := range bodies {
		if code, b, err := postJSON(m.URL()+"/api/v1/cameras", sc.admin, body); err != nil || code != http.StatusCreated {
			t.Fatalf("camera %s: %d %s %v", body, code, b, err)
		}
	}
	waitOnline(t, m.URL(), sc.dispatcher, ids...)
	if before != nil {
		before(sc)
	}
	code, b, err := postJSON(m.URL()+"/api/v1/incidents", sc.dispatcher, incident)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("incident: %d %s %v", code, b, err)
	}
	if err := json.Unmarshal(b, &sc.incident); err != nil {
		t.Fatal(err)
	}
	return sc
}
