package kpi

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"cc112"
)

// benchIndex holds n incidents over a year in 31 districts, 14 categories,
// 1–3 of 6 agencies each, ~3% with a missing and ~1% with an out-of-order
// timestamp.
func benchIndex(b *testing.B, n int) *Index {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	cats := []string{"fire", "traffic_accident", "flood", "fallen_tree", "gas_leak", "tornado", "social_conflict",
		"crime", "missing_person", "medical", "mental_health", "animal", "infrastructure", "other"}
	agencies := []string{"damkar", "polri", "dkp", "dinkes", "bpbd", "satpolpp"}
	x := NewIndex(cc112.WIB)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		recv := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		sec := func(lo, spread int) *time.Time {
			t := recv.Add(time.Duration(lo+rng.IntN(spread)) * time.Second)
			return &t
		}
		tl := Timeline{Received: recv, Dispatched: sec(10, 120)}
		tl.Enroute = sec(60, 200)
		tl.Onscene = sec(200, 600)
		switch rng.IntN(100) {
		case 0, 1, 2:
			tl.Enroute = nil
		case 3:
			tl.Onscene = sec(0, 30)
		}
		var ag []string
		for k := 0; k <= rng.IntN(3); k++ {
			if a := agencies[rng.IntN(len(agencies))]; !contains(ag, a) {
				ag = append(ag, a)
			}
		}
		x.Put(Record{ID: fmt.Sprintf("inc_%012x", i), Number: fmt.Sprintf("SBY-%s-%04d", recv.Format("20060102"), i%1440+1), Category: cats[rng.IntN(len(cats))],
			District: fmt.Sprintf("D%02d", rng.IntN(31)), Agencies: ag, ReceivedAt: recv, Values: Measure(tl)})
	}
	return x
}

// BenchmarkReport1M: one report over 1,000,000 incidents (the whole year),
// per group-by. Goal: ≤ 1 s each.
func BenchmarkReport1M(b *testing.B) {
	x := benchIndex(b, 1_000_000)
	for _, by := range []string{"", ByCategory, ByAgency, ByDistrict, ByHour, ByDay} {
		name := by
		if name == "" {
			name = "none"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := x.Report(context.Background(), Query{GroupBy: by}, DefaultTargets()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIndexHeap: the heap the index holds per incident, with 150,000
// incidents (ten years of Surabaya's closed history) of IDs and numbers as
// the engine makes them.
func BenchmarkIndexHeap(b *testing.B) {
	const n = 150_000
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		x := benchIndex(b, n)
		x.Len() // fold the queue in
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/incident")
		runtime.KeepAlive(x)
	}
}

// BenchmarkIndexHeapAfterSweep: the heap the index keeps once a first
// archive sweep has it forget 199,000 of 200,000 incidents.
func BenchmarkIndexHeapAfterSweep(b *testing.B) {
	const n, left = 200_000, 1000
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		x := benchIndex(b, n)
		for i := range n - left {
			x.Forget(fmt.Sprintf("inc_%012x", i))
		}
		if x.Len() != left {
			b.Fatalf("%d left", x.Len())
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "heap-MB-after")
		runtime.KeepAlive(x)
	}
}

// BenchmarkSnapshot150k: the metrics index's part of a checkpoint with
// 150,000 incidents: the copy taken under the engine's lock (the write
// path's pause), its encoding after it, and the restore at a start.
func BenchmarkSnapshot150k(b *testing.B) {
	x := benchIndex(b, 150_000)
	x.Len()
	raw, err := json.Marshal(x.Snapshot())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("copy", func(b *testing.B) {
		for b.Loop() {
			x.Snapshot()
		}
	})
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(x.Snapshot()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raw))/1e6, "MB")
	})
	b.Run("restore", func(b *testing.B) {
		for b.Loop() {
			install, err := NewIndex(cc112.WIB).Restore(raw)
			if err != nil {
				b.Fatal(err)
			}
			install()
		}
	})
}
