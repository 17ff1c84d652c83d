package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112/auth"
	"cc112/cctv/camsim"
	"cc112/internal/testenv"
)

// firstFragment dials the live websocket and returns the time until the
// first media fragment (moof) arrived, with the connection (left open).
func firstFragment(b *testing.B, url string) (time.Duration, *websocket.Conn) {
	b.Helper()
	start := time.Now()
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		b.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		typ, msg, err := conn.ReadMessage()
		if err != nil {
			b.Fatal(err)
		}
		if typ == websocket.BinaryMessage && len(msg) > 8 && string(msg[4:8]) == "moof" {
			return time.Since(start), conn
		}
	}
}

func reportQuantiles(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
	b.ReportMetric(ms(ds[len(ds)*9/10]), "p90-ms")
	b.ReportMetric(ms(ds[len(ds)-1]), "max-ms")
}

// BenchmarkFirstFragmentOpenStream: a new viewer of a stream another viewer
// keeps open gets the cached GOP at once.
func BenchmarkFirstFragmentOpenStream(b *testing.B) {
	sim := camsim.ForTest(b, 1, false)
	m := startLive(b, sim, time.Second)
	url := wsURL(m, "/api/v1/cameras/c1/live?token="+tokenFor(b, m, auth.Police))
	_, keep := firstFragment(b, url)
	defer keep.Close()
	go func() { // the keeper must read, or the relay drops it as slow
		for {
			if _, _, err := keep.ReadMessage(); err != nil {
				return
			}
		}
	}()
	var ds []time.Duration
	for b.Loop() {
		d, c := firstFragment(b, url)
		c.Close()
		ds = append(ds, d)
		time.Sleep(37 * time.Millisecond) // land at different points of the GOP
	}
	reportQuantiles(b, ds)
}

// BenchmarkFirstFragmentFirstViewer: the first viewer waits for the RTSP
// session to open and for the camera's next keyframe.
func BenchmarkFirstFragmentFirstViewer(b *testing.B) {
	sim := camsim.ForTest(b, 1, false)
	m := startLive(b, sim, time.Millisecond)
	url := wsURL(m, "/api/v1/cameras/c1/live?token="+tokenFor(b, m, auth.Police))
	var ds []time.Duration
	for b.Loop() {
		d, c := firstFragment(b, url)
		c.Close()
		ds = append(ds, d)
		for m.Relay.Upstreams() > 0 || sim.Playing("/cam/1") > 0 {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(len(ds)%7) * 130 * time.Millisecond) // land at different points of the GOP
	}
	reportQuantiles(b, ds)
}

// procCPU is the user+system CPU time of a process, from /proc.
func procCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// BenchmarkViewers20x10s measures the CPU a dispatchd process spends to
// serve 20 websocket viewers of one camera for 10 s. camsim and dispatchd
// run as their own processes; only dispatchd's CPU is counted. With
// GO2RTC=path/to/go2rtc it measures go2rtc doing the same job.
func BenchmarkViewers20x10s(b *testing.B) {
	testenv.Tool(b, "ffmpeg")
	dir := b.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "camsim"), "cc112/cmd/camsim")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build camsim: %v %s", err, out)
	}
	rtsp := camsim.ClosedAddr(b)
	sim := exec.Command(filepath.Join(dir, "camsim"), "-addr", rtsp, "-n", "1", "-status", "")
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = sim.Process.Kill(); _ = sim.Wait() }()
	time.Sleep(3 * time.Second) // camsim encodes its clip
	var pid int
	var url string
	if g := os.Getenv("GO2RTC"); g != "" {
		pid, url = startGo2RTC(b, g, dir, rtsp)
	} else {
		child := startChild(b, fmt.Sprintf("-addr 127.0.0.1:0 -state %s -demo -sim=false -camera-probe-interval 0 -camsim %s -camsim-cameras 1", dir, rtsp))
		pid = child.Process.Pid
		token := login(b, childURL(child), "police")
		res, err := bearer(token).Get(childURL(child) + "/api/v1/cameras")
		if err != nil {
			b.Fatal(err)
		}
		var cams []struct{ ID string }
		_ = json.NewDecoder(res.Body).Decode(&cams)
		res.Body.Close()
		url = "ws" + strings.TrimPrefix(childURL(child), "http") + "/api/v1/cameras/" + cams[0].ID + "/live?token=" + token
	}
	for b.Loop() {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		var mu sync.Mutex
		frames := 0
		for k := 0; k < 20; k++ {
			conn, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				b.Fatal(err)
			}
			if strings.Contains(url, "/api/ws") { // go2rtc asks which codecs the browser takes
				_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"mse","value":"avc1.640029,avc1.64002A,avc1.4D401F,avc1.42E01E"}`))
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				go func() { <-stop; conn.Close() }()
				for {
					typ, _, err := conn.ReadMessage()
					if err != nil {
						return
					}
					if typ == websocket.BinaryMessage {
						mu.Lock()
						frames++
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Second) // sessions open; then measure a steady 10 s
		cpu0 := procCPU(b, pid)
		time.Sleep(10 * time.Second)
		cpu := procCPU(b, pid) - cpu0
		close(stop)
		wg.Wait()
		b.ReportMetric(cpu.Seconds(), "cpu-s/20viewers·10s")
		b.ReportMetric(float64(frames)/20, "frames/viewer")
	}
}

// startGo2RTC runs go2rtc with one stream from camsim and returns its pid
// and the MSE websocket URL.
func startGo2RTC(b *testing.B, bin, dir, rtsp string) (int, string) {
	b.Helper()
	api := camsim.ClosedAddr(b)
	conf := fmt.Sprintf("api:\n  listen: %q\nrtsp:\n  listen: \"\"\nwebrtc:\n  listen: \"\"\nstreams:\n  cam1: rtsp://%s/cam/1\n", api, rtsp)
	path := filepath.Join(dir, "go2rtc.yaml")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", path)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	time.Sleep(time.Second)
	return cmd.Process.Pid, "ws://" + api + "/api/ws?src=cam1"
}
