package geocode

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	citypack "cc112/city"
	"cc112/geo"
	"cc112/internal/testenv"
	"cc112/roads"
)

var (
	cityOnce sync.Once
	cityIx   *Index
	cityErr  error
)

// city indexes the real Surabaya files: kelurahan polygons, the OSM road
// subset, and the demo stations and cameras.
func city(t testing.TB) *Index {
	t.Helper()
	kelPath := testenv.SharedData(t, "surabaya_kelurahan_hdx_bps2020.geojson")
	roadPath := testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson")
	cityOnce.Do(func() {
		var areas *Areas
		var streets []Place
		f, err := os.Open(kelPath)
		if err != nil {
			cityErr = err
			return
		}
		areas, cityErr = LoadKelurahan(f)
		f.Close()
		if cityErr != nil {
			return
		}
		g, err := roads.Load(roadPath, roads.Box{})
		if cityErr = err; err != nil {
			return
		}
		streets = Streets(g.Streets())
		d := citypack.Demo()
		places := append(areas.Places(), streets...)
		for _, s := range d.Stations {
			places = append(places, Place{Name: s.Name, Kind: Station, Location: s.Location})
		}
		for _, c := range d.Cameras {
			places = append(places, Place{Name: c.Name, Kind: Camera, Location: c.Location})
		}
		cityIx = New(places, areas)
	})
	if cityErr != nil {
		t.Fatal(cityErr)
	}
	return cityIx
}

func names(ps []Place) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

func first(t *testing.T, ix *Index, q string) Place {
	t.Helper()
	got := ix.Search(q, 10)
	if len(got) == 0 {
		t.Fatalf("%q: nothing found", q)
	}
	return got[0]
}

func TestRealStreetsAndAreas(t *testing.T) {
	ix := city(t)
	for _, c := range []struct {
		q, name string
		kind    Kind
	}{
		{"raya darmo", "Jalan Raya Darmo", Street},
		{"Jl. Raya Darmo", "Jalan Raya Darmo", Street},
		{"jln raya darmo", "Jalan Raya Darmo", Street},
		{"JALAN RAYA DARMO", "Jalan Raya Darmo", Street},
		{"raya darm", "Jalan Raya Darmo", Street},                // typing
		{"raya dramo", "Jalan Raya Darmo", Street},               // swapped letters
		{"tunjungan", "Jalan Tunjungan", Street},                 // a street and a kelurahan? only the street in the subset
		{"jalan kalibutuh", "Jl. Kalibutuh", Street},             // the road file writes "Jl."
		{"embong malang", "Jalan Embong Malang", Street},         //
		{"embong kaliasin", "Embong Kaliasin", Kelurahan},        // a kelurahan
		{"embong kaliasn", "Embong Kaliasin", Kelurahan},         // a typo
		{"gubeng", "Gubeng", Kecamatan},                          // kecamatan before its kelurahan of the same name
		{"polsek tegalsari", "Polsek Tegalsari", Station},        //
		{"rsud dr soetomo", "RSUD dr. Soetomo", Station},         // punctuation folded
		{"pemuda", "Jalan Pemuda", Street},                       //
		{"basuki rahmat", "Jalan Jendral Basuki Rahmat", Street}, // both spellings are in OSM; the exact one first
	} {
		got := first(t, ix, c.q)
		if got.Name != c.name || got.Kind != c.kind {
			t.Errorf("%q: first %s (%s), want %s (%s); all %v", c.q, got.Name, got.Kind, c.name, c.kind, names(ix.Search(c.q, 5)))
		}
	}
}

func TestEveryResultHasItsKecamatanAndKelurahan(t *testing.T) {
	ix := city(t)
	darmo := first(t, ix, "raya darmo")
	// Jalan Raya Darmo runs through kelurahan Darmo, Keputran and Dr. Sutomo
	// (kecamatan Wonokromo and Tegalsari).
	if !slices.Contains([]string{"Wonokromo", "Tegalsari"}, darmo.District) ||
		!slices.Contains([]string{"Darmo", "Keputran", "Dr. Sutomo"}, darmo.Kelurahan) {
		t.Errorf("Jalan Raya Darmo at %v: %s / %s", darmo.Location, darmo.District, darmo.Kelurahan)
	}
	for _, q := range []string{"jalan", "embong", "darmo", "polsek", "rsud"} {
		for _, p := range ix.Search(q, 50) {
			if p.District == "" || (p.Kind != Kecamatan && p.Kelurahan == "") {
				t.Errorf("%q: %s (%s) at %v has no kecamatan or kelurahan: %q / %q", q, p.Name, p.Kind, p.Location, p.District, p.Kelurahan)
			}
		}
	}
}

