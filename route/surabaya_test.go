package route

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"cc112/geo"
	"cc112/internal/testenv"
	"cc112/roads"
)

const roadsFile = "surabaya_roads_central_osm_subset.geojson"

func surabaya(t *testing.T) *Router {
	t.Helper()
	g, err := roads.Load(testenv.SharedData(t, roadsFile), roads.Box{})
	if err != nil {
		t.Fatal(err)
	}
	return New(g, Options{})
}

// way is one LineString of the input file, read apart from the loader.
type way struct {
	props map[string]any
	line  [][2]float64
}

func fileWays(t *testing.T) []way {
	var fc struct {
		Features []struct {
			Properties map[string]any
			Geometry   struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	b, err := os.ReadFile(testenv.SharedData(t, roadsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	var out []way
	for _, f := range fc.Features {
		var lines [][][2]float64
		if f.Geometry.Type == "LineString" {
			var l [][2]float64
			json.Unmarshal(f.Geometry.Coordinates, &l)
			lines = append(lines, l)
		} else {
			json.Unmarshal(f.Geometry.Coordinates, &lines)
		}
		for _, l := range lines {
			out = append(out, way{f.Properties, l})
		}
	}
	return out
}

// TestOneWayDetour: between two points of the centre 1.4 km apart (west
// of Jalan Tunjungan) the one-ways make the two trips differ, and neither beats
// the straight line at the top speed of any road class.
func TestOneWayDetour(t *testing.T) {
	r := surabaya(t)
	a := geo.Point{Lat: -7.266001, Lon: 112.739898}
	b := geo.Point{Lat: -7.253761, Lon: 112.735662}
	ab, ba := r.Route(a, b, "dkp", noon), r.Route(b, a, "dkp", noon)
	if ab.Method != Road || ba.Method != Road {
		t.Fatalf("not by road: %+v %+v", ab.Method, ba.Method)
	}
	if math.Abs(ab.ETAS-ba.ETAS) < 30 {
		t.Errorf("A→B %.0f s and B→A %.0f s: a one-way should make them differ", ab.ETAS, ba.ETAS)
	}
	top := 0.0
	for _, v := range roads.DefaultSpeedsKMH {
		top = math.Max(top, v/3.6)
	}
	floor := geo.Haversine(a, b) / top
	if ab.ETAS < floor || ba.ETAS < floor {
		t.Errorf("faster than the straight line at %.0f km/h: %.0f / %.0f s < %.0f s", top*3.6, ab.ETAS, ba.ETAS, floor)
	}
	if ab.DistanceM < geo.Haversine(a, b) || ba.DistanceM < geo.Haversine(a, b) {
		t.Errorf("road shorter than the straight line: %.0f / %.0f m", ab.DistanceM, ba.DistanceM)
	}
}

// TestAcrossTheRiverRanking: a fire at the east end of Jalan Undaan; one
// engine 780 m away on the other side of the water, one 1.4 km away on the
// same side. The straight line sends the near one; by road it must cross
// at the Genteng Kali bridge and arrives minutes after the far one.
func TestAcrossTheRiverRanking(t *testing.T) {
	r := surabaya(t)
	fire := geo.Point{Lat: -7.245984, Lon: 112.748173}
	across := geo.Point{Lat: -7.248370, Lon: 112.741500}
	sameSide := geo.Point{Lat: -7.257795, Lon: 112.752377}
	if da, ds := geo.Haversine(across, fire), geo.Haversine(sameSide, fire); da >= ds {
		t.Fatalf("setup: straight %.0f m vs %.0f m", da, ds)
	}
	f := r.NewFleet()
	f.Set("across", across)
	f.Set("same", sameSide)
	got, ok := f.Nearest(fire, noon, 2, func(string) (string, bool) { return "fire", true }, true)
	if !ok || len(got) != 2 {
		t.Fatalf("%v %+v", ok, got)
	}
	if got[0].ID != "same" || got[0].Method != Road || got[1].Method != Road || got[1].ETAS-got[0].ETAS < 120 {
		t.Fatalf("road ranking %s %.0f s, %s %.0f s: want the same-side unit first by minutes", got[0].ID, got[0].ETAS, got[1].ID, got[1].ETAS)
	}
	// the near unit's route crosses a bridge of the file, the other's none
	bridges := map[[2]float64]string{}
	for _, w := range fileWays(t) {
		if w.props["bridge"] != nil {
			for _, c := range w.line {
				bridges[c], _ = w.props["name"].(string)
			}
		}
	}
	crossed := func(res Result) string {
		var names []string
		for _, c := range res.Geometry {
			if n, ok := bridges[c]; ok {
				names = append(names, n)
			}
		}
		return strings.Join(names, ", ")
	}
	if n := crossed(got[1]); !strings.Contains(n, "Genteng Kali") {
		t.Errorf("the unit across the water should cross the Genteng Kali bridge, crossed %q", n)
	}
	if n := crossed(got[0]); n != "" {
		t.Errorf("the same-side unit crossed %q", n)
	}
}

// TestOffTheRoadFallsBack: a unit and an incident in the sea north of the
// map are farther than the snapping distance from any road: the straight
// line, marked; a unit on the road beside it is still ranked by road.
func TestOffTheRoadFallsBack(t *testing.T) {
	r := surabaya(t)
	sea := geo.Point{Lat: -7.20, Lon: 112.74} // the Madura strait, north of the subset
	onRoad := geo.Point{Lat: -7.257795, Lon: 112.752377}
	if res := r.Route(sea, onRoad, "fire", noon); res.Method != Straight || res.ETAS <= 0 {
		t.Errorf("from the sea: %+v", res)
	}
	f := r.NewFleet()
	f.Set("boat", sea)
	f.Set("car", onRoad)
	if _, ok := f.Nearest(sea, noon, 2, func(string) (string, bool) { return "fire", true }, false); ok {
		t.Error("an incident in the sea was ranked by road")
	}
	got, _ := f.Nearest(geo.Point{Lat: -7.2560, Lon: 112.7500}, noon, 2, func(string) (string, bool) { return "fire", true }, false)
	methods := map[string]string{}
	for _, g := range got {
		methods[g.ID] = g.Method
	}
	if methods["boat"] != Straight || methods["car"] != Road {
		t.Errorf("methods %v", methods)
	}
}

// TestRouteVerticesOnWays: every vertex of a returned route lies on a way
// of the input file, within 1 m.
func TestRouteVerticesOnWays(t *testing.T) {
	r := surabaya(t)
	ways := fileWays(t)
	pairs := [][2]geo.Point{
		{{Lat: -7.266001, Lon: 112.739898}, {Lat: -7.253761, Lon: 112.735662}},
		{{Lat: -7.248370, Lon: 112.741500}, {Lat: -7.245984, Lon: 112.748173}},
		{{Lat: -7.2801, Lon: 112.7390}, {Lat: -7.2402, Lon: 112.7511}},
	}
	for _, p := range pairs {
		res := r.Route(p[0], p[1], "ambulance", noon)
		if res.Method != Road || len(res.Geometry) < 3 {
			t.Fatalf("%v: %s, %d vertices", p, res.Method, len(res.Geometry))
		}
		for _, v := range res.Geometry {
			if d := nearestWay(ways, v); d > 1 {
				t.Errorf("vertex %v is %.2f m from every way", v, d)
			}
		}
	}
}

func nearestWay(ways []way, v [2]float64) float64 {
	best := math.Inf(1)
	kx, ky := 111320*math.Cos(v[1]*math.Pi/180), 111320.0
	for _, w := range ways {
		for i := 1; i < len(w.line); i++ {
			ax, ay := (w.line[i-1][0]-v[0])*kx, (w.line[i-1][1]-v[1])*ky
			bx, by := (w.line[i][0]-v[0])*kx, (w.line[i][1]-v[1])*ky
			dx, dy := bx-ax, by-ay
			t := 0.0
			if l := dx*dx + dy*dy; l > 0 {
				t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
			}
			x, y := ax+t*dx, ay+t*dy
			best = math.Min(best, math.Hypot(x, y))
		}
	}
	return best
}
