package geo

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// square is a counter-clockwise ring of the lon/lat box [x0,x1]×[y0,y1].
func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// metresEast returns the longitude offset of m metres at latitude lat.
func metresEast(m, lat float64) float64 {
	return m / (metresPerDegree * math.Cos(lat*math.Pi/180))
}

func TestDistrictsLocatePolygons(t *testing.T) {
	// Two 0.01° (≈1.1 km) squares side by side near Surabaya; B has a hole
	// holding district C.
	const y0, y1 = -7.26, -7.25
	d := NewDistricts([]District{
		{Name: "A", Centroid: Point{-7.255, 112.705}, Geometry: orb.MultiPolygon{{square(112.70, y0, 112.71, y1)}}},
		{Name: "B", Centroid: Point{-7.255, 112.715}, Geometry: orb.MultiPolygon{{square(112.71, y0, 112.72, y1), square(112.714, -7.256, 112.716, -7.254)}}},
		{Name: "C", Centroid: Point{-7.255, 112.715}, Geometry: orb.MultiPolygon{{square(112.714, -7.256, 112.716, -7.254)}}},
	})
	cases := []struct {
		name string
		p    Point
		want string
	}{
		{"inside A", Point{-7.255, 112.703}, "A"},
		{"inside B", Point{-7.252, 112.718}, "B"},
		{"in B's hole is C", Point{-7.255, 112.715}, "C"},
		{"shared border goes to the first", Point{-7.255, 112.71}, "A"},
		{"100 m west of A", Point{-7.255, 112.70 - metresEast(100, -7.255)}, "A"},
		{"250 m east of B", Point{-7.255, 112.72 + metresEast(250, -7.255)}, "B"},
		{"350 m east of B is outside", Point{-7.255, 112.72 + metresEast(350, -7.255)}, ""},
		{"200 m south of the A/B corner", Point{y0 - 200/metresPerDegree, 112.7101}, "B"},
		{"far away", Point{-6.2, 106.8}, ""},
		{"invalid point", Point{-97, 112.7}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Locate(tc.p); got != tc.want {
				t.Errorf("Locate(%v) = %q, want %q", tc.p, got, tc.want)
			}
		})
	}
}

func TestDistrictsLocateCentroids(t *testing.T) {
	d := NewDistricts([]District{
		{Name: "North", Centroid: Point{-7.22, 112.74}},
		{Name: "South", Centroid: Point{-7.32, 112.74}},
	})
	cases := []struct {
		name string
		p    Point
		want string
	}{
		{"at North", Point{-7.22, 112.74}, "North"},
		{"nearer South", Point{-7.28, 112.75}, "South"},
		{"7.9 km east of North", Point{-7.22, 112.74 + metresEast(7900, -7.22)}, "North"},
		{"8.1 km east of North", Point{-7.22, 112.74 + metresEast(8100, -7.22)}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Locate(tc.p); got != tc.want {
				t.Errorf("Locate(%v) = %q, want %q", tc.p, got, tc.want)
			}
		})
	}
	var nilD *Districts
	if got := nilD.Locate(Point{-7.22, 112.74}); got != "" {
		t.Errorf("nil Districts located %q", got)
	}
}

func TestDistrictsGeoJSON(t *testing.T) {
	in := []District{
		{Name: "A", Centroid: Point{-7.255, 112.705}, Geometry: orb.MultiPolygon{{square(112.70, -7.26, 112.71, -7.25)}}},
		{Name: "Dot", Centroid: Point{-7.3, 112.8}},
	}
	d := NewDistricts(in)
	in[0].Name = "changed" // NewDistricts must have copied
	b, err := d.GeoJSON()
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type       string
			Properties struct {
				Name     string
				Centroid []float64
			}
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
		t.Fatalf("got %s", b)
	}
	want := []struct {
		name, geom string
		centroid   []float64
	}{
		{"A", "MultiPolygon", []float64{112.705, -7.255}},
		{"Dot", "Point", []float64{112.8, -7.3}},
	}
	for i, w := range want {
		f := fc.Features[i]
		if f.Type != "Feature" || f.Properties.Name != w.name || f.Geometry.Type != w.geom ||
			len(f.Properties.Centroid) != 2 || f.Properties.Centroid[0] != w.centroid[0] || f.Properties.Centroid[1] != w.centroid[1] {
			t.Errorf("feature %d: %+v", i, f)
		}
	}
	var mp [][][][2]float64
	if err := json.Unmarshal(fc.Features[0].Geometry.Coordinates, &mp); err != nil || len(mp) != 1 || len(mp[0][0]) != 5 || mp[0][0][1] != [2]float64{112.71, -7.26} {
		t.Errorf("multipolygon coordinates %s (%v)", fc.Features[0].Geometry.Coordinates, err)
	}
	var pt [2]float64
	if err := json.Unmarshal(fc.Features[1].Geometry.Coordinates, &pt); err != nil || pt != [2]float64{112.8, -7.3} {
		t.Errorf("point coordinates %s (%v)", fc.Features[1].Geometry.Coordinates, err)
	}
	if all := d.All(); len(all) != 2 || all[0].Name != "A" {
		t.Errorf("All() = %+v", all)
	}
}

func BenchmarkLocate(b *testing.B) {
	d := loadSurabaya(b)
	r := rand.New(rand.NewPCG(5, 5))
	pts := make([]Point, 1024)
	for i := range pts {
		pts[i] = randPoint(r)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Locate(pts[i%len(pts)])
	}
}

func TestDistrictsBeyond(t *testing.T) {
	poly := NewDistricts([]District{
		{Name: "A", Centroid: Point{-7.255, 112.705}, Geometry: orb.MultiPolygon{{square(112.70, -7.26, 112.71, -7.25)}}},
	})
	cent := NewDistricts([]District{{Name: "A", Centroid: Point{-7.255, 112.705}}})
	for _, c := range []struct {
		name     string
		d        *Districts
		p        Point
		min, max float64
	}{
		{"inside", poly, Point{-7.255, 112.705}, 0, 0},
		{"in the boundary slop", poly, Point{-7.255, 112.7102}, 0, 0},
		{"1.1 km east", poly, Point{-7.255, 112.72}, 1050, 1150},
		{"Jakarta", poly, Point{-6.2, 106.8}, 640e3, 670e3},
		{"missing minus sign", poly, Point{7.25, 112.75}, 1590e3, 1630e3},
		{"centroid radius", cent, Point{-7.255, 112.705 + 0.05}, 0, 0},
		{"beyond the centroid radius", cent, Point{-7.255 - 0.09, 112.705}, 1900, 2100},
		{"none", nil, Point{-6.2, 106.8}, 0, 0},
	} {
		if got := c.d.Beyond(c.p); got < c.min || got > c.max {
			t.Errorf("%s: Beyond(%v) = %.0f m, want %.0f..%.0f", c.name, c.p, got, c.min, c.max)
		}
	}
}
