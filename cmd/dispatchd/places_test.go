package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cc112/city"
	"cc112/geo"
	"cc112/geocode"
	"cc112/internal/testenv"
)

func TestCityPlacesFromTheCityFolder(t *testing.T) {
	dir := filepath.Dir(testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson"))
	city, err := city.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	rt, streets := loadRoads(CityConfig{Dir: dir}, DefaultConfig().Routing, city, geo.DefaultETAModel(), slog.Default())
	if rt == nil || len(streets) == 0 {
		t.Fatal("-city: the folder's road file was not loaded")
	}
	g, err := cityPlaces(CityConfig{Dir: dir}, city, streets)
	if err != nil {
		t.Fatal(err)
	}
	got := g.With(nil).Search("raya darmo", 3)
	if len(got) == 0 || got[0].Name != "Jalan Raya Darmo" || got[0].District == "" || got[0].Kelurahan == "" {
		t.Fatalf("-city %s: raya darmo gave %+v", dir, got)
	}
	if k := g.With(nil).Search("embong kaliasin", 1); len(k) != 1 || k[0].Kind != geocode.Kelurahan {
		t.Errorf("kelurahan Embong Kaliasin: %+v", k)
	}
}

func TestCityPlacesDemoAndFiles(t *testing.T) {
	city := city.Demo()
	g, err := cityPlaces(CityConfig{}, city, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The demo city has kecamatan, no kelurahan, and no streets.
	if p := g.With(nil).Search("tegalsari", 5); len(p) == 0 || p[0].Kind != geocode.Kecamatan {
		t.Errorf("demo tegalsari: %+v", p)
	}
	if p := g.With(nil).Search("polsek tegalsari", 1); len(p) != 1 || p[0].District != "Tegalsari" || p[0].Kelurahan != "" {
		t.Errorf("demo station: %+v", p)
	}
	dir := t.TempDir()
	poi := filepath.Join(dir, "poi.geojson")
	if err := os.WriteFile(poi, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Pasar Atom"},"geometry":{"type":"Point","coordinates":[112.7440,-7.2410]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err = cityPlaces(CityConfig{POI: poi}, city, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := g.With(nil).Search("pasar atom", 1); len(p) != 1 || p[0].Kind != geocode.POI || p[0].District == "" {
		t.Errorf("poi: %+v", p)
	}
	bad := filepath.Join(dir, "bad.geojson")
	if err := os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cityPlaces(CityConfig{POI: bad}, city, nil); err == nil || !strings.HasPrefix(err.Error(), "-poi") {
		t.Errorf("bad -poi: %v, want an error naming the flag", err)
	}
}

// TestBadRoadsFileKeepsTheStraightLine: a bad or missing -roads does not
// stop the server; it logs loudly, naming the flag, the file and where in
// it, and the engine ranks by the straight line.
func TestBadRoadsFileKeepsTheStraightLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.geojson")
	if err := os.WriteFile(bad, []byte("{\"type\": \"FeatureCollection\",\n\"features\": [\n{oops}]}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, want string }{{bad, "bad.geojson: line 3"}, {filepath.Join(dir, "missing.geojson"), "missing.geojson"}} {
		var log bytes.Buffer
		rt, streets := loadRoads(CityConfig{Roads: c.file}, DefaultConfig().Routing, city.Demo(), geo.DefaultETAModel(),
			slog.New(slog.NewTextHandler(&log, nil)))
		if rt != nil || streets != nil {
			t.Errorf("%s: loaded", c.file)
		}
		if out := log.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "ROAD NETWORK NOT LOADED") ||
			!strings.Contains(out, "-roads") || !strings.Contains(out, c.want) {
			t.Errorf("%s: log %q", c.file, out)
		}
	}
}
