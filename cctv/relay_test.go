package cctv_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"

	"cc112/cctv"
	"cc112/cctv/camsim"
	"cc112/cctv/rtspsrc"
)

func newRelay(t *testing.T, cfg cctv.RelayConfig) *cctv.Relay {
	t.Helper()
	r := cctv.NewRelay(cfg)
	t.Cleanup(r.Close)
	return r
}

func fixed(urls map[string]cctv.Sources) func(string) (cctv.Sources, error) {
	return func(id string) (cctv.Sources, error) {
		s, ok := urls[id]
		if !ok {
			return s, fmt.Errorf("camera %q not found", id)
		}
		return s, nil
	}
}

// next returns the viewer's next message, failing after a generous wait.
func next(t *testing.T, v *cctv.Viewer) cctv.Msg {
	t.Helper()
	select {
	case m, ok := <-v.C:
		if !ok {
			t.Fatalf("viewer closed: %v", v.Err())
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message from the relay")
	}
	return cctv.Msg{}
}

// boxes lists the top-level MP4 box types of b.
func boxes(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("truncated box header: % x", b)
		}
		n := binary.BigEndian.Uint32(b)
		if n < 8 || int(n) > len(b) {
			t.Fatalf("box %q has size %d of %d bytes left", b[4:8], n, len(b))
		}
		out = append(out, string(b[4:8]))
		b = b[n:]
	}
	return out
}

var mimeRE = regexp.MustCompile(`^video/mp4; codecs="avc1\.[0-9a-f]{6}"$`)

// checkStream reads the handshake and n fragments and checks them box by
// box: MIME, init (ftyp+moov), then moof+mdat with increasing decode times
// and positive durations, the first one a keyframe.
func checkStream(t *testing.T, v *cctv.Viewer, n int) {
	t.Helper()
	if m := next(t, v); m.Kind != cctv.MsgMIME || !mimeRE.MatchString(m.Text) {
		t.Fatalf("first message %v %q, want the MIME type", m.Kind, m.Text)
	}
	m := next(t, v)
	if got := strings.Join(boxes(t, m.Data), "+"); m.Kind != cctv.MsgInit || got != "ftyp+moov" {
		t.Fatalf("second message kind %v boxes %s, want init ftyp+moov", m.Kind, got)
	}
	var init fmp4.Init
	if err := init.Unmarshal(bytes.NewReader(m.Data)); err != nil {
		t.Fatalf("init segment: %v", err)
	}
	if _, ok := init.Tracks[0].Codec.(*fmp4.CodecH264); !ok || init.Tracks[0].TimeScale != 90000 {
		t.Fatalf("init track %+v, want H.264 at 90 kHz", init.Tracks[0])
	}
	var last uint64
	for k := 0; k < n; k++ {
		m := next(t, v)
		if got := strings.Join(boxes(t, m.Data), "+"); m.Kind != cctv.MsgMedia || got != "moof+mdat" {
			t.Fatalf("fragment %d: kind %v boxes %s", k, m.Kind, got)
		}
		if k == 0 && !m.Key {
			t.Fatal("the first fragment is not a keyframe")
		}
		var parts fmp4.Parts
		if err := parts.Unmarshal(m.Data); err != nil {
			t.Fatalf("fragment %d: %v", k, err)
		}
		tr := parts[0].Tracks[0]
		if k > 0 && tr.BaseTime <= last {
			t.Fatalf("fragment %d decode time %d after %d", k, tr.BaseTime, last)
		}
		last = tr.BaseTime
		for _, s := range tr.Samples {
			if s.Duration == 0 {
				t.Fatalf("fragment %d has a sample without duration", k)
			}
			if m.Key == s.IsNonSyncSample {
				t.Fatalf("fragment %d: sync flag %v, keyframe %v", k, !s.IsNonSyncSample, m.Key)
			}
		}
	}
}

func TestRelayOutputTransports(t *testing.T) {
	sim := camsim.ForTest(t, 1, true)
	for _, tr := range []rtspsrc.Transport{rtspsrc.TCP, rtspsrc.UDP} {
		t.Run(string(tr), func(t *testing.T) {
			r := newRelay(t, cctv.RelayConfig{Transport: tr, Resolve: fixed(map[string]cctv.Sources{"c1": {Main: sim.URL(1)}})})
			v, err := r.Watch("c1")
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			checkStream(t, v, 40)
		})
	}
}

// waitFor polls cond until it holds: the relay and camsim settle
// asynchronously (sessions close over the network).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestRelaySharesOneUpstreamAndClosesWhenIdle(t *testing.T) {
	sim := camsim.ForTest(t, 2, false)
	r := newRelay(t, cctv.RelayConfig{CloseAfter: 300 * time.Millisecond, Transport: rtspsrc.TCP,
		Resolve: fixed(map[string]cctv.Sources{"c1": {Main: sim.URL(1)}, "c2": {Main: sim.URL(2)}})})
	var viewers []*cctv.Viewer
	for k := 0; k < 4; k++ {
		v, err := r.Watch("c1")
		if err != nil {
			t.Fatal(err)
		}
		viewers = append(viewers, v)
		checkStream(t, v, 3) // a late viewer starts from the cached GOP: keyframe first
	}
	if got := sim.Opened("/cam/1"); got != 1 {
		t.Fatalf("camsim saw %d sessions for 4 viewers, want 1", got)
	}
	if got := sim.Opened("/cam/2"); got != 0 {
		t.Fatalf("an unwatched camera was opened %d times", got)
	}
	for _, v := range viewers[:3] {
		v.Close()
	}
	time.Sleep(600 * time.Millisecond) // past CloseAfter: one viewer still holds it open
	if r.Upstreams() != 1 || sim.Playing("/cam/1") != 1 {
		t.Fatalf("upstream closed while a viewer watches (relay %d, camsim %d)", r.Upstreams(), sim.Playing("/cam/1"))
	}
	viewers[3].Close()
	waitFor(t, "the upstream to close after the last viewer left", func() bool {
		return r.Upstreams() == 0 && sim.Playing("/cam/1") == 0
	})
	// Watching again opens a new session.
	v, err := r.Watch("c1")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	checkStream(t, v, 2)
	if got := sim.Opened("/cam/1"); got != 2 {
		t.Fatalf("camsim saw %d sessions, want 2 after a reopen", got)
	}
}

