package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112"
)

// logBuf collects a journal's log lines for assertions.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuf) count(substr string) int { return strings.Count(l.String(), substr) }

func newLogger() (*slog.Logger, *logBuf) {
	lb := &logBuf{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

func openT(t testing.TB, dir string) (*Journal, *logBuf) {
	t.Helper()
	log, lb := newLogger()
	j, err := Open(dir, log)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j, lb
}

var baseTime = time.Date(2026, 11, 22, 3, 4, 5, 123456789, time.UTC)

// mkEvents returns n events with seqs from, from+1, ...
func mkEvents(from uint64, n int) []cc112.Event {
	evs := make([]cc112.Event, n)
	for i := range evs {
		seq := from + uint64(i)
		evs[i] = cc112.Event{
			Seq:  seq,
			Type: "incident.created",
			At:   baseTime.Add(time.Duration(seq) * time.Second),
			Data: json.RawMessage(fmt.Sprintf(`{"id":"inc-%d","lat":-7.2575,"lon":112.7521}`, seq)),
		}
	}
	return evs
}

func wait(t testing.TB, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("append not acknowledged within 30s")
		return nil
	}
}

func appendWait(t testing.TB, j *Journal, evs []cc112.Event) {
	t.Helper()
	if err := wait(t, j.Append(evs)); err != nil {
		t.Fatalf("Append(seq %d..): %v", evs[0].Seq, err)
	}
}

func replayAll(t testing.TB, j *Journal, after uint64) []cc112.Event {
	t.Helper()
	var got []cc112.Event
	if err := j.Replay(context.Background(), after, func(ev cc112.Event) error {
		got = append(got, ev)
		return nil
	}); err != nil {
		t.Fatalf("Replay(after %d): %v", after, err)
	}
	return got
}

func sameEvent(a, b cc112.Event) bool {
	return a.Seq == b.Seq && a.Type == b.Type && a.At.Equal(b.At) && bytes.Equal(a.Data, b.Data)
}

func checkEvents(t testing.TB, got, want []cc112.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if !sameEvent(got[i], want[i]) {
			t.Fatalf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func dbPath(dir string) string { return filepath.Join(dir, fileName) }

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeImage puts a crash image as the journal of a fresh state folder.
func writeImage(t testing.TB, img []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(dbPath(dir), img, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// metasOf parses both meta pages of a file image.
func metasOf(t testing.TB, img []byte) (m [2]meta, errs [2]error, pageSize int) {
	t.Helper()
	m[0], errs[0] = parseMeta(img)
	pageSize = int(m[0].pageSize)
	if errs[0] != nil {
		t.Fatalf("meta 0 of the image is invalid: %v", errs[0])
	}
	m[1], errs[1] = parseMeta(img[pageSize:])
	return m, errs, pageSize
}

// newestSlot is the meta page bbolt would use.
func newestSlot(t testing.TB, img []byte) (slot int, m meta, pageSize int) {
	t.Helper()
	ms, errs, ps := metasOf(t, img)
	if errs[1] != nil {
		t.Fatalf("meta 1 of the image is invalid: %v", errs[1])
	}
	if ms[1].txid > ms[0].txid {
		return 1, ms[1], ps
	}
	return 0, ms[0], ps
}
