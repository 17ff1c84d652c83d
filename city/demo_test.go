package city

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cc112"
	"cc112/geo"
	"cc112/internal/testenv"
)

// kelurahanFile is the BPS/HDX boundary file of the shared data.
const kelurahanFile = "surabaya_kelurahan_hdx_bps2020.geojson"

// needShared is the path of a file of the shared real data set
// (testenv.SharedData: skipped on a fresh clone without ../shared, a
// failure under CI).
func needShared(t *testing.T, file string) string {
	t.Helper()
	return testenv.SharedData(t, file)
}

func TestCityCounts(t *testing.T) {
	c := Demo()
	if n := c.Districts.Len(); n != 31 {
		t.Errorf("%d districts, want 31", n)
	}
	if len(c.Stations) < 15 {
		t.Errorf("%d stations, want ≥ 15", len(c.Stations))
	}
	if len(c.Units) < 60 {
		t.Errorf("%d units, want ≥ 60", len(c.Units))
	}
	if len(c.Cameras) < 249 {
		t.Errorf("%d cameras, want ≥ 249", len(c.Cameras))
	}
	wantMin := map[cc112.UnitType]int{cc112.UnitFire: 14, cc112.UnitPolice: 16, cc112.UnitDKP: 10, cc112.UnitAmbulance: 12, cc112.UnitRescue: 8}
	agency := map[cc112.UnitType]string{cc112.UnitFire: "damkar", cc112.UnitPolice: "polri", cc112.UnitDKP: "dkp", cc112.UnitAmbulance: "dinkes", cc112.UnitRescue: "bpbd"}
	prefix := map[cc112.UnitType]string{cc112.UnitFire: "DMK-", cc112.UnitPolice: "POL-", cc112.UnitDKP: "DKP-", cc112.UnitAmbulance: "AMB-", cc112.UnitRescue: "SAR-"}
	stationByID := map[string]cc112.Station{}
	for _, s := range c.Stations {
		if _, dup := stationByID[s.ID]; dup {
			t.Errorf("duplicate station %s", s.ID)
		}
		stationByID[s.ID] = s
	}
	count := map[cc112.UnitType]int{}
	ids, calls := map[string]bool{}, map[string]bool{}
	for _, u := range c.Units {
		count[u.Type]++
		if !u.Type.Valid() || u.Status != cc112.UnitAvailable || u.Agency != agency[u.Type] {
			t.Errorf("unit %+v: bad type, status or agency", u)
		}
		if !strings.HasPrefix(u.ID, "u-"+string(u.Type)+"-") || !strings.HasPrefix(u.Callsign, prefix[u.Type]) ||
			strings.TrimPrefix(u.ID, "u-"+string(u.Type)+"-") != strings.TrimPrefix(u.Callsign, prefix[u.Type]) {
			t.Errorf("unit %s / %s: id and callsign do not match", u.ID, u.Callsign)
		}
		if ids[u.ID] || calls[u.Callsign] {
			t.Errorf("duplicate unit %s %s", u.ID, u.Callsign)
		}
		ids[u.ID], calls[u.Callsign] = true, true
		st, ok := stationByID[u.Station]
		if !ok {
			t.Errorf("unit %s: unknown station %q", u.ID, u.Station)
			continue
		}
		if st.Agency != u.Agency {
			t.Errorf("unit %s of %s at a %s station", u.ID, u.Agency, st.Agency)
		}
		if d := geo.Haversine(st.Location, u.Location); d > 30 {
			t.Errorf("unit %s is %.0f m from its station", u.ID, d)
		}
	}
	for typ, n := range wantMin {
		if count[typ] < n {
			t.Errorf("%d %s units, want ≥ %d", count[typ], typ, n)
		}
	}
	camIDs := map[string]bool{}
	for i, cam := range c.Cameras {
		if cam.Status != cc112.CameraUnknown || cam.Name == "" || cam.HasVideo || camIDs[cam.ID] {
			t.Errorf("camera %+v", cam)
		}
		camIDs[cam.ID] = true
		if i == 0 && cam.ID != "cam-001" {
			t.Errorf("first camera id %q, want cam-001", cam.ID)
		}
	}
	// The DKRTH East depot is at its real position.
	if s := stationByID["st-dkrth-timur"]; geo.Haversine(s.Location, geo.Point{Lat: -7.264215, Lon: 112.753215}) > 1 {
		t.Errorf("DKRTH East depot at %v", s.Location)
	}
}

