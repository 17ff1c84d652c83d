package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cc112/geocode"
	"cc112/internal/demo"
	"cc112/internal/testenv"
)

func TestCityPlacesFromTheCityFolder(t *testing.T) {
	dir := filepath.Dir(testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson"))
	city, err := demo.LoadCityDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := cityPlaces(CityConfig{Dir: dir}, city)
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
	city := demo.City()
	g, err := cityPlaces(CityConfig{}, city)
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
	g, err = cityPlaces(CityConfig{POI: poi}, city)
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
	for _, c := range []CityConfig{{POI: bad}, {Roads: bad}, {Roads: filepath.Join(dir, "missing.geojson")}} {
		if _, err := cityPlaces(c, city); err == nil || !strings.HasPrefix(err.Error(), "-") {
			t.Errorf("%+v: %v, want an error naming the flag", c, err)
		}
	}
}
