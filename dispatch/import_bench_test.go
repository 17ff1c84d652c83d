package dispatch_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/kpi"
)

// BenchmarkImportBolt: historical incidents (two units each, full
// timelines) through the engine into the embedded bbolt journal, in
// batches of 1,000 per command, each durable (fsynced) before its command
// returns; "inflight2" keeps two batches in flight as the import endpoint
// does (one is built while the other is being synced). Reports
// incidents/s; goal ≥ 50,000.
func BenchmarkImportBolt(b *testing.B) {
	for _, inflight := range []int{1, 2} {
		b.Run(fmt.Sprintf("inflight%d", inflight), func(b *testing.B) { benchImport(b, inflight) })
	}
}

func benchImport(b *testing.B, inflight int) {
	j, err := bolt.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	idx := kpi.NewIndex(cc112.WIB) // as dispatchd wires it
	eng, err := dispatch.New(context.Background(), dispatch.Config{Journal: j, Logger: slog.New(slog.DiscardHandler),
		OnIncident: func(inc *cc112.Incident) { idx.Put(kpi.FromIncident(inc)) }}, nil)
	if err != nil {
		b.Fatal(err)
	}
	const batchSize = 1000
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(t time.Time, s int) *time.Time { v := t.Add(time.Duration(s) * time.Second); return &v }
	loc := geo.Point{Lat: -7.25, Lon: 112.75}
	batches := make(chan []dispatch.ImportedIncident, inflight)
	var wg sync.WaitGroup
	for range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				res, err := eng.ImportIncidents(context.Background(), batch)
				if err != nil {
					b.Error(err)
					return
				}
				for _, e := range res {
					if e != nil {
						b.Error(e)
						return
					}
				}
			}
		}()
	}
	b.ResetTimer()
	for i := 0; i < b.N; {
		batch := make([]dispatch.ImportedIncident, 0, batchSize)
		for ; len(batch) < batchSize && i < b.N; i++ {
			recv := base.Add(time.Duration(i) * time.Minute)
			batch = append(batch, dispatch.ImportedIncident{
				ExternalID: fmt.Sprintf("H-%d", i), Category: cc112.CatFire, Priority: 1, Location: &loc,
				ReceivedAt: &recv, ClosedAt: at(recv, 3600),
				Units: []dispatch.ImportedUnit{
					{Callsign: "E1", Type: cc112.UnitFire, DispatchedAt: at(recv, 60), EnrouteAt: at(recv, 120), OnsceneAt: at(recv, 400), ClearedAt: at(recv, 3000)},
					{Callsign: "P7", Type: cc112.UnitPolice, DispatchedAt: at(recv, 70), EnrouteAt: at(recv, 90), OnsceneAt: at(recv, 500), ClearedAt: at(recv, 3600)},
				},
			})
		}
		batches <- batch
	}
	close(batches)
	wg.Wait()
	b.StopTimer()
	if n := eng.ImportedCount(); n != b.N {
		b.Fatalf("%d imported, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
	// What the history costs in memory: the engine's incidents plus the
	// metrics index, per imported incident.
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heap-B/incident")
	runtime.KeepAlive(eng)
	runtime.KeepAlive(idx)
}