// TestCityInsideDistricts: every place of the demo lies in a district, by
// the demo polygons and, when present, by the real boundaries.
func TestCityInsideDistricts(t *testing.T) {
	c := Demo()
	check := func(t *testing.T, d *geo.Districts) {
		t.Helper()
		for _, s := range c.Stations {
			if d.Locate(s.Location) == "" {
				t.Errorf("station %s %v is outside every district", s.ID, s.Location)
			}
		}
		for _, u := range c.Units {
			if d.Locate(u.Location) == "" {
				t.Errorf("unit %s %v is outside every district", u.ID, u.Location)
			}
		}
		for _, cam := range c.Cameras {
			if d.Locate(cam.Location) == "" {
				t.Errorf("camera %s %s %v is outside every district", cam.ID, cam.Name, cam.Location)
			}
		}
	}
	t.Run("demo polygons", func(t *testing.T) {
		check(t, c.Districts)
		for _, cam := range c.Cameras {
			if cam.District != c.Districts.Locate(cam.Location) {
				t.Errorf("camera %s: district %q, Locate says %q", cam.ID, cam.District, c.Districts.Locate(cam.Location))
			}
		}
	})
	t.Run("real boundaries", func(t *testing.T) {
		f, err := os.Open(needShared(t, kelurahanFile))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		real, err := geo.LoadKelurahanGeoJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		check(t, real)
	})
}

func TestDemoDistricts(t *testing.T) {
	d := Demo().Districts
	for _, x := range d.All() {
		if len(x.Geometry) != 1 || len(x.Geometry[0]) != 1 || len(x.Geometry[0][0]) < 4 {
			t.Errorf("%s: geometry %v", x.Name, x.Geometry)
			continue
		}
		// Each Voronoi cell holds its own site.
		if got := d.Locate(x.Centroid); got != x.Name {
			t.Errorf("%s: its centroid locates in %q", x.Name, got)
		}
	}
	if got := d.Locate(geo.Point{Lat: -7.2458, Lon: 112.7378}); got != "Bubutan" {
		t.Errorf("Tugu Pahlawan in %q, want Bubutan", got)
	}
	for _, p := range []geo.Point{{Lat: -7.38, Lon: 112.79}, {Lat: -7.15, Lon: 112.75}, {Lat: -7.25, Lon: 112.55}} {
		if got := d.Locate(p); got != "" {
			t.Errorf("%v outside the city located in %q", p, got)
		}
	}
	if _, err := d.GeoJSON(); err != nil {
		t.Error(err)
	}
}

