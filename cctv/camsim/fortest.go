package camsim

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// ClosedAddr returns a loopback host:port nobody listens on: a camera
// that is off.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// SilentAddr returns a loopback host:port that accepts connections and
// never answers: a hung camera.
func SilentAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// BlackholeAddr returns a loopback host:port whose connects hang until
// they time out: a listener with a backlog of one that never accepts, its
// queue filled, so the kernel drops further SYNs. It stands for a camera
// behind a dead link, the slowest kind of unreachable.
func BlackholeAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	// Fill the accept queue; connects beyond it hang.
	for k := 0; k < 4; k++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { c.Close() })
	}
	return addr
}

// FrameTimes gives the presentation time, in seconds, of every video frame
// ffprobe reads in a file; an error from ffprobe (a broken file) fails the
// test.
func FrameTimes(t testing.TB, path string) []float64 {
	t.Helper()
	out, err := exec.Command(testenv.Tool(t, "ffprobe"), "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts_time", "-of", "csv=p=0", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, out)
	}
	var ts []float64
	for _, l := range strings.Fields(string(out)) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(l, ","), 64)
		if err != nil {
			t.Fatalf("ffprobe %s: %q", path, l)
		}
		ts = append(ts, v)
	}
	return ts
}
