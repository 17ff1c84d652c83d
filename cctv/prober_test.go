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

func TestProberSweep249(t *testing.T) {
	sim := camsim.ForTest(t, 5, false)
	eng, _ := newEngine(t, cameras249(t, sim)...)
	p := &cctv.Prober{Registry: eng, Timeout: 500 * time.Millisecond, Transport: rtspsrc.TCP, Logger: quiet}
	counts := p.Sweep(context.Background())
	if counts[cc112.CameraOnline] != 5 || counts[cc112.CameraStalled] != 5 || counts[cc112.CameraOffline] != 239 {
		t.Fatalf("counts %v, want 5 online, 5 stalled, 239 offline", counts)
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
