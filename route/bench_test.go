package route

import (
	"math/rand"
	"runtime"
	"sort"
	"strconv"
	"testing"
	"time"

	"cc112/geo"
	"cc112/internal/testenv"
	"cc112/roads"
)

// benchNearest times k=5 among 10,000 units on g, one query at a time,
// and reports the p50/p99 latency and the graph's bytes per edge.
//
// Units and incidents are placed where they are in a city: beside a road
// (a random vertex, moved up to 20 m for units and 50 m for incidents).
func benchNearest(b *testing.B, g *roads.Graph) {
	r := New(g, Options{})
	rng := rand.New(rand.NewSource(7))
	pt := func(m float64) geo.Point {
		p := g.Point(int32(rng.Intn(g.Nodes())))
		return geo.Point{Lat: p.Lat + (rng.Float64()*2-1)*m/111_320, Lon: p.Lon + (rng.Float64()*2-1)*m/111_000}
	}
	f := r.NewFleet()
	for i := 0; i < 10_000; i++ {
		f.Set(strconv.Itoa(i), pt(20))
	}
	incidents := make([]geo.Point, 1000)
	for i := range incidents {
		incidents[i] = pt(50)
	}
	accept := func(string) (string, bool) { return "fire", true }
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // 17:00 WIB, rush hour
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	runtime.LockOSThread() // the thread's CPU clock measures this goroutine's queries
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), threadCPU()
		res, ok := f.Nearest(incidents[i%len(incidents)], at, 5, accept, false)
		cpu = append(cpu, threadCPU()-c0)
		lat = append(lat, time.Since(t0))
		if ok && len(res) != 5 {
			b.Fatalf("%d answers", len(res))
		}
	}
	b.StopTimer()
	for _, x := range []struct {
		name string
		v    []time.Duration
	}{{"wall", lat}, {"cpu", cpu}} {
		sort.Slice(x.v, func(i, j int) bool { return x.v[i] < x.v[j] })
		b.ReportMetric(float64(x.v[len(x.v)/2].Microseconds()), x.name+"-p50-µs")
		b.ReportMetric(float64(x.v[len(x.v)*99/100].Microseconds()), x.name+"-p99-µs")
	}
	b.ReportMetric(float64(g.Bytes())/float64(g.Edges()), "graph-B/edge")
	b.ReportMetric(float64(g.Edges()), "edges")
}

// BenchmarkNearestSurabaya: central Surabaya's OSM subset.
func BenchmarkNearestSurabaya(b *testing.B) {
	g, err := roads.Load(testenv.SharedData(b, "surabaya_roads_central_osm_subset.geojson"), roads.Box{})
	if err != nil {
		b.Fatal(err)
	}
	benchNearest(b, g)
}

// syntheticCity is a 500 × 500 street grid (250,000 nodes, 100 m blocks,
// every fifth street a two-way secondary, the rest alternating one-way
// residential streets).
func syntheticCity(b *testing.B) *roads.Graph {
	const n, step = 500, 0.0009 // about 100 m
	lat0, lon0 := -7.40, 112.60
	bl := roads.NewBuilder()
	line := func(i int, vertical bool) []geo.Point {
		out := make([]geo.Point, n)
		for j := range out {
			if vertical {
				out[j] = geo.Point{Lat: lat0 + float64(j)*step, Lon: lon0 + float64(i)*step}
			} else {
				out[j] = geo.Point{Lat: lat0 + float64(i)*step, Lon: lon0 + float64(j)*step}
			}
		}
		return out
	}
	for i := 0; i < n; i++ {
		for _, v := range []bool{false, true} {
			w := roads.Way{Highway: "residential", Oneway: "yes", Line: line(i, v)}
			if i%2 == 1 {
				w.Oneway = "-1"
			}
			if i%5 == 0 {
				w.Highway, w.Oneway = "secondary", ""
			}
			if err := bl.Add(w); err != nil {
				b.Fatal(err)
			}
		}
	}
	g, err := bl.Graph()
	if err != nil {
		b.Fatal(err)
	}
	return g
}

func BenchmarkNearestSynthetic250k(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g := syntheticCity(b)
	runtime.GC()
	runtime.ReadMemStats(&after)
	benchNearest(b, g) // resets the timer, and with it the metrics reported so far
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(g.Edges()), "heap-B/edge")
	b.ReportMetric(float64(g.Nodes()), "nodes")
}
