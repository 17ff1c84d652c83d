package record_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"cc112/cctv/camsim"
	"cc112/cctv/mse"
	"cc112/cctv/record"
	"cc112/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// t0 is a fixed instant: 16:59:50 UTC, ten seconds before midnight WIB.
var t0 = time.Date(2026, 12, 5, 16, 59, 50, 0, time.UTC)

const frameDur = 40 * time.Millisecond // camsim's clip: 25 fps, a keyframe every second

func clip(t testing.TB) *camsim.Clip {
	t.Helper()
	testenv.Tool(t, "ffmpeg")
	c, err := camsim.MakeClip(context.Background(), t.TempDir(), camsim.ClipOptions{Seconds: 2})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// feeder muxes the clip's frames as the relay does and writes them, frame
// k at start + k × 40 ms.
type feeder struct {
	c     *camsim.Clip
	mux   *mse.Muxer
	k     int
	start time.Time
}

func newFeeder(t testing.TB, c *camsim.Clip, w *record.Writer, start time.Time) *feeder {
	t.Helper()
	init, err := mse.InitSegment(c.SPS, c.PPS)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Init(init); err != nil {
		t.Fatal(err)
	}
	return &feeder{c: c, mux: mse.NewMuxer(c.SPS, c.PPS), start: start}
}

func (f *feeder) next(w *record.Writer) (time.Time, error) {
	au := f.c.Frames[f.k%len(f.c.Frames)]
	frag, ok, _, err := f.mux.Write(au, int64(f.k)*f.c.FrameDur)
	at := f.start.Add(time.Duration(f.k) * frameDur)
	f.k++
	if err != nil || !ok {
		return at, fmt.Errorf("mux frame %d: ok %v, %v", f.k-1, ok, err)
	}
	return at, w.Write(frag.Data, at)
}

func open(t testing.TB, dir string, cfg record.Config) *record.Store {
	t.Helper()
	cfg.Dir, cfg.Logger = dir, quiet
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return t0 }
	}
	s, err := record.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExportFrameAccurate records 10 s in 2 s segments and exports 3.5 s
