package main

import (
	"flag"
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
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			err := run([]string{"-addr", "127.0.0.1:0", "-state", t.TempDir()})
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
