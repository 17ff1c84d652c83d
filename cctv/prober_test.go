package cctv_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cc112"
	"cc112/cctv"
	"cc112/cctv/camsim"
	"cc112/cctv/rtspsrc"
)

func TestProberSweep(t *testing.T) {
	sim := camsim.ForTest(t, 1, false)
	eng, _ := newEngine(t,
		cc112.Camera{ID: "online", Name: "camsim", RTSPURL: sim.URL(1)},
		cc112.Camera{ID: "offline", Name: "closed port", RTSPURL: "rtsp://u:p@" + camsim.ClosedAddr(t) + "/x"},
		cc112.Camera{ID: "stalled", Name: "silent listener", RTSPURL: "rtsp://" + camsim.SilentAddr(t) + "/x"},
		cc112.Camera{ID: "frozen", Name: "no frame after PLAY", RTSPURL: "rtsp://" + sim.Addr() + "/frozen/1"},
		cc112.Camera{ID: "nourl", Name: "no URL"},
	)
	rec := &recorder{}
	eng.SetPublisher(rec)
	p := &cctv.Prober{Registry: eng, Timeout: 700 * time.Millisecond, Transport: rtspsrc.TCP, Logger: quiet}
	counts := p.Sweep(context.Background())
	want := map[string]cc112.CameraStatus{"online": cc112.CameraOnline, "offline": cc112.CameraOffline,
		"stalled": cc112.CameraStalled, "frozen": cc112.CameraStalled, "nourl": cc112.CameraUnknown}
	for id, st := range want {
		c, err := eng.Camera(id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != st {
			t.Errorf("camera %s is %s, want %s", id, c.Status, st)
		}
	}
	if counts[cc112.CameraStalled] != 2 || counts[cc112.CameraOnline] != 1 {
		t.Errorf("counts %v", counts)
	}
	if len(rec.names) != 4 { // unknown → unknown is no change
		t.Errorf("published %v, want 4 camera.updated", rec.names)
	}
	// A second sweep with nothing changed journals and publishes nothing.
	seq := eng.LastSeq()
	rec.names = nil
	p.Sweep(context.Background())
	if eng.LastSeq() != seq || len(rec.names) != 0 {
		t.Errorf("an unchanged sweep journaled %d events and published %v", eng.LastSeq()-seq, rec.names)
	}
}

// cameras249 registers 249 cameras: most on closed ports, a few silent
// listeners, the rest on camsim.
func cameras249(t testing.TB, sim *camsim.Server) []cc112.Camera {
	var cams []cc112.Camera
	silent := camsim.SilentAddr(t)
	for k := 0; k < 249; k++ {
		c := cc112.Camera{ID: fmt.Sprintf("c%03d", k), Name: "cam"}
		switch {
		case k%50 == 0:
			c.RTSPURL = sim.URL(1 + k/50)
		case k%25 == 0:
			c.RTSPURL = "rtsp://" + silent + "/x"
		default:
			c.RTSPURL = "rtsp://" + camsim.ClosedAddr(t) + "/x"
		}
		cams = append(cams, c)
	}
	return cams
}

// TestProberSweepMany: the demo's 249 cameras and Surabaya's 2,200, most
// of them unreachable, each get their verdict in one sweep.
func TestProberSweepMany(t *testing.T) {
	sim := camsim.ForTest(t, 5, false)
	for _, c := range []struct {
		cameras                  func(testing.TB, *camsim.Server) []cc112.Camera
		online, stalled, offline int
	}{
		{cameras249, 5, 5, 239},
		{cameras2200, 10, 40, 2150},
	} {
		eng, _ := newEngine(t, c.cameras(t, sim)...)
		// 2 s: a loaded machine (the race detector, parallel packages) may
		// take more than half a second to bring camsim's first frame.
		p := &cctv.Prober{Registry: eng, Timeout: 2 * time.Second, Transport: rtspsrc.TCP, Logger: quiet}
		counts := p.Sweep(context.Background())
		if counts[cc112.CameraOnline] != c.online || counts[cc112.CameraStalled] != c.stalled || counts[cc112.CameraOffline] != c.offline {
			t.Errorf("counts %v, want %d online, %d stalled, %d offline", counts, c.online, c.stalled, c.offline)
		}
	}
}

func BenchmarkProberSweep249(b *testing.B) {
	sim := camsim.ForTest(b, 5, false)
	eng, _ := newEngine(b, cameras249(b, sim)...)
	p := &cctv.Prober{Registry: eng, Timeout: 3 * time.Second, Transport: rtspsrc.TCP, Logger: quiet}
	cpu0 := cpuTime()
	for b.Loop() {
		p.Sweep(context.Background())
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/sweep")
}

// cameras2200 registers Surabaya's 2,200 cameras, most unreachable: 10 on
// camsim, 40 hung (accept, never answer), 1,500 behind a dead link (connects
// time out) and 650 refused.
func cameras2200(t testing.TB, sim *camsim.Server) []cc112.Camera {
	silent, dead, closed := camsim.SilentAddr(t), camsim.BlackholeAddr(t), camsim.ClosedAddr(t)
	cams := make([]cc112.Camera, 0, 2200)
	for k := range 2200 {
		c := cc112.Camera{ID: fmt.Sprintf("c%04d", k), Name: "cam"}
		switch {
		case k < 10:
			c.RTSPURL = sim.URL(1 + k%5)
		case k < 50:
			c.RTSPURL = "rtsp://" + silent + "/x"
		case k < 1550:
			c.RTSPURL = "rtsp://" + dead + "/x"
		default:
			c.RTSPURL = "rtsp://" + closed + "/x"
		}
		cams = append(cams, c)
	}
	return cams
}

func TestProberConcurrency(t *testing.T) {
	for _, c := range []struct {
		cameras, fixed int
		timeout        time.Duration
		want           int
	}{
		{249, 0, 3 * time.Second, 100},  // 249 × 6 s / 15 s
		{20, 0, 3 * time.Second, 64},    // never below 64
		{2200, 0, 3 * time.Second, 512}, // 880, capped
		{2200, 0, 500 * time.Millisecond, 147},
		{2200, 16, 3 * time.Second, 16}, // a set value wins
	} {
		p := &cctv.Prober{Interval: 30 * time.Second, Timeout: c.timeout, Concurrency: c.fixed}
		if got := p.ConcurrencyFor(c.cameras); got != c.want {
			t.Errorf("%d cameras, timeout %v, Concurrency %d: %d in flight, want %d", c.cameras, c.timeout, c.fixed, got, c.want)
		}
	}
}

// BenchmarkProberSweep2200 is a sweep of 2,200 cameras with the server's
// defaults (3 s timeout, 30 s interval): its wall time must stay under the
// interval, its CPU is what probing costs.
func BenchmarkProberSweep2200(b *testing.B) {
	sim := camsim.ForTest(b, 5, false)
	eng, _ := newEngine(b, cameras2200(b, sim)...)
	p := &cctv.Prober{Registry: eng, Transport: rtspsrc.TCP, Logger: quiet}
	cpu0, wall0 := cpuTime(), time.Now()
	for b.Loop() {
		p.Sweep(context.Background())
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/sweep")
	b.ReportMetric(time.Since(wall0).Seconds()/float64(b.N), "s/sweep")
}
