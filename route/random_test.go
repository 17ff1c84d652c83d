package route

import (
	"math"
	"math/rand"
	"sort"
	"strconv"
	"testing"
	"time"

	"cc112/geo"
	"cc112/roads"
)

// noon is 12:00 WIB, free flow in the default hours.
var noon = time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)

type seg struct {
	a, b   geo.Point
	oneway string
	class  string
}

// randomCity is a jittered grid (no two segments cross) with random
// one-ways, missing links and classes, and points on its segments.
func randomCity(rng *rand.Rand, n int) ([]seg, []geo.Point, map[int][]float64) {
	node := func(i, j int) geo.Point {
		r := rand.New(rand.NewSource(int64(i*1000 + j)))
		return geo.Point{Lat: -7.25 + float64(i)*0.002 + (r.Float64()-0.5)*0.0006, Lon: 112.74 + float64(j)*0.002 + (r.Float64()-0.5)*0.0006}
	}
	classes := []string{"secondary", "tertiary", "residential", "living_street", "trunk"}
	ways := []string{"no", "no", "yes", "-1"}
	var segs []seg
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			for _, d := range [][2]int{{0, 1}, {1, 0}} {
				if i+d[0] >= n || j+d[1] >= n || rng.Intn(10) == 0 {
					continue
				}
				segs = append(segs, seg{node(i, j), node(i+d[0], j+d[1]), ways[rng.Intn(len(ways))], classes[rng.Intn(len(classes))]})
			}
		}
	}
	var pts []geo.Point
	on := map[int][]float64{}
	for len(pts) < 3*n {
		s := rng.Intn(len(segs))
		f := 0.0
		if rng.Intn(3) > 0 {
			f = 0.2 + 0.6*rng.Float64()
		}
		a, b := segs[s].a, segs[s].b
		pts = append(pts, geo.Point{Lat: a.Lat + f*(b.Lat-a.Lat), Lon: a.Lon + f*(b.Lon-a.Lon)})
		if f > 0 {
			on[s] = append(on[s], f)
		}
	}
	return segs, pts, on
}

func build(t *testing.T, segs []seg, split map[int][]float64) *roads.Graph {
	b := roads.NewBuilder()
	for i, s := range segs {
		line := []geo.Point{s.a}
		fs := append([]float64(nil), split[i]...)
		sort.Float64s(fs)
		for _, f := range fs {
			line = append(line, geo.Point{Lat: s.a.Lat + f*(s.b.Lat-s.a.Lat), Lon: s.a.Lon + f*(s.b.Lon-s.a.Lon)})
		}
		line = append(line, s.b)
		if err := b.Add(roads.Way{ID: strconv.Itoa(i), Highway: s.class, Oneway: s.oneway, Line: line}); err != nil {
			t.Fatal(err)
		}
	}
	g, err := b.Graph()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// floyd is the all-pairs drive time on g's own edges.
func floyd(g *roads.Graph) [][]float64 {
	n := g.Nodes()
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			if i != j {
				d[i][j] = math.Inf(1)
			}
		}
	}
	for e := int32(0); e < int32(g.Edges()); e++ {
		a, b, _, tm, _ := g.Edge(e)
		d[a][b] = math.Min(d[a][b], tm)
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if v := d[i][k] + d[k][j]; v < d[i][j] {
					d[i][j] = v
				}
			}
		}
	}
	return d
}

// TestNearestEqualsFloydWarshall: on random small cities the one-to-many
// answer (every k, points on nodes and inside segments) equals the
// all-pairs drive time to the millisecond; unreachable points fall back to
// the straight line, marked.
func TestNearestEqualsFloydWarshall(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewSource(seed))
		segs, pts, on := randomCity(rng, 5+rng.Intn(4))
		r := New(build(t, segs, nil), Options{})
		split := build(t, segs, on) // the points are vertices here
		all := floyd(split)
		at := map[geo.Point]int32{}
		for n := int32(0); n < int32(split.Nodes()); n++ {
			at[split.Point(n)] = n
		}
		fleet := r.NewFleet()
		for i, p := range pts {
			fleet.Set(strconv.Itoa(i), p)
		}
		for q, dst := range pts {
			var want []float64
			wantOf := map[string]float64{}
			for i, p := range pts {
				if i == q {
					continue
				}
				v := all[at[p]][at[dst]]
				wantOf[strconv.Itoa(i)] = v
				if !math.IsInf(v, 1) {
					want = append(want, v)
				}
			}
			sort.Float64s(want)
			for _, k := range []int{1, 3, len(pts) - 1} {
				got, ok := fleet.Nearest(dst, noon, k, func(id string) (string, bool) { return "fire", id != strconv.Itoa(q) }, false)
				if !ok {
					t.Fatalf("seed %d: point %d not snapped", seed, q)
				}
				if len(got) != k {
					t.Fatalf("seed %d q %d k %d: %d answers", seed, q, k, len(got))
				}
				road := 0 // the road answers come in the all-pairs order
				for _, res := range got {
					w := wantOf[res.ID]
					if math.IsInf(w, 1) {
						if res.Method != Straight {
							t.Errorf("seed %d q %d: unit %s cannot reach by road but got %+v", seed, q, res.ID, res)
						}
						continue
					}
					if res.Method != Road || math.Abs(res.ETAS-w) > 0.001 {
						t.Errorf("seed %d q %d k %d: unit %s %v %s, Floyd–Warshall %v", seed, q, k, res.ID, res.ETAS, res.Method, w)
					}
					if math.Abs(res.ETAS-want[road]) > 0.001 {
						t.Errorf("seed %d q %d k %d: road rank %d is %v, all-pairs says %v", seed, q, k, road, res.ETAS, want[road])
					}
					road++
				}
			}
		}
	}
}
