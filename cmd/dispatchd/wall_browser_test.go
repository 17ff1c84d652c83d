package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWallInBrowser drives web/e2e/wall.mjs (issue 19): the console of a
// read-only wall account at 1920×1080 and 3840×2160 (queue and board text
// at 4K at least 1.8× their 1080p size), every staff page at 390×844
// without horizontal overflow; then the server stops: the wall shows the
// outage banner within 3 s, the unit's phone says it is disconnected and
// the call-taker records two calls offline; the server starts again on the
// same state: the calls arrive in the order they were taken; last, an
// admin revokes the wall's session and the wall is on the login page
// within 3 s.
func TestWallInBrowser(t *testing.T) {
	browser := needBrowser(t)
	state := t.TempDir()
	start := func(addr string) *Main {
		m := NewMain()
		m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = addr, state, true, false
		m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := start("127.0.0.1:0")
	base := m.URL()
	addr := strings.TrimPrefix(base, "http://")
	t.Cleanup(func() {
		if m != nil {
			_ = m.Close(context.Background())
		}
	})
	// The scenario asks for the server to stop (STOP) and start again
	// (START) on its stdout, and hears it done on its stdin.
	browser.converse(t, 12*time.Minute, "wall.mjs", map[string]func() string{
		"STOP": func() string {
			_ = m.Close(context.Background())
			m = nil
			return "stopped"
		},
		"START": func() string {
			m = start(addr)
			return "started"
		},
	}, "BASE_URL="+base)
}

// converse runs web/e2e/<script> like run, and answers each line it prints
// that names a command with that command's reply on its stdin.
func (b browserEnv) converse(t *testing.T, timeout time.Duration, script string, commands map[string]func() string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), shotTime(timeout))
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, filepath.Join("e2e", script))
	cmd.Dir = b.web
	cmd.Env = b.env(t, env)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errDone := make(chan struct{})
	go func() {
		defer close(errDone)
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			t.Logf("%s (stderr): %s", script, s.Text())
		}
	}()
	s := bufio.NewScanner(out)
	for s.Scan() {
		line := s.Text()
		t.Logf("%s: %s", script, line)
		if do, ok := commands[strings.TrimSpace(line)]; ok {
			reply := do()
			if _, err := io.WriteString(in, reply+"\n"); err != nil {
				t.Errorf("%s: reply %s: %v", script, reply, err)
			}
		}
	}
	_ = in.Close()
	<-errDone
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
}
