package geo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// surabayaBox is roughly the city's bounding box, for random test data.
var surabayaBox = [4]float64{-7.35, -7.19, 112.59, 112.85} // minLat, maxLat, minLon, maxLon

func randPoint(r *rand.Rand) Point {
	b := surabayaBox
	return Point{Lat: b[0] + r.Float64()*(b[1]-b[0]), Lon: b[2] + r.Float64()*(b[3]-b[2])}
}

// bruteBest scores every point: the reference Best must agree with.
func bruteBest(pts map[string]Point, p Point, k int, score func(string, float64) (float64, bool)) []Scored {
	var all []Scored
	for id, q := range pts {
		d := Haversine(p, q)
		if s, ok := score(id, d); ok {
			all = append(all, Scored{ID: id, DistanceM: d, Score: s})
		}
	}
	sort.Slice(all, func(i, j int) bool { return worse(all[j], all[i]) })
	if len(all) > k {
		all = all[:k]
	}
	if k <= 0 {
		return nil
	}
	return all
}

func sameResults(t *testing.T, got, want []Scored) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results %v, want %d %v", len(got), ids(got), len(want), ids(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("result %d: got %+v, want %+v\n got %v\nwant %v", i, got[i], want[i], ids(got), ids(want))
		}
	}
}

func ids(s []Scored) string {
	var b strings.Builder
	for _, x := range s {
		fmt.Fprintf(&b, "%s(%.1f) ", x.ID, x.Score)
	}
	return b.String()
}

func TestIndexBestMatchesBruteForce(t *testing.T) {
	m := DefaultETAModel()
	types := []string{"fire", "police", "dkp", "ambulance", "rescue"}
	typeOf := func(id string) string {
		var n int
		fmt.Sscanf(id, "u%d", &n)
		return types[n%len(types)]
	}
	byDist := func(id string, d float64) (float64, bool) { return d, true }
	byETA := func(want string) func(string, float64) (float64, bool) {
		return func(id string, d float64) (float64, bool) {
			ty := typeOf(id)
			if want != "" && ty != want {
				return 0, false
			}
			return m.travel(d, m.speed(ty)), true
		}
	}
	// Coarse scores make many exact ties, which must be broken by id.
	rounded := func(id string, d float64) (float64, bool) { return float64(int(d / 2000)), true }
	cases := []struct {
		name   string
		n      int
		k      int
		cellM  float64
		score  func(string, float64) (float64, bool)
		bound  func(float64) float64
		spread float64 // 0: Surabaya box; else degrees around the query
		far    bool    // query from far outside the data
	}{
		{"empty index", 0, 5, 0, byDist, ident, 0, false},
		{"k zero", 50, 0, 0, byDist, ident, 0, false},
		{"k larger than n", 7, 20, 0, byDist, ident, 0, false},
		{"nearest 1", 300, 1, 0, byDist, ident, 0, false},
		{"nearest 10", 3000, 10, 0, byDist, ident, 0, false},
		{"eta one type", 3000, 5, 0, byETA("fire"), m.MinETA, 0, false},
		{"eta all types", 3000, 8, 0, byETA(""), m.MinETA, 0, false},
		{"no bound", 500, 5, 0, byETA("dkp"), nil, 0, false},
		{"filter rejects all", 500, 5, 0, func(string, float64) (float64, bool) { return 0, false }, ident, 0, false},
		{"ties by id", 800, 15, 0, rounded, func(d float64) float64 { return float64(int(d / 2000)) }, 0, false},
		{"small cells", 2000, 5, 100, byDist, ident, 0, false},
		{"big cells", 2000, 5, 5000, byDist, ident, 0, false},
		{"dense cluster", 1000, 12, 0, byDist, ident, 0.002, false},
		{"query far outside, sparse", 300, 3, 0, byDist, ident, 0, true},
		{"query far outside, dense", 5000, 3, 0, byDist, ident, 0, true},
		{"eta dense", 8000, 5, 0, byETA("ambulance"), m.MinETA, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.n)))
			ix := NewIndex(tc.cellM)
			pts := map[string]Point{}
			center := randPoint(r)
			for i := range tc.n {
				p := randPoint(r)
				if tc.spread > 0 {
					p = Point{Lat: center.Lat + (r.Float64()-0.5)*tc.spread, Lon: center.Lon + (r.Float64()-0.5)*tc.spread}
				}
				id := fmt.Sprintf("u%d", i)
				pts[id] = p
				ix.Set(id, p)
			}
			if ix.Len() != tc.n {
				t.Fatalf("Len = %d, want %d", ix.Len(), tc.n)
			}
			for range 50 {
				q := randPoint(r)
				if tc.spread > 0 {
					q = Point{Lat: center.Lat + (r.Float64()-0.5)*tc.spread, Lon: center.Lon + (r.Float64()-0.5)*tc.spread}
				}
				if tc.far {
					q = Point{Lat: -6.9 + r.Float64(), Lon: 113.5 + r.Float64()}
				}
				got := ix.Best(q, tc.k, tc.score, tc.bound)
				want := bruteBest(pts, q, tc.k, tc.score)
				sameResults(t, got, want)
			}
		})
	}
}