// TestDemoCentroidsMatchRealData: the literals are the real centroids.
func TestDemoCentroidsMatchRealData(t *testing.T) {
	f, err := os.Open(needShared(t, kelurahanFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	real, err := geo.LoadKelurahanGeoJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	demo := Demo().Districts.All()
	all := real.All()
	if len(all) != len(demo) {
		t.Fatalf("%d real districts, %d demo", len(all), len(demo))
	}
	for i, r := range all {
		dm := demo[i]
		if r.Name != dm.Name || math.Abs(r.Centroid.Lat-dm.Centroid.Lat) > 6e-5 || math.Abs(r.Centroid.Lon-dm.Centroid.Lon) > 6e-5 {
			t.Errorf("real %s %v, demo %s %v", r.Name, r.Centroid, dm.Name, dm.Centroid)
		}
	}
	// Voronoi cells are coarse (about two thirds of the cameras, which crowd
	// the dense centre, land in the same district), but far better than a
	// broken construction such as swapped coordinates would do.
	c := Demo()
	agree := 0
	for _, cam := range c.Cameras {
		if real.Locate(cam.Location) == cam.District {
			agree++
		}
	}
	if share := float64(agree) / float64(len(c.Cameras)); share < 0.5 {
		t.Errorf("demo districts agree with the real ones for only %.0f%% of cameras", 100*share)
	}
}

func TestCityDeterministic(t *testing.T) {
	a, b := Demo(), Demo()
	if !reflect.DeepEqual(a.Stations, b.Stations) || !reflect.DeepEqual(a.Units, b.Units) || !reflect.DeepEqual(a.Cameras, b.Cameras) ||
		!reflect.DeepEqual(a.Districts.All(), b.Districts.All()) {
		t.Fatal("two calls of City differ")
	}
	// Fresh values each time: changing one does not change the next.
	a.Units[0].Status = cc112.UnitOffduty
	a.Cameras[0].Name = "changed"
	if c := Demo(); c.Units[0].Status != cc112.UnitAvailable || c.Cameras[0].Name == "changed" {
		t.Fatal("City shares state between calls")
	}
}

func TestLoad(t *testing.T) {
	c, err := Load(filepath.Dir(needShared(t, kelurahanFile)))
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Districts.Len(); n != 31 {
		t.Errorf("%d districts, want 31", n)
	}
	if len(c.Cameras) != 444 {
		t.Errorf("%d cameras, want 444", len(c.Cameras))
	}
	if len(c.Units) != len(Demo().Units) || len(c.Stations) != len(Demo().Stations) {
		t.Errorf("stations/units not the demo's")
	}
	located := 0
	for _, cam := range c.Cameras {
		if cam.Status != cc112.CameraUnknown {
			t.Fatalf("camera %s status %q, want unknown", cam.ID, cam.Status)
		}
		if cam.District != "" {
			located++
		}
	}
	if located != len(c.Cameras) {
		t.Errorf("%d of %d cameras without district", len(c.Cameras)-located, len(c.Cameras))
	}
}

func TestLoadPartialAndEmpty(t *testing.T) {
	writeFile := func(t *testing.T, dir, name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("neither file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "notes.txt", "nothing here")
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "none of a city pack's files") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("missing dir", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "nope"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("error %v, want not-exist", err)
		}
	})
	t.Run("cameras only", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "my_cctv.csv", "cctv_id,name,lat,lon\nc1,TUGU PAHLAWAN,-7.2458,112.7378\n")
		c, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.Districts.Len() != 31 || len(c.Cameras) != 1 || c.Cameras[0].District != "Bubutan" {
			t.Fatalf("got %d districts, cameras %+v", c.Districts.Len(), c.Cameras)
		}
	})
	t.Run("districts only", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "tiny_kelurahan.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"Alun"},"geometry":{"type":"Polygon","coordinates":[[[112.5,-7.5],[113,-7.5],[113,-7],[112.5,-7],[112.5,-7.5]]]}}]}`)
		c, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.Districts.Len() != 1 || len(c.Cameras) != len(Demo().Cameras) || c.Cameras[0].District != "Alun" {
			t.Fatalf("got %d districts, %d cameras, first in %q", c.Districts.Len(), len(c.Cameras), c.Cameras[0].District)
		}
	})
	t.Run("bad geojson names the file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "x_kelurahan.geojson", `{"type":"FeatureCollection","features":[]}`)
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "x_kelurahan.geojson") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("duplicate camera across files", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "a_cctv.csv", "id,name,lat,lon\nc1,A,-7.25,112.74\n")
		writeFile(t, dir, "b_cctv.csv", "id,name,lat,lon\nc1,B,-7.26,112.74\n")
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), `"c1" is in both a_cctv.csv and b_cctv.csv`) {
			t.Fatalf("error %v", err)
		}
	})
}
