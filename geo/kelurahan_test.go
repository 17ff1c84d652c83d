package geo

import (
	"cc112/internal/testenv"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

const (
	kelurahanFile = "surabaya_kelurahan_hdx_bps2020.geojson"
	camerasFile   = "surabaya_cctv_lensamas_snapshot.csv"
)

// openData opens a file of the shared real data set (testenv.SharedData:
// skipped on a fresh clone without ../shared, a failure under CI).
func openData(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(testenv.SharedData(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func loadSurabaya(t testing.TB) *Districts {
	t.Helper()
	d, err := LoadKelurahanGeoJSON(openData(t, kelurahanFile))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoadKelurahanSurabaya(t *testing.T) {
	d := loadSurabaya(t)
	if d.Len() != 31 {
		t.Fatalf("got %d districts, want 31", d.Len())
	}
	for _, x := range d.All() {
		if len(x.Geometry) == 0 {
			t.Errorf("%s: no geometry", x.Name)
		}
		// An area-weighted centroid lies within the district's box (though a
		// concave district may not hold it).
		if b := x.Geometry.Bound(); !b.Contains(orb.Point{x.Centroid.Lon, x.Centroid.Lat}) {
			t.Errorf("%s: centroid %v outside its bounds %v", x.Name, x.Centroid, b)
		}
		if d.Locate(x.Centroid) == "" {
			t.Errorf("%s: centroid %v is outside the city", x.Name, x.Centroid)
		}
	}
	cases := []struct {
		name string
		p    Point
		want string
	}{
		{"Tugu Pahlawan", Point{-7.2458, 112.7378}, "Bubutan"},
		{"Balai Kota (Taman Surya)", Point{-7.2587, 112.7470}, "Genteng"},
		{"Taman Bungkul", Point{-7.2912, 112.7398}, "Wonokromo"},
		{"ITS campus", Point{-7.2820, 112.7950}, "Sukolilo"},
		{"Juanda airport (Sidoarjo)", Point{-7.3798, 112.7869}, ""},
		{"Madura Strait", Point{-7.15, 112.80}, ""},
	}
	for _, tc := range cases {
		if got := d.Locate(tc.p); got != tc.want {
			t.Errorf("%s %v: Locate = %q, want %q", tc.name, tc.p, got, tc.want)
		}
	}
}

// TestLocateMatchesCameraSnapshot checks Locate against the kecamatan the
// camera list got by its own point-in-polygon.
func TestLocateMatchesCameraSnapshot(t *testing.T) {
	d := loadSurabaya(t)
	r := csv.NewReader(openData(t, camerasFile))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	total, agree := 0, 0
	for _, row := range rows[1:] {
		lat, err1 := strconv.ParseFloat(row[col["lat"]], 64)
		lon, err2 := strconv.ParseFloat(row[col["lon"]], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %v", row)
		}
		total++
		want := row[col["kecamatan_pip"]]
		got := d.Locate(Point{Lat: lat, Lon: lon})
		if got == want {
			agree++
		} else {
			t.Logf("%s %s (%.6f,%.6f): Locate %q, snapshot %q", row[col["cctv_id"]], row[col["name"]], lat, lon, got, want)
		}
	}
	if total != 444 {
		t.Errorf("read %d cameras, want 444", total)
	}
	if share := float64(agree) / float64(total); share < 0.97 {
		t.Errorf("agreement %d/%d = %.1f%%, want ≥ 97%%", agree, total, 100*share)
	}
}

// fc builds a kelurahan FeatureCollection from (district, polygon) pairs.
func fc(t *testing.T, parts ...any) string {
	t.Helper()
	type feat struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	var fs []feat
	for i := 0; i+1 < len(parts); i += 2 {
		fs = append(fs, feat{"Feature", map[string]any{"district": parts[i]}, map[string]any{"type": "Polygon", "coordinates": parts[i+1]}})
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": fs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDissolveSquares(t *testing.T) {
	sq := func(x, y float64) orb.Polygon { return orb.Polygon{square(x, y, x+1, y+1)} }
	cw := func(p orb.Polygon) orb.Polygon {
		r := p[0].Clone()
		r.Reverse()
		return orb.Polygon{r}
	}
	cases := []struct {
		name         string
		parts        orb.MultiPolygon
		shells       int
		holes        int
		area         float64
		outerVerts   int // vertices of the largest outer ring without the closing one; 0: don't check
		wantFallback bool
	}{
		{"one square", orb.MultiPolygon{sq(0, 0)}, 1, 0, 1, 4, false},
		{"two side by side", orb.MultiPolygon{sq(0, 0), sq(1, 0)}, 1, 0, 2, 6, false},
		{"2×2 block", orb.MultiPolygon{sq(0, 0), sq(1, 0), sq(0, 1), sq(1, 1)}, 1, 0, 4, 8, false},
		{"mixed orientation", orb.MultiPolygon{sq(0, 0), cw(sq(1, 0))}, 1, 0, 2, 6, false},
		{"ring of 8 around a hole", orb.MultiPolygon{sq(0, 0), sq(1, 0), sq(2, 0), sq(0, 1), sq(2, 1), sq(0, 2), sq(1, 2), sq(2, 2)}, 1, 1, 8, 0, false},
		{"disjoint", orb.MultiPolygon{sq(0, 0), sq(5, 5)}, 2, 0, 2, 4, false},
		{"touching at a corner", orb.MultiPolygon{sq(0, 0), sq(1, 1)}, 2, 0, 2, 4, false},
		{"shared vertices within 1e-8", orb.MultiPolygon{sq(0, 0), {square(1+4e-9, 0, 2, 1-3e-9)}}, 1, 0, 2, 6, false},
		{"hole outside its shell", orb.MultiPolygon{{square(0, 0, 1, 1), square(5, 5, 6, 6)}}, 0, 0, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := dissolve(tc.parts)
			if ok == tc.wantFallback {
				t.Fatalf("ok = %v, want %v (%v)", ok, !tc.wantFallback, got)
			}
			if !ok {
				return
			}
			holes := 0
			for _, p := range got {
				holes += len(p) - 1
				if p[0].Orientation() != orb.CCW {
					t.Errorf("outer ring not counter-clockwise: %v", p[0])
				}
				for _, h := range p[1:] {
					if h.Orientation() != orb.CW {
						t.Errorf("hole not clockwise: %v", h)
					}
				}
			}
			if len(got) != tc.shells || holes != tc.holes {
				t.Errorf("got %d shells, %d holes, want %d, %d: %v", len(got), holes, tc.shells, tc.holes, got)
			}
			if a := planar.Area(got); math.Abs(a-tc.area) > 1e-6 {
				t.Errorf("area %g, want %g", a, tc.area)
			}
			if tc.outerVerts > 0 && len(got[0][0])-1 != tc.outerVerts {
				t.Errorf("outer ring has %d vertices, want %d: %v", len(got[0][0])-1, tc.outerVerts, got[0][0])
			}
		})
	}
}

func TestLoadKelurahanDissolvesByDistrict(t *testing.T) {
	sq := func(x, y float64) [][][2]float64 {
		return [][][2]float64{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}}
	}
	// West: two squares sharing an edge; East: one square next to West's.
	src := fc(t, "West", sq(112.70, -7.26), "West", sq(112.71, -7.26), "East", sq(112.72, -7.26))
	d, err := LoadKelurahanGeoJSON(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	all := d.All()
	if len(all) != 2 || all[0].Name != "East" || all[1].Name != "West" {
		t.Fatalf("districts %+v", all)
	}
	w := all[1]
	if len(w.Geometry) != 1 || len(w.Geometry[0]) != 1 || len(w.Geometry[0][0]) != 7 {
		t.Errorf("West not dissolved to one 6-vertex ring: %v", w.Geometry)
	}
	if math.Abs(w.Centroid.Lon-112.71) > 1e-9 || math.Abs(w.Centroid.Lat+7.255) > 1e-9 {
		t.Errorf("West centroid %v, want -7.255,112.71", w.Centroid)
	}
	if got := d.Locate(Point{-7.255, 112.7101}); got != "West" {
		t.Errorf("Locate on the dissolved edge = %q", got)
	}
	if got := d.Locate(Point{-7.255, 112.725}); got != "East" {
		t.Errorf("Locate in East = %q", got)
	}
}

func TestLoadKelurahanErrors(t *testing.T) {
	sq := [][][2]float64{{{112.7, -7.26}, {112.71, -7.26}, {112.71, -7.25}, {112.7, -7.26}}}
	cases := []struct {
		name, src, want string
	}{
		{"not JSON", "hello", "kelurahan GeoJSON"},
		{"empty", "", "EOF"},
		{"not a collection", `{"type":"Feature"}`, `type "Feature", want FeatureCollection`},
		{"no features", `{"type":"FeatureCollection","features":[]}`, "no features"},
		{"no district", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"village":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, `feature 0 has no "district" property`},
		{"null properties", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":null}]}`, `no "district"`},
		{"district not a string", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":7}}]}`, "feature 0: properties"},
		{"no geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},"geometry":null}]}`, "feature 0 (A) has no geometry"},
		{"point geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},"geometry":{"type":"Point","coordinates":[112.7,-7.2]}}]}`, `geometry "Point" is not a Polygon or MultiPolygon`},
		{"short ring", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}`, "ring of 3 positions"},
		{"bad position", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},"geometry":{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0,0]]]}}]}`, "position with 1 numbers"},
		{"latitude out of range", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,95],[1,0],[1,1],[0,95]]]}}]}`, "not a longitude, latitude"},
		{"valid", fc(t, "A", sq), ""},
		{"second feature bad", fc(t, "A", sq, "", sq), `feature 1 has no "district" property`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadKelurahanGeoJSON(strings.NewReader(tc.src))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	// Errors from the reader are wrapped, not swallowed.
	_, err := LoadKelurahanGeoJSON(io.MultiReader(strings.NewReader(`{"type":`), errReader{}))
	if !errors.Is(err, errBoom) {
		t.Errorf("reader error not wrapped: %v", err)
	}
}

var errBoom = fmt.Errorf("boom")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBoom }

func FuzzLoadKelurahanGeoJSON(f *testing.F) {
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"A"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.1],[0.5,0.1],[0.5,0.3],[0.2,0.1]]],[[[1,0],[2,0],[2,1],[1,0]]]]}},{"type":"Feature","properties":{"district":"A"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[1,0],[0,0],[1,1]]]}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[{"properties":{"district":"B"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,0],[0,0]]]}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[{"properties":{"district":"B"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}]}`)
	f.Add(`[1,2,3]`)
	f.Fuzz(func(t *testing.T, src string) {
		d, err := LoadKelurahanGeoJSON(strings.NewReader(src))
		if err != nil {
			return
		}
		for _, x := range d.All() {
			d.Locate(x.Centroid)
		}
		if _, err := d.GeoJSON(); err != nil && !strings.Contains(err.Error(), "NaN") && !strings.Contains(err.Error(), "Inf") {
			t.Fatalf("GeoJSON: %v", err)
		}
	})
}
