package cctv_test

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/cctv"
	"cc112/dispatch"
	"cc112/geo"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openEngine opens a real engine on a bbolt journal in dir with the view
// audit registered; closing the journal is left to the test (a crash is a
// reopen without ending views).
func openEngine(t testing.TB, dir string) (*dispatch.Engine, *cctv.Views, *bolt.Journal) {
	t.Helper()
	j, err := bolt.Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	views := cctv.NewViews()
	eng, err := dispatch.New(context.Background(), dispatch.Config{Journal: j, Logger: quiet}, views)
	if err != nil {
		t.Fatal(err)
	}
	return eng, views, j
}

func newEngine(t testing.TB, cams ...cc112.Camera) (*dispatch.Engine, *cctv.Views) {
	t.Helper()
	eng, views, j := openEngine(t, t.TempDir())
	t.Cleanup(func() { j.Close() })
	for k := range cams {
		if cams[k].Location == (geo.Point{}) {
			cams[k].Location = geo.Point{Lat: -7.2458, Lon: 112.7378}
		}
	}
	if len(cams) > 0 {
		if err := eng.RegisterCameras(context.Background(), cams); err != nil {
			t.Fatal(err)
		}
	}
	return eng, views
}

// recorder is a Publisher that keeps the names of published changes.
type recorder struct{ names []string }

func (r *recorder) Publish(name string, _ any) { r.names = append(r.names, name) }

// cpuTime is the process's user+system CPU time, for benchmarks' CPU cost.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