func TestRelayDropsSlowViewer(t *testing.T) {
	sim := camsim.ForTest(t, 1, false)
	r := newRelay(t, cctv.RelayConfig{QueueSize: 16, Transport: rtspsrc.TCP,
		Resolve: fixed(map[string]cctv.Sources{"c1": {Main: sim.URL(1)}})})
	slow, err := r.Watch("c1")
	if err != nil {
		t.Fatal(err)
	}
	fast, err := r.Watch("c1")
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	checkStream(t, fast, 60) // 2.4 s of video: far more than the slow one's queue
	// The slow viewer's queue holds what it got before it was dropped, then ends.
	n := 0
	for range slow.C {
		n++
	}
	var se *cctv.StreamError
	if err := slow.Err(); !errors.As(err, &se) || se.Code != cctv.CodeSlowViewer {
		t.Fatalf("slow viewer ended with %v, want %s", err, cctv.CodeSlowViewer)
	}
	if n > 16 {
		t.Fatalf("slow viewer had %d messages queued, the bound is 16", n)
	}
}

func TestRelayH265(t *testing.T) {
	sim := camsim.ForTest(t, 1, false)
	h265 := "rtsp://" + sim.Addr() + "/h265/1"
	r := newRelay(t, cctv.RelayConfig{Transport: rtspsrc.TCP, Resolve: fixed(map[string]cctv.Sources{
		"only": {Main: h265}, "withsub": {Main: h265, Sub: sim.URL(1)}})})
	v, err := r.Watch("only")
	if err != nil {
		t.Fatal(err)
	}
	m := next(t, v)
	if m.Kind != cctv.MsgError || m.Code != cctv.CodeUnsupportedCodec || !strings.Contains(m.Text, "H.265 cannot be played") {
		t.Fatalf("got %v %s %q, want the unsupported_codec error", m.Kind, m.Code, m.Text)
	}
	if _, ok := <-v.C; ok {
		t.Fatal("stream goes on after the error")
	}
	v, err = r.Watch("only") // a later viewer is told too, not left waiting
	if err != nil {
		t.Fatal(err)
	}
	if m := next(t, v); m.Code != cctv.CodeUnsupportedCodec {
		t.Fatalf("second viewer got %v %s, want the unsupported_codec error", m.Kind, m.Code)
	}
	v, err = r.Watch("withsub")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	checkStream(t, v, 3) // the H.264 sub-stream
}

func TestRelayReconnects(t *testing.T) {
	sim := camsim.ForTest(t, 1, false)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "rtsp://" + l.Addr().String() + "/x"
	l.Close()
	var url atomic.Value
	url.Store(dead)
	var tries atomic.Int32
	r := newRelay(t, cctv.RelayConfig{Transport: rtspsrc.TCP, MaxBackoff: 100 * time.Millisecond,
		Resolve: func(string) (cctv.Sources, error) {
			if tries.Add(1) == 4 { // the camera comes back
				url.Store(sim.URL(1))
			}
			return cctv.Sources{Main: url.Load().(string)}, nil
		}})
	v, err := r.Watch("c1")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	checkStream(t, v, 3)
	if tries.Load() < 4 {
		t.Fatalf("resolved %d times, want a retry after each failure", tries.Load())
	}
}

func TestRelayUnknownCamera(t *testing.T) {
	r := newRelay(t, cctv.RelayConfig{Resolve: fixed(nil)})
	if _, err := r.Watch("nope"); err == nil {
		t.Fatal("watching an unknown camera succeeded")
	}
}

// BenchmarkRelayLatency measures, per frame, the time from the frame being
// complete (its last RTP packet depacketised) to its fragment reaching the
// reader of a viewer's queue (DTS, fMP4 muxing, GOP cache, fan-out); the
// websocket write follows. One op is one frame.
func BenchmarkRelayLatency(b *testing.B) {
	sim := camsim.ForTest(b, 1, false)
	r := cctv.NewRelay(cctv.RelayConfig{Transport: rtspsrc.TCP, Resolve: fixed(map[string]cctv.Sources{"c1": {Main: sim.URL(1)}})})
	defer r.Close()
	v, err := r.Watch("c1")
	if err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		for {
			m, ok := <-v.C
			if !ok {
				b.Fatal(v.Err())
			}
			if m.Kind == cctv.MsgMedia {
				lat = append(lat, time.Since(m.Arrived))
				break
			}
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