func ident(d float64) float64 { return d }

func TestIndexMovesAndRemovals(t *testing.T) {
	// 400 points leave most cells empty (the sparse strategy); 4,000 fill
	// them (the grid walk).
	for _, n := range []int{400, 4000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) { testMovesAndRemovals(t, n) })
	}
}

func testMovesAndRemovals(t *testing.T, n int) {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	ix := NewIndex(0)
	pts := map[string]Point{}
	check := func(step int) {
		t.Helper()
		if ix.Len() != len(pts) {
			t.Fatalf("step %d: Len = %d, want %d", step, ix.Len(), len(pts))
		}
		for range 5 {
			q := randPoint(r)
			sameResults(t, ix.Nearest(q, 6, nil), bruteBest(pts, q, 6, func(_ string, d float64) (float64, bool) { return d, true }))
		}
	}
	for i := range n {
		id := fmt.Sprintf("u%04d", i)
		p := randPoint(r)
		pts[id] = p
		ix.Set(id, p)
	}
	check(0)
	for step := 1; step <= 2000; step++ {
		id := fmt.Sprintf("u%04d", r.IntN(n+n/4))
		switch op := r.IntN(10); {
		case op < 5: // small move, often within the cell
			p, ok := pts[id]
			if !ok {
				p = randPoint(r)
			}
			p.Lat += (r.Float64() - 0.5) * 0.01
			p.Lon += (r.Float64() - 0.5) * 0.01
			pts[id] = p
			ix.Set(id, p)
		case op < 7: // jump across the city
			p := randPoint(r)
			pts[id] = p
			ix.Set(id, p)
		default:
			delete(pts, id)
			ix.Remove(id)
		}
		if got, ok := ix.Point(id); ok != (pts[id] != Point{}) || got != pts[id] {
			t.Fatalf("step %d: Point(%s) = %v %v, want %v", step, id, got, ok, pts[id])
		}
		if step%50 == 0 {
			check(step)
		}
	}
	// Empty it completely; the index must still answer (nothing).
	for id := range pts {
		ix.Remove(id)
	}
	ix.Remove("never-there")
	if ix.Len() != 0 || len(ix.Nearest(Point{Lat: -7.25, Lon: 112.75}, 3, nil)) != 0 {
		t.Fatalf("emptied index: Len %d", ix.Len())
	}
	// And be usable again far away from where it was.
	ix.Set("x", Point{Lat: 51.5, Lon: -0.12})
	got := ix.Nearest(Point{Lat: -7.25, Lon: 112.75}, 3, nil)
	if len(got) != 1 || got[0].ID != "x" {
		t.Fatalf("after refill: %v", ids(got))
	}
}

