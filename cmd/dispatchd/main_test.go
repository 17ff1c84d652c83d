package main

import (
	"flag"
	"io"
	"runtime"
	"strings"
	"testing"
)

// Every flag's environment variable goes through the flag's own parser: a
// malformed value fails the start with its name, and the command line
// still wins over the environment.
func TestEnvironmentFallbacks(t *testing.T) {
	for _, tc := range []struct {
		env, value, want string
	}{
		{"DISPATCH_CAMERA_PROBE_INTERVAL", "soon", "DISPATCH_CAMERA_PROBE_INTERVAL"},
		{"DISPATCH_DEMO", "perhaps", "DISPATCH_DEMO"},
		{"DISPATCH_CAMSIM_CAMERAS", "eight", "DISPATCH_CAMSIM_CAMERAS"},
		{"DISPATCH_POSITION_STALE", "old", "DISPATCH_POSITION_STALE"},
		{"DISPATCH_ROAD_SNAP", "near", "DISPATCH_ROAD_SNAP"},
		{"DISPATCH_ROAD_HOURS", "trunk@7-9=fast", "-road-hours"},
		{"DISPATCH_ROAD_HOURS", "highway@7-9=0.5", "unknown road class"},
		{"DISPATCH_ROAD_EMERGENCY", "boat=1.5", "-road-emergency"},
		{"DISPATCH_ROAD_EMERGENCY", "fire=9", "-road-emergency"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			err := run([]string{"-addr", "127.0.0.1:0", "-state", t.TempDir()}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run with %s=%q: %v, want an error naming it", tc.env, tc.value, err)
			}
		})
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (env DISPATCH_ADDR)")
	t.Setenv("DISPATCH_ADDR", "127.0.0.1:9999")
	if err := applyEnv(fs); err != nil || *addr != "127.0.0.1:9999" {
		t.Fatalf("env fallback: %q %v", *addr, err)
	}
	if err := fs.Parse([]string{"-addr", "127.0.0.1:7777"}); err != nil || *addr != "127.0.0.1:7777" {
		t.Fatalf("the command line must win: %q %v", *addr, err)
	}
}

// The command line is checked before anything starts: a stray argument
// ("dispatchd demo" for "dispatchd -demo") or an unknown flag exits with
// status 2 and the usage; -h shows the synopsis with the subcommands.
func TestCommandLine(t *testing.T) {
	state := t.TempDir()
	for _, tc := range []struct {
		args       []string
		code       int
		stdout     []string
		stderr     []string
		notStarted bool
	}{
		{args: []string{"demo", "-addr", "127.0.0.1:0", "-state", state}, code: 2,
			stderr: []string{`unknown argument "demo"`, "usage:", "-demo"}},
		{args: []string{"-addr", "127.0.0.1:0", "-state", state, "-demo", "yes"}, code: 2, stderr: []string{`unknown argument "yes"`}},
		{args: []string{"-no-such-flag"}, code: 2, stderr: []string{"-no-such-flag", "usage:"}},
		{args: []string{"-check"}, code: 2, stderr: []string{"-check needs at least one URL", "usage:"}},
		{args: []string{"-h"}, code: 0, stdout: []string{"dispatchd user add|passwd|list", "dispatchd -check URL", "dispatchd -version", "-database-url", "env DISPATCH_STATE"}},
		{args: []string{"-version"}, code: 0, stdout: []string{"dispatchd ", runtime.Version()}},
		{args: []string{"user"}, code: 2, stderr: []string{"add, passwd or list", "dispatchd user passwd -username"}},
		{args: []string{"user", "remove"}, code: 2, stderr: []string{`unknown user command "remove"`, "dispatchd user list"}},
		{args: []string{"user", "list", "-state", state, "extra"}, code: 2, stderr: []string{`unknown argument "extra"`}},
		{args: []string{"user", "-h"}, code: 0, stdout: []string{"dispatchd user add -username NAME -role ROLE"}},
		{args: []string{"user", "list", "-h"}, code: 0, stdout: []string{"dispatchd user list"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := runChildToEnd(t, tc.args...)
			if code != tc.code || strings.Contains(stderr, "dispatchd ready") {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("standard output lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("standard error lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// A version given at build time (-ldflags "-X main.version=...") names the
// build; without one the module's build info does.
func TestVersionString(t *testing.T) {
	if got := versionString(); !strings.HasPrefix(got, "dispatchd ") || !strings.HasSuffix(got, runtime.Version()) {
		t.Errorf("versionString() = %q", got)
	}
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	if got := versionString(); !strings.HasPrefix(got, "dispatchd v1.2.3") {
		t.Errorf("with -X main.version=v1.2.3: %q", got)
	}
}
