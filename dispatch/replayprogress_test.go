package dispatch

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/internal/clocktest"
)

// The reporter logs once per interval of the injected clock, with the
// events replayed of the total, the rate and the time left.
func TestReplayProgressReporter(t *testing.T) {
	var buf bytes.Buffer
	clock := clocktest.New(t0)
	p := newReplayProgress(slog.New(slog.NewTextHandler(&buf, nil)), clock.Now, 5*time.Second, 4000)
	p.step(10)
	clock.Advance(4 * time.Second)
	p.step(800)
	if buf.Len() != 0 {
		t.Fatalf("logged before the interval:\n%s", &buf)
	}
	clock.Advance(time.Second)
	p.step(1000)
	want := "events=1000 total=4000 per_second=200 elapsed=5s percent=25 remaining=15s"
	if !strings.Contains(buf.String(), want) {
		t.Fatalf("after 5 s:\n%s\nwant %s", &buf, want)
	}
	p.step(1001)
	clock.Advance(4 * time.Second)
	p.step(1800)
	if n := strings.Count(buf.String(), "replaying the journal"); n != 1 {
		t.Fatalf("%d lines within one interval:\n%s", n, &buf)
	}
	clock.Advance(time.Second)
	p.step(3000)
	if !strings.Contains(buf.String(), "events=3000 total=4000 per_second=300 elapsed=10s percent=75 remaining=3s") {
		t.Fatalf("after 10 s:\n%s", &buf)
	}
	off := newReplayProgress(slog.New(slog.NewTextHandler(&buf, nil)), clock.Now, -1, 4000)
	buf.Reset()
	clock.Advance(time.Hour)
	off.step(4000)
	if buf.Len() != 0 {
		t.Fatalf("a negative interval logged:\n%s", &buf)
	}
}

// A restarted engine reports its replay's progress while it runs, counting
// up to the journal's last seq.
func TestReplayLogsProgress(t *testing.T) {
	f := newFixture(t)
	for i := range 20 {
		f.incident(t, cc112.CatFire, near(float64(i)*10, 0))
	}
	var buf bytes.Buffer
	clock := clocktest.New(t0)
	clock.AdvanceOnRead(time.Second) // a second passes per event replayed
	if _, err := New(context.Background(), Config{Journal: f.j, Clock: clock, ReplayProgress: 3 * time.Second,
		Logger: slog.New(slog.NewTextHandler(&buf, nil))}, nil); err != nil {
		t.Fatal(err)
	}
	total := f.j.LastSeq()
	lines := regexp.MustCompile(`replaying the journal.* events=(\d+) total=(\d+)`).FindAllStringSubmatch(buf.String(), -1)
	if len(lines) < 3 {
		t.Fatalf("%d progress lines for %d events at one per 3 s:\n%s", len(lines), total, &buf)
	}
	last := uint64(0)
	for _, l := range lines {
		done, _ := strconv.ParseUint(l[1], 10, 64)
		if l[2] != strconv.FormatUint(total, 10) || done <= last || done > total {
			t.Fatalf("progress line %v: events must grow up to total %d:\n%s", l, total, &buf)
		}
		last = done
	}
}