func TestIndexNearestFilter(t *testing.T) {
	ix := NewIndex(0)
	base := Point{Lat: -7.25, Lon: 112.75}
	for i := range 10 {
		ix.Set(fmt.Sprintf("u%d", i), Point{Lat: base.Lat + float64(i)*0.001, Lon: base.Lon})
	}
	odd := func(id string) bool { return (id[1]-'0')%2 == 1 }
	got := ix.Nearest(base, 3, odd)
	want := []string{"u1", "u3", "u5"}
	if len(got) != 3 {
		t.Fatalf("got %v", ids(got))
	}
	for i := range want {
		if got[i].ID != want[i] || got[i].Score != got[i].DistanceM {
			t.Fatalf("got %v, want %v", ids(got), want)
		}
	}
	if got := ix.Nearest(base, 3, func(string) bool { return false }); len(got) != 0 {
		t.Fatalf("filter rejecting all: got %v", ids(got))
	}
}

// benchIndex fills an index with n units of five types spread over the city.
func benchIndex(n int, cellM float64) (*Index, map[string]string) {
	r := rand.New(rand.NewPCG(42, uint64(n)))
	types := []string{"fire", "police", "dkp", "ambulance", "rescue"}
	ix := NewIndex(cellM)
	typ := make(map[string]string, n)
	for i := range n {
		id := fmt.Sprintf("u-%05d", i)
		typ[id] = types[i%len(types)]
		ix.Set(id, randPoint(r))
	}
	return ix, typ
}

// benchBest runs the dispatcher's typical query, "the 5 fastest fire units
// by ETA", and reports the 99th percentile latency next to the mean.
func benchBest(b *testing.B, n int, cellM float64) {
	ix, typ := benchIndex(n, cellM)
	m := DefaultETAModel()
	r := rand.New(rand.NewPCG(9, 9))
	queries := make([]Point, 1024)
	for i := range queries {
		queries[i] = randPoint(r)
	}
	score := func(id string, d float64) (float64, bool) {
		t := typ[id]
		if t != "fire" {
			return 0, false
		}
		return m.travel(d, m.speed(t)), true
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		ix.Best(queries[i%len(queries)], 5, score, m.MinETA)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[(len(lat)*99)/100].Nanoseconds()), "p99-ns")
	}
}

func BenchmarkIndexBest(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { benchBest(b, n, DefaultCellM) })
	}
}

// BenchmarkIndexCell justifies DefaultCellM on 10,000 units.
func BenchmarkIndexCell(b *testing.B) {
	for _, c := range []float64{250, 500, 1000, 2000} {
		b.Run(fmt.Sprintf("cell=%gm", c), func(b *testing.B) { benchBest(b, 10000, c) })
	}
}

// BenchmarkIndexMove is a GPS fix: a unit moving a few metres.
func BenchmarkIndexMove(b *testing.B) {
	ix, _ := benchIndex(10000, DefaultCellM)
	r := rand.New(rand.NewPCG(3, 3))
	pts := make([]Point, 1024)
	for i := range pts {
		pts[i] = randPoint(r)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ix.Set(fmt.Sprintf("u-%05d", i%10000), pts[i%len(pts)])
	}
}

func TestIndexZeroValue(t *testing.T) {
	var ix Index
	if got := ix.Nearest(Point{Lat: -7.25, Lon: 112.75}, 3, nil); len(got) != 0 {
		t.Fatalf("empty zero index: %v", got)
	}
	ix.Remove("x")
	ix.Set("a", Point{Lat: -7.25, Lon: 112.75})
	ix.Set("b", Point{Lat: -7.26, Lon: 112.75})
	got := ix.Nearest(Point{Lat: -7.259, Lon: 112.75}, 5, nil)
	if ix.Len() != 2 || len(got) != 2 || got[0].ID != "b" || got[1].ID != "a" {
		t.Fatalf("got %v", ids(got))
	}
}
