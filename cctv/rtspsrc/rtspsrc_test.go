package rtspsrc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cc112/cctv/camsim"
	"cc112/cctv/rtspsrc"
)

func TestProbe(t *testing.T) {
	sim := camsim.ForTest(t, 1, false)
	tests := []struct {
		name string
		url  string
		want rtspsrc.Health
	}{
		{"camsim camera", sim.URL(1), rtspsrc.Online},
		{"H.265 camera with video flowing", "rtsp://" + sim.Addr() + "/h265/1", rtspsrc.Stalled}, // camsim sends no H.265 frames
		{"answers RTSP but sends no frame", "rtsp://" + sim.Addr() + "/frozen/1", rtspsrc.Stalled},
		{"unknown path", "rtsp://" + sim.Addr() + "/nope", rtspsrc.Stalled},
		{"closed port", "rtsp://" + camsim.ClosedAddr(t) + "/x", rtspsrc.Offline},
		{"accepts but never answers", "rtsp://" + camsim.SilentAddr(t) + "/x", rtspsrc.Stalled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rtspsrc.Probe(context.Background(), rtspsrc.Config{URL: tc.url, Transport: rtspsrc.TCP, Timeout: 700 * time.Millisecond})
			if got != tc.want {
				t.Fatalf("Probe = %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}

func TestPlayTransports(t *testing.T) {
	sim := camsim.ForTest(t, 1, true)
	for _, tr := range []rtspsrc.Transport{rtspsrc.TCP, rtspsrc.UDP} {
		t.Run(string(tr), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var n int
			var track rtspsrc.Track
			err := rtspsrc.Play(ctx, rtspsrc.Config{URL: sim.URL(1), Transport: tr}, rtspsrc.Handler{
				OnTrack: func(tk rtspsrc.Track) { track = tk },
				OnAccessUnit: func(au [][]byte, pts int64, _ time.Time) {
					if n++; n == 30 {
						cancel()
					}
				},
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Play ended with %v after %d access units", err, n)
			}
			if len(track.SPS) == 0 {
				t.Fatal("no SPS in the SDP")
			}
		})
	}
}

func TestPlayH265Refused(t *testing.T) {
	sim := camsim.ForTest(t, 1, false)
	err := rtspsrc.Play(context.Background(), rtspsrc.Config{URL: "rtsp://" + sim.Addr() + "/h265/1"}, rtspsrc.Handler{
		OnAccessUnit: func([][]byte, int64, time.Time) {}})
	var uc *rtspsrc.UnsupportedCodecError
	if !errors.As(err, &uc) || !strings.Contains(uc.Codec, "265") {
		t.Fatalf("err = %v, want UnsupportedCodecError for H265", err)
	}
}
