package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		ev   cc112.Event // Seq is set by the test
	}{
		{"plain", cc112.Event{Type: "incident.created", At: baseTime, Data: json.RawMessage(`{"id":"inc-1"}`)}},
		{"zero time", cc112.Event{Type: "unit.moved", Data: json.RawMessage(`{}`)}},
		{"no data", cc112.Event{Type: "tick", At: baseTime}},
		{"empty type", cc112.Event{At: baseTime, Data: json.RawMessage(`null`)}},
		{"longest type", cc112.Event{Type: strings.Repeat("t", 255), At: baseTime, Data: json.RawMessage(`1`)}},
		{"non-UTC time with monotonic reading", cc112.Event{Type: "x", At: time.Now().In(cc112.WIB), Data: json.RawMessage(`"s"`)}},
		{"pre-1970 time", cc112.Event{Type: "x", At: time.Date(1945, 8, 17, 10, 0, 0, 1, time.UTC)}},
		{"large data", cc112.Event{Type: "camera.updated", At: baseTime, Data: json.RawMessage(`"` + strings.Repeat("é", 60000) + `"`)}},
	}
	dir := t.TempDir()
	j, _ := openT(t, dir)
	var want []cc112.Event
	for i, tc := range tests {
		ev := tc.ev
		ev.Seq = uint64(i + 1)
		appendWait(t, j, []cc112.Event{ev})
		want = append(want, ev)
	}
	more := mkEvents(uint64(len(want)+1), 5) // several events in one Append
	appendWait(t, j, more)
	want = append(want, more...)

	check := func(j *Journal) {
		t.Helper()
		if got := j.LastSeq(); got != uint64(len(want)) {
			t.Fatalf("LastSeq = %d, want %d", got, len(want))
		}
		for after := range uint64(len(want)) + 2 {
			got := replayAll(t, j, after)
			checkEvents(t, got, want[min(after, uint64(len(want))):])
		}
		got := replayAll(t, j, 0)
		for i, tc := range tests {
			if got[i].At.Location() != time.UTC {
				t.Errorf("%s: At is in %v, want UTC", tc.name, got[i].At.Location())
			}
			if tc.ev.At.IsZero() != got[i].At.IsZero() {
				t.Errorf("%s: At = %v, want %v", tc.name, got[i].At, tc.ev.At)
			}
			if (len(tc.ev.Data) == 0) != (got[i].Data == nil) {
				t.Errorf("%s: Data = %q, want nil exactly when empty", tc.name, got[i].Data)
			}
		}
	}
	check(j) // from the open journal
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j2, _ := openT(t, dir)
	check(j2) // and after reopening
}