// to 7.2 s: the file starts at the keyframe at 3.0 s and ends with the
// frame at 7.2 s, 106 frames, and ffprobe reads exactly those.
func TestExportFrameAccurate(t *testing.T) {
	c := clip(t)
	s := open(t, t.TempDir(), record.Config{Budget: 50 << 20, SegmentDuration: 2 * time.Second})
	w, err := s.Writer("cam-1")
	if err != nil {
		t.Fatal(err)
	}
	f := newFeeder(t, c, w, t0)
	for range 250 {
		if _, err := f.next(w); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	segs := s.List("cam-1", time.Time{}, time.Time{})
	if len(segs) != 5 || !segs[0].Start.Equal(t0) || !segs[4].End.Equal(t0.Add(249*frameDur)) {
		t.Fatalf("segments %+v, want 5 of 2 s from %v", segs, t0)
	}
	if got := s.List("cam-1", t0.Add(4500*time.Millisecond), t0.Add(5*time.Second)); len(got) != 1 || !got[0].Start.Equal(t0.Add(4*time.Second)) {
		t.Errorf("segments over 4.5–5 s: %+v", got)
	}
	path := filepath.Join(t.TempDir(), "export.mp4")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.Export("cam-1", t0.Add(3500*time.Millisecond), t0.Add(7200*time.Millisecond), out)
	out.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !ex.First.Equal(t0.Add(3*time.Second)) || !ex.Last.Equal(t0.Add(7200*time.Millisecond)) || ex.Frames != 106 {
		t.Errorf("export %v → %v, %d frames; want 3.0 s → 7.2 s, 106", ex.First.Sub(t0), ex.Last.Sub(t0), ex.Frames)
	}
	ts := camsim.FrameTimes(t, path)
	if len(ts) != 106 || ts[0] != 0 || ts[len(ts)-1] != 4.2 {
		t.Errorf("ffprobe reads %d frames from %v to %v, want 106 from 0 to 4.2", len(ts), ts[0], ts[len(ts)-1])
	}
	if _, err := s.Export("cam-1", t0.Add(time.Hour), t0.Add(2*time.Hour), io.Discard); err != record.ErrNothing {
		t.Errorf("export of an empty range: %v", err)
	}
}

func dirSize(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// TestBudgetNeverExceeded records three cameras for five minutes each
// into a budget of 40 segments' worth: after every frame the files take no
// more than the budget, the oldest go first, and a locked span stays.
func TestBudgetNeverExceeded(t *testing.T) {
	c := clip(t)
	dir := t.TempDir()
	locked := func(cam string, from, to time.Time) bool {
		return cam == "cam-0" && !to.Before(t0.Add(10*time.Second)) && !from.After(t0.Add(12*time.Second))
	}
	s := open(t, dir, record.Config{Budget: 600 << 10, SegmentDuration: 2 * time.Second, Keep: locked})
	var ws []*record.Writer
	var fs []*feeder
	for k := range 3 {
		w, err := s.Writer(fmt.Sprint("cam-", k))
		if err != nil {
			t.Fatal(err)
		}
		ws, fs = append(ws, w), append(fs, newFeeder(t, c, w, t0))
	}
	var last time.Time
	for range 5 * 60 * 25 {
		for k, w := range ws {
			at, err := fs[k].next(w)
			if err != nil {
				t.Fatal(err)
			}
			last = at
		}
		if s.Total() > s.Budget() {
			t.Fatalf("at %v the recordings take %d bytes, over the budget of %d", last.Sub(t0), s.Total(), s.Budget())
		}
	}
	if got := dirSize(t, dir); got > s.Budget() || got != s.Total() {
		t.Errorf("files take %d bytes, the store counts %d, budget %d", got, s.Total(), s.Budget())
	}
	for k := range 3 {
		segs := s.List(fmt.Sprint("cam-", k), time.Time{}, time.Time{})
		if len(segs) < 2 || !segs[len(segs)-1].End.Equal(last) {
			t.Fatalf("cam-%d: %d segments, the last ending %v, want the newest kept", k, len(segs), segs[len(segs)-1].End.Sub(t0))
		}
		first := segs[0].Start
		if k == 0 {
			if !first.Equal(t0.Add(10*time.Second)) || len(s.List("cam-0", t0.Add(10*time.Second), t0.Add(12*time.Second))) != 2 {
				t.Errorf("cam-0: the locked 10–12 s is not kept: first segment %v", first.Sub(t0))
			}
		} else if first.Before(last.Add(-2 * time.Minute)) {
			t.Errorf("cam-%d: oldest segment from %v kept while the budget is full", k, first.Sub(t0))
		}
	}
}

// TestTrimCutTail: a segment whose last frame was cut off (the writer
// killed mid-write) is trimmed to its last whole frame when reopened.
func TestTrimCutTail(t *testing.T) {
	c := clip(t)
	dir := t.TempDir()
	s := open(t, dir, record.Config{Budget: 50 << 20})
	w, _ := s.Writer("cam-1")
	f := newFeeder(t, c, w, t0)
	for range 30 {
		if _, err := f.next(w); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	seg := s.List("cam-1", time.Time{}, time.Time{})[0]
	file := filepath.Join(dir, "cam-1", strconv.FormatInt(t0.UnixMilli(), 10)+".mp4")
	if err := os.Truncate(file, seg.Bytes-100); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, record.Config{Budget: 50 << 20})
	got := s.List("cam-1", time.Time{}, time.Time{})
	if len(got) != 1 || got[0].Frames != 29 || !got[0].End.Equal(t0.Add(28*frameDur)) || dirSize(t, dir) != got[0].Bytes {
		t.Fatalf("after a cut tail: %+v (file %d bytes)", got, dirSize(t, dir))
	}
	if ts := camsim.FrameTimes(t, file); len(ts) != 29 {
		t.Errorf("ffprobe reads %d frames, want 29", len(ts))
	}
}

// TestKill9WhileRecording runs a recorder in a child process (this test
// binary), kills it with SIGKILL while it writes, and expects every
// segment to play in ffprobe and to reopen with its frames.
func TestKill9WhileRecording(t *testing.T) {
	if dir := os.Getenv("RECORD_CHILD_DIR"); dir != "" {
		recordForever(t, dir)
		return
	}
	testenv.Tool(t, "ffmpeg")
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKill9WhileRecording$")
	cmd.Env = append(os.Environ(), "RECORD_CHILD_DIR="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once a few segments exist and the child is mid-stream.
	deadline := time.Now().Add(30 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "cam-1", "*.mp4"))
		if len(files) >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	files, _ := filepath.Glob(filepath.Join(dir, "cam-1", "*.mp4"))
	if len(files) < 3 {
		t.Fatalf("the child wrote %d segments before the kill", len(files))
	}
	// The kill may land inside a frame's write: reopening (what a restarted
	// server does before it serves a recording) trims that cut tail, and
	// from then on every segment must play.
	s := open(t, dir, record.Config{Budget: 50 << 20})
	segs := s.List("cam-1", time.Time{}, time.Time{})
	n := 0
	for _, seg := range segs {
		n += seg.Frames
	}
	frames := 0
	for _, f := range files {
		ts := camsim.FrameTimes(t, f) // fails the test on a broken file
		if len(ts) == 0 {
			t.Errorf("%s: no frame", f)
		}
		frames += len(ts)
	}
	if len(segs) != len(files) || n != frames {
		t.Errorf("reopened: %d segments with %d frames; ffprobe read %d files, %d frames", len(segs), n, len(files), frames)
	}
}

// recordForever is the child of TestKill9WhileRecording: it records the
// clip in 1 s segments, a frame every millisecond, until killed.
func recordForever(t *testing.T, dir string) {
	c := clip(t)
	s := open(t, dir, record.Config{Budget: 1 << 30, SegmentDuration: time.Second})
	w, _ := s.Writer("cam-1")
	f := newFeeder(t, c, w, t0)
	for {
		if _, err := f.next(w); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestMIMEFromInit(t *testing.T) {
	c := clip(t)
	init, err := mse.InitSegment(c.SPS, c.PPS)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := mse.MIME(c.SPS)
	if got, err := record.MIME(init); err != nil || got != want {
		t.Errorf("MIME %q, %v; want %q", got, err, want)
	}
	if _, err := record.MIME([]byte("ftypisom")); err == nil {
		t.Error("MIME of an init without avcC")
	}
}
