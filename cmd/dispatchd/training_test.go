package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cc112/auth"
	"cc112/internal/sim"
)

// Training mode runs on a journal of its own: -training moves the state
// folder to <state>/training and drops PostgreSQL and Redis, whatever the
// flags or the environment say.
func TestTrainingModeConfig(t *testing.T) {
	c, err := parseConfig(t, "-training", "-state", "/srv/cc112", "-database-url", "postgres://real/db", "-redis-url", "redis://real:6379/0")
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.StateDir != filepath.Join("/srv/cc112", TrainingDir) || c.Store.DatabaseURL != "" || c.Store.RedisURL != "" {
		t.Errorf("training store %+v: want /srv/cc112/training, no database, no Redis", c.Store)
	}
	if !c.City.Demo || !c.City.Sim || !c.HTTP.Training {
		t.Errorf("training: demo %v sim %v banner %v, want all true", c.City.Demo, c.City.Sim, c.HTTP.Training)
	}
	c, err = parseConfig(t, "-state", "/srv/cc112")
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.StateDir != "/srv/cc112" || c.HTTP.Training {
		t.Errorf("without -training: state %s, banner %v", c.Store.StateDir, c.HTTP.Training)
	}
}

// A training server beside the real journal writes only its own: the real
// journal's file is the same bytes after a training session that created
// incidents, and every page carries the training banner.
func TestTrainingModeCannotTouchTheRealJournal(t *testing.T) {
	state := t.TempDir()
	real := NewMain()
	real.Addr, real.Store.StateDir, real.City.Demo, real.City.Sim = "127.0.0.1:0", state, true, false
	real.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := real.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	page := pageBody(t, real.URL()+"/")
	if bytes.Contains(page, []byte("training-banner")) {
		t.Fatal("the real console carries the training banner")
	}
	if err := real.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	realFile := filepath.Join(state, "journal.db")
	before := fileHash(t, realFile)

	c, err := parseConfig(t, "-training", "-state", state, "-sim=false", "-addr", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	m.Config = c
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	for _, p := range []string{"/", "/calltaker", "/unit", "/supervisor", "/police", "/desk", "/login", "/complaint"} {
		if b := pageBody(t, m.URL()+p); !bytes.Contains(b, []byte(`id="training-banner"`)) || !bytes.Contains(b, []byte("/js/training.js")) {
			t.Errorf("%s has no training banner", p)
		}
	}
	token := tokenFor(t, m, auth.Dispatcher)
	req, _ := http.NewRequest("POST", m.URL()+"/api/v1/incidents", strings.NewReader(`{"category":"flood","priority":1,"location":{"lat":-7.26,"lon":112.74}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("training incident: %d", res.StatusCode)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(state, TrainingDir, "journal.db")); err != nil {
		t.Errorf("no training journal: %v", err)
	}
	if after := fileHash(t, realFile); after != before {
		t.Error("the real journal changed during a training session")
	}
}

func pageBody(t *testing.T, url string) []byte {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// A flood day to practise: -sim-demand 2 halves the simulator's mean gap
// between calls; nonsense is refused with the flag's name.
func TestSimDemand(t *testing.T) {
	c, err := parseConfig(t, "-training", "-sim-demand", "2")
	if err != nil {
		t.Fatal(err)
	}
	if c.City.SimDemand != 2 || sim.GapFor(45*time.Second, c.City.SimDemand) != 22500*time.Millisecond {
		t.Errorf("demand %g gives gap %v, want 22.5s", c.City.SimDemand, sim.GapFor(45*time.Second, c.City.SimDemand))
	}
	if c, err = parseConfig(t); err != nil || c.City.SimDemand != 1 {
		t.Errorf("default demand %g (%v), want 1", c.City.SimDemand, err)
	}
	for _, bad := range []string{"0", "-1", "50"} {
		if _, err := parseConfig(t, "-sim-demand", bad); err == nil || !strings.Contains(err.Error(), "-sim-demand") {
			t.Errorf("-sim-demand %s: %v, want an error naming the flag", bad, err)
		}
	}
}