func TestAppendRejectsUnstorableEvents(t *testing.T) {
	tests := []struct {
		name string
		ev   cc112.Event
	}{
		{"type too long", cc112.Event{Seq: 1, Type: strings.Repeat("t", 256), At: baseTime}},
		{"time after 2262", cc112.Event{Seq: 1, Type: "x", At: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"time before 1678", cc112.Event{Seq: 1, Type: "x", At: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, _ := openT(t, t.TempDir())
			if err := wait(t, j.Append([]cc112.Event{tc.ev})); !errors.Is(err, cc112.ErrUnstorable) {
				t.Fatalf("Append of an event it cannot store faithfully: %v, want ErrUnstorable", err)
			}
			// Only that command failed: its seq holds a journal.refused
			// event, and the journal takes the next one.
			appendWait(t, j, mkEvents(2, 1))
			var types []string
			if err := j.Replay(context.Background(), 0, func(ev cc112.Event) error {
				types = append(types, ev.Type)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(types) != 2 || types[0] != cc112.EvJournalRefused || j.LastSeq() != 2 {
				t.Fatalf("journal holds %v up to seq %d, want [%s, ...] up to 2", types, j.LastSeq(), cc112.EvJournalRefused)
			}
		})
	}
}

func TestReplayChunksRetentionAndStop(t *testing.T) {
	j, _ := openT(t, t.TempDir())
	j.chunk = 3 // several read transactions per replay
	want := mkEvents(1, 10)
	appendWait(t, j, want)

	var kept [][]byte
	if err := j.Replay(context.Background(), 0, func(ev cc112.Event) error {
		kept = append(kept, ev.Data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, d := range kept { // each Data is its own copy, still intact
		if string(d) != string(want[i].Data) {
			t.Fatalf("kept Data %d = %q, want %q", i, d, want[i].Data)
		}
	}

	stop := errors.New("stop")
	n := 0
	err := j.Replay(context.Background(), 2, func(ev cc112.Event) error {
		if n++; ev.Seq == 7 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 5 {
		t.Fatalf("Replay returned %v after %d calls, want the fn's error after 5", err, n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = j.Replay(ctx, 0, func(cc112.Event) error {
		if n++; n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 3 {
		t.Fatalf("Replay returned %v after %d calls, want context.Canceled at the chunk's end (3)", err, n)
	}
}

func TestConcurrentAppends64(t *testing.T) {
	const goroutines, each = 64, 20
	dir := t.TempDir()
	j, _ := openT(t, dir)

	// Like the engine: seq assignment and Append under one lock, the wait
	// for durability outside it.
	var mu sync.Mutex
	var seq uint64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				mu.Lock()
				seq++
				ev := cc112.Event{Seq: seq, Type: "unit.updated", At: baseTime,
					Data: json.RawMessage(fmt.Sprintf(`{"g":%d,"i":%d}`, g, i))}
				ch := j.Append([]cc112.Event{ev})
				mu.Unlock()
				if err := wait(t, ch); err != nil {
					t.Errorf("goroutine %d append %d: %v", g, i, err)
					return
				}
				if last := j.LastSeq(); last < ev.Seq {
					t.Errorf("acknowledged seq %d but LastSeq is %d", ev.Seq, last)
				}
			}
		}()
	}
	wg.Wait()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j2, _ := openT(t, dir)
	got := replayAll(t, j2, 0)
	if len(got) != goroutines*each {
		t.Fatalf("replayed %d events, want %d", len(got), goroutines*each)
	}
	next := make([]int, goroutines) // per goroutine, its events in its order
	for i, ev := range got {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
		var d struct{ G, I int }
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.I != next[d.G] {
			t.Fatalf("seq %d: goroutine %d event %d, want its event %d", ev.Seq, d.G, d.I, next[d.G])
		}
		next[d.G]++
	}
}

func TestSeqGapRejected(t *testing.T) {
	tests := []struct {
		name  string
		setup []cc112.Event // appended first, must succeed
		bad   []cc112.Event
	}{
		{"first seq is not 1", nil, mkEvents(2, 3)},
		{"gap after the last stored", mkEvents(1, 3), mkEvents(5, 2)},
		{"seq repeated", mkEvents(1, 3), mkEvents(3, 2)},
		{"gap inside the batch", mkEvents(1, 3), append(mkEvents(4, 2), mkEvents(7, 1)...)},
		{"seq 0", nil, []cc112.Event{{Seq: 0, Type: "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j, _ := openT(t, dir)
			if tc.setup != nil {
				appendWait(t, j, tc.setup)
			}
			err := wait(t, j.Append(tc.bad))
			if !errors.Is(err, ErrSeqGap) {
				t.Fatalf("Append = %v, want ErrSeqGap", err)
			}
			if err := j.Ping(context.Background()); err == nil {
				t.Error("Ping = nil after a failed commit, want an error (not ready)")
			}
			// Writes after the gap fail too (the engine must stop).
			if err := wait(t, j.Append(mkEvents(uint64(len(tc.setup))+1, 1))); err == nil {
				t.Error("Append after a failed batch succeeded")
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			j2, _ := openT(t, dir)
			checkEvents(t, replayAll(t, j2, 0), tc.setup) // nothing of the bad batch
		})
	}
}

func TestReopenWithoutClose(t *testing.T) {
	// kill -9: the file as it is once appends were acknowledged, no Close.
	dir := t.TempDir()
	j, _ := openT(t, dir)
	var want []cc112.Event
	for i := range 20 {
		evs := mkEvents(uint64(len(want)+1), 1+i%4)
		appendWait(t, j, evs)
		want = append(want, evs...)
	}
	img := readFile(t, dbPath(dir))
	appendWait(t, j, mkEvents(uint64(len(want)+1), 1)) // after the "kill": not in the image

	j2, lb := openT(t, writeImage(t, img))
	checkEvents(t, replayAll(t, j2, 0), want)
	if n := lb.count("level=WARN"); n != 0 {
		t.Errorf("clean kill -9 image logged %d warnings:\n%s", n, lb)
	}
	appendWait(t, j2, mkEvents(uint64(len(want)+1), 1))
}

func TestCloseIdempotentAndAfterClose(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	chs := []<-chan error{j.Append(mkEvents(1, 2)), j.Append(mkEvents(3, 2))}
	if err := j.Close(); err != nil { // flushes what was queued
		t.Fatal(err)
	}
	for _, ch := range chs {
		if err := wait(t, ch); err != nil {
			t.Fatalf("append queued before Close: %v", err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
	if err := wait(t, j.Append(mkEvents(5, 1))); !errors.Is(err, cc112.ErrJournalClosed) {
		t.Errorf("Append after Close = %v, want ErrJournalClosed", err)
	}
	if err := j.Ping(context.Background()); !errors.Is(err, cc112.ErrJournalClosed) {
		t.Errorf("Ping after Close = %v, want ErrJournalClosed", err)
	}
	if err := j.Replay(context.Background(), 0, func(cc112.Event) error { return nil }); !errors.Is(err, cc112.ErrJournalClosed) {
		t.Errorf("Replay after Close = %v, want ErrJournalClosed", err)
	}
	j2, _ := openT(t, dir)
	if j2.LastSeq() != 4 {
		t.Fatalf("LastSeq after reopen = %d, want 4", j2.LastSeq())
	}
}

func TestPing(t *testing.T) {
	j, _ := openT(t, t.TempDir())
	if err := j.Ping(context.Background()); err != nil {
		t.Fatalf("Ping = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := j.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Ping(cancelled) = %v", err)
	}
}

func TestSecondOpenTimesOut(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	start := time.Now()
	j2, err := Open(dir, nil)
	if err == nil {
		_ = j2.Close()
		t.Fatal("second Open of the same folder succeeded")
	}
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "state folder is in use by another dispatchd") {
		t.Fatalf("second Open = %v, want ErrInUse", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
		t.Errorf("second Open gave up after %v, want about 1s", d)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j3, _ := openT(t, dir) // free again
	_ = j3
}
