package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runChildToEnd runs dispatchd (the test binary as dispatchd, see TestMain)
// with args until it exits, and returns its standard output, standard
// error and exit status.
func runChildToEnd(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	// A child that starts a server instead of exiting is killed, and fails.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DISPATCHD_CHILD_ARGS="+strings.Join(args, " "))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// Start-up failures end with the reason, never a panic: a second server on
// the same state folder, a state folder that cannot be created, a journal
// that cannot be read.
func TestStartupFailuresSayWhy(t *testing.T) {
	inUse := t.TempDir()
	startChild(t, "-addr 127.0.0.1:0 -sim=false -state "+inUse)

	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := t.TempDir()
	if err := os.WriteFile(filepath.Join(corrupt, "journal.db"), bytes.Repeat([]byte{0xa5}, 4*os.Getpagesize()), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, state, want string }{
		{"second server on one state folder", inUse, "state folder is in use"},
		{"state folder cannot be created", filepath.Join(notDir, "state"), "create state folder"},
		{"corrupt journal", corrupt, "restore it from a backup"},
	}
	if os.Geteuid() != 0 { // root writes to a read-only folder all the same
		readOnly := t.TempDir()
		if err := os.Chmod(readOnly, 0o500); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ name, state, want string }{"read-only state folder", readOnly, "permission denied"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runChildToEnd(t, "-addr", "127.0.0.1:0", "-sim=false", "-state", tc.state)
			if code != 1 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "panic") {
				t.Fatalf("exit %d, want 1 with %q and no panic; standard error:\n%s", code, tc.want, stderr)
			}
		})
	}
}

// A state folder whose newest (or older) meta page is garbled whole starts
// on the other meta page: bbolt keeps two for this.
func TestStartsWithOneMetaPageGarbled(t *testing.T) {
	state := t.TempDir()
	start := func() *Main {
		t.Helper()
		m := NewMain()
		m.Addr, m.Store.StateDir, m.City.Demo = "127.0.0.1:0", state, true
		m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if err := start().Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(state, "journal.db")
	healthy, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := os.Getpagesize()
	for page := range 2 {
		img := bytes.Clone(healthy)
		copy(img[page*ps:(page+1)*ps], bytes.Repeat([]byte{0xa5}, ps))
		if err := os.WriteFile(path, img, 0o600); err != nil {
			t.Fatal(err)
		}
		m := start()
		if len(m.Engine.Units()) == 0 {
			t.Errorf("meta page %d garbled: the demo units are gone", page)
		}
		if err := m.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