func TestRanking(t *testing.T) {
	ix := New([]Place{
		{Name: "Jalan Darmo Kali", Kind: Street, Location: geo.Point{Lat: -7.26, Lon: 112.74}},
		{Name: "Jalan Raya Darmo", Kind: Street, Location: geo.Point{Lat: -7.28, Lon: 112.74}},
		{Name: "Darmo", Kind: Kelurahan, Location: geo.Point{Lat: -7.28, Lon: 112.73}},
		{Name: "Darmokali", Kind: POI, Location: geo.Point{Lat: -7.27, Lon: 112.73}},
		{Name: "Dharmo", Kind: POI, Location: geo.Point{Lat: -7.27, Lon: 112.73}},
	}, nil)
	// Exact name, then names holding the exact word (shorter first), then
	// the word typed partly, then with a typo.
	want := []string{"Darmo", "Jalan Darmo Kali", "Jalan Raya Darmo", "Darmokali", "Dharmo"}
	if got := names(ix.Search("darmo", 10)); !slices.Equal(got, want) {
		t.Errorf("darmo: %v, want %v", got, want)
	}
	if got := names(ix.Search("darmo", 2)); !slices.Equal(got, want[:2]) {
		t.Errorf("limit 2: %v", got)
	}
	for _, q := range []string{"", "  ", "...", "xyzzy"} {
		if got := ix.Search(q, 10); len(got) != 0 {
			t.Errorf("%q: %v, want nothing", q, names(got))
		}
	}
	// Five letters carry one typo, not two.
	if got := ix.Search("dxrmx", 10); len(got) != 0 {
		t.Errorf("two typos in five letters: %v", names(got))
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string][]string{
		"Jl. Raya Darmo":         {"jalan", "raya", "darmo"},
		"JLN.RAYA-DARMO":         {"jalan", "raya", "darmo"},
		"Gg. Pragoto II":         {"gang", "pragoto", "ii"},
		"RSUD dr. M. Soewandhie": {"rsud", "dr", "m", "soewandhie"},
	} {
		if got := tokens(in); !slices.Equal(got, want) {
			t.Errorf("tokens(%q) = %v, want %v", in, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"darmo", "darmo", 0}, {"darmo", "dramo", 1}, {"darmo", "darm", 1}, {"darmo", "dharmo", 1}, {"darmo", "kali", 3}} {
		if got := editDistance([]rune(c.a), []rune(c.b), 2); min(got, 3) != c.d {
			t.Errorf("editDistance(%s, %s) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestDemoCityHasKecamatanOnly(t *testing.T) {
	d := citypack.Demo()
	ix := New(append(DistrictPlaces(d.Districts), Place{Name: "Polsek Gubeng", Kind: Station, Location: geo.Point{Lat: -7.2745, Lon: 112.7530}}),
		Districts{d.Districts})
	p := first(t, ix, "polsek gubeng")
	if p.District != "Gubeng" || p.Kelurahan != "" {
		t.Errorf("demo city: %s / %q, want Gubeng and no kelurahan", p.District, p.Kelurahan)
	}
	if k := first(t, ix, "wonokromo"); k.Kind != Kecamatan {
		t.Errorf("wonokromo: %+v", k)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	for name, load := range map[string]func(string) error{
		"kelurahan": func(s string) error { _, err := LoadKelurahan(stringsReader(s)); return err },
		"poi":       func(s string) error { _, err := LoadPOI(stringsReader(s)); return err },
	} {
		for _, body := range []string{``, `{}`, `[1]`, `{"type":"FeatureCollection","features":[]}`,
			`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[112.7,-7.2]}}]}`} {
			if err := load(body); err == nil {
				t.Errorf("%s %s: no error", name, body)
			}
		}
	}
	ps, err := LoadPOI(stringsReader(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"RS Darmo","amenity":"hospital"},"geometry":{"type":"Point","coordinates":[112.7378,-7.2869]}},
		{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[112.7,-7.2]}}]}`))
	if err != nil || len(ps) != 1 || ps[0].Name != "RS Darmo" || ps[0].Location != (geo.Point{Lat: -7.2869, Lon: 112.7378}) {
		t.Errorf("poi: %+v %v", ps, err)
	}
}

func BenchmarkSearchWholeCity(b *testing.B) {
	ix := city(b)
	b.ReportMetric(float64(ix.Len()), "places")
	b.ResetTimer()
	for b.Loop() {
		if len(ix.Search("jl raya darmo", 10)) == 0 {
			b.Fatal("nothing")
		}
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func TestGazetteerFollowsCameras(t *testing.T) {
	g := NewGazetteer([]Place{{Name: "Jalan Pemuda", Kind: Street, Location: geo.Point{Lat: -7.265, Lon: 112.745}}}, nil)
	cam := Place{Name: "PEMUDA PANGLIMA SUDIRMAN", Kind: Camera, Location: geo.Point{Lat: -7.266, Lon: 112.744}}
	a := g.With(nil)
	if got := names(a.Search("pemuda", 5)); !slices.Equal(got, []string{"Jalan Pemuda"}) {
		t.Errorf("before: %v", got)
	}
	b := g.With([]Place{cam})
	if got := names(b.Search("pemuda", 5)); !slices.Equal(got, []string{"Jalan Pemuda", cam.Name}) {
		t.Errorf("with the camera: %v", got)
	}
	if g.With([]Place{cam}) != b {
		t.Error("the same cameras rebuilt the index")
	}
	cam.Location.Lat = -7.2661
	if g.With([]Place{cam}) == b {
		t.Error("a moved camera kept the old index")
	}
}

// kelLocator names every point in one kecamatan and kelurahan.
type kelLocator struct{}

func (kelLocator) Locate(geo.Point) (string, string) { return "Genteng", "Ketabang" }

func TestGazetteerLocate(t *testing.T) {
	p := geo.Point{Lat: -7.2575, Lon: 112.7521}
	if d, k := NewGazetteer(nil, kelLocator{}).Locate(p); d != "Genteng" || k != "Ketabang" {
		t.Fatalf("got %q %q", d, k)
	}
	if d, k := NewGazetteer(nil, nil).Locate(p); d != "" || k != "" {
		t.Fatalf("no locator: %q %q", d, k)
	}
}

// TestHospitals: a point of interest is a hospital by its OSM tag or by
// its name (RS, RSUD, RSIA, Rumah Sakit, Hospital); the gazetteer lists
// them by name for a transporting unit to choose from.
func TestHospitals(t *testing.T) {
	ps, err := LoadPOI(stringsReader(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"Graha Amerta","healthcare":"hospital"},"geometry":{"type":"Point","coordinates":[112.73,-7.26]}},
		{"type":"Feature","properties":{"name":"RSUD Dr. Soetomo"},"geometry":{"type":"Point","coordinates":[112.75,-7.27]}},
		{"type":"Feature","properties":{"name":"Rumah Sakit Darmo"},"geometry":{"type":"Point","coordinates":[112.74,-7.28]}},
		{"type":"Feature","properties":{"name":"National Hospital"},"geometry":{"type":"Point","coordinates":[112.68,-7.29]}},
		{"type":"Feature","properties":{"name":"Pasar Atom","amenity":"marketplace"},"geometry":{"type":"Point","coordinates":[112.74,-7.24]}},
		{"type":"Feature","properties":{"name":"Rsvp Kafe"},"geometry":{"type":"Point","coordinates":[112.74,-7.24]}},
		{"type":"Feature","properties":{"name":"Jalan Rumah Sakit"},"geometry":{"type":"Point","coordinates":[112.74,-7.24]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := names(NewGazetteer(ps, nil).Hospitals())
	want := []string{"Graha Amerta", "National Hospital", "RSUD Dr. Soetomo", "Rumah Sakit Darmo"}
	if !slices.Equal(got, want) {
		t.Fatalf("hospitals %v, want %v", got, want)
	}
}
