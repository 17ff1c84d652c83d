package camsim

import (
	"context"
	"testing"

	"cc112/internal/testenv"
)

// ForTest starts n cameras for a test (skipping, or failing under CI, when
// ffmpeg is missing) and stops them when the test ends.
func ForTest(t testing.TB, n int, udp bool) *Server {
	t.Helper()
	testenv.Tool(t, "ffmpeg")
	clip, err := MakeClip(context.Background(), t.TempDir(), ClipOptions{Seconds: 2})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(Config{Cameras: n, UDP: udp, Clip: clip})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}
