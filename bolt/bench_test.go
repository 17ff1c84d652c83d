package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"cc112"
)

// BenchmarkAppendGroupCommit64: 64 appenders, one event per Append, each
// waiting for durability before its next; b.N events in all.
func BenchmarkAppendGroupCommit64(b *testing.B) {
	j, _ := openT(b, b.TempDir())
	ev := mkEvents(1, 1)[0]
	var mu sync.Mutex // the engine's lock: seq order = Append order
	var seq uint64
	var wg sync.WaitGroup
	n := b.N
	b.ResetTimer()
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if seq == uint64(n) {
					mu.Unlock()
					return
				}
				seq++
				e := ev
				e.Seq = seq
				ch := j.Append([]cc112.Event{e})
				mu.Unlock()
				if err := <-ch; err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppendOneByOne: one Append at a time, waiting for each: one
// commit (fsync) per event.
func BenchmarkAppendOneByOne(b *testing.B) {
	j, _ := openT(b, b.TempDir())
	ev := mkEvents(1, 1)[0]
	b.ResetTimer()
	for i := range b.N {
		ev.Seq = uint64(i + 1)
		if err := <-j.Append([]cc112.Event{ev}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// buildJournal writes n small events (about 110 bytes of JSON each) in
// batches of 4096 and closes the journal.
func buildJournal(b *testing.B, dir string, n int) {
	b.Helper()
	j, err := Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	types := []string{"incident.created", "incident.updated", "unit.updated", "unit.moved", "camera.updated"}
	for from := 1; from <= n; from += 4096 {
		evs := make([]cc112.Event, min(4096, n-from+1))
		for i := range evs {
			seq := uint64(from + i)
			evs[i] = cc112.Event{Seq: seq, Type: types[seq%5], At: baseTime.Add(time.Duration(seq) * time.Millisecond),
				Data: json.RawMessage(fmt.Sprintf(`{"id":"u-%d","status":"enroute","location":{"lat":-7.2575,"lon":112.7521},"incident_id":"inc-%d"}`, seq%300, seq/7))}
		}
		if err := <-j.Append(evs); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReplay1M: start-up cost on a journal of 1,000,000 events, built
// once: Open (which validates every record) and a full Replay.
func BenchmarkReplay1M(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	start := time.Now()
	buildJournal(b, dir, n)
	b.Logf("built a journal of %d events in %v", n, time.Since(start))

	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			j, err := Open(dir, nil)
			if err != nil {
				b.Fatal(err)
			}
			if j.LastSeq() != n {
				b.Fatalf("LastSeq = %d", j.LastSeq())
			}
			_ = j.Close()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("replay", func(b *testing.B) {
		j, err := Open(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer j.Close()
		b.ReportAllocs()
		for b.Loop() {
			var count int
			var bytes int
			if err := j.Replay(context.Background(), 0, func(ev cc112.Event) error {
				count++
				bytes += len(ev.Data)
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			if count != n {
				b.Fatalf("replayed %d events", count)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
