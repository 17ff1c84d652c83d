// Package camsim runs synthetic RTSP cameras on loopback with gortsplib's
// server, for the demo and for tests: /cam/K streams a looped H.264 clip,
// /frozen/K answers RTSP but never sends a frame, /h265/K announces H.265.
// It counts playing sessions per path so tests can check sharing.
package camsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"
)

// Clip is an encoded H.264 clip held in memory, looped by the cameras.
type Clip struct {
	SPS, PPS []byte
	Frames   [][][]byte // access units in decode order (no B-frames)
	FrameDur int64      // 90 kHz units
	GOP      int        // frames per keyframe interval
}

// ClipOptions say what ffmpeg encodes.
type ClipOptions struct {
	Width, Height int // default 320×240
	FPS           int // default 25
	Seconds       int // default 4
}

// MakeClip encodes a testsrc2 clip with ffmpeg (Debian's package) into dir
// and reads it back: Baseline profile, a keyframe every second.
func MakeClip(ctx context.Context, dir string, o ClipOptions) (*Clip, error) {
	if o.Width == 0 {
		o.Width, o.Height = 320, 240
	}
	if o.FPS == 0 {
		o.FPS = 25
	}
	if o.Seconds == 0 {
		o.Seconds = 4
	}
	out := filepath.Join(dir, "camsim.ts")
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", o.Width, o.Height, o.FPS),
		"-t", fmt.Sprint(o.Seconds), "-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p",
		"-g", fmt.Sprint(o.FPS), "-keyint_min", fmt.Sprint(o.FPS), "-sc_threshold", "0", "-bf", "0",
		"-preset", "veryfast", "-f", "mpegts", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("camsim: ffmpeg: %w: %s", err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := readClip(f)
	if err != nil {
		return nil, fmt.Errorf("camsim: read clip: %w", err)
	}
	c.FrameDur = int64(90000 / o.FPS)
	c.GOP = o.FPS
	return c, nil
}

func readClip(r io.Reader) (*Clip, error) {
	mr := &mpegts.Reader{R: r}
	if err := mr.Initialize(); err != nil {
		return nil, err
	}
	var track *mpegts.Track
	for _, t := range mr.Tracks() {
		if _, ok := t.Codec.(*mpegts.CodecH264); ok {
			track = t
		}
	}
	if track == nil {
		return nil, errors.New("no H.264 track")
	}
	c := &Clip{}
	mr.OnDataH264(track, func(_, _ int64, au [][]byte) error {
		for _, n := range au {
			switch h264.NALUType(n[0] & 0x1f) {
			case h264.NALUTypeSPS:
				c.SPS = n
			case h264.NALUTypePPS:
				c.PPS = n
			}
		}
		c.Frames = append(c.Frames, au)
		return nil
	})
	for {
		if err := mr.Read(); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
	}
	if len(c.Frames) == 0 || c.SPS == nil || c.PPS == nil {
		return nil, errors.New("clip has no frames or no SPS/PPS")
	}
	if !h264.IsRandomAccess(c.Frames[0]) {
		return nil, errors.New("clip does not start with a keyframe")
	}
	return c, nil
}
