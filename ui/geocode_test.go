package ui

import (
	"net/url"
	"strings"
	"testing"

	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/geocode"
)

func TestGeocode(t *testing.T) {
	d := city.Demo()
	static := append(geocode.DistrictPlaces(d.Districts),
		geocode.Place{Name: "Jalan Raya Darmo", Kind: geocode.Street, Location: geo.Point{Lat: -7.2869, Lon: 112.7378}},
		geocode.Place{Name: "Jalan Darmo Kali", Kind: geocode.Street, Location: geo.Point{Lat: -7.2915, Lon: 112.7375}})
	a := newAPI(t, func(_ *dispatch.Config, c *Config) {
		c.Places = geocode.NewGazetteer(static, geocode.Districts{D: d.Districts})
	})
	var got []geocode.Place
	r := a.do("GET", "/api/v1/geocode?q="+url.QueryEscape("Jl. raya darmo"), "")
	if r.status != 200 {
		t.Fatalf("geocode: %d %s", r.status, r.body)
	}
	r.decode(t, &got)
	if len(got) == 0 || got[0].Name != "Jalan Raya Darmo" || got[0].Kind != geocode.Street || got[0].District != "Wonokromo" {
		t.Fatalf("Jl. raya darmo: %s", r.body)
	}
	for _, k := range []string{`"name"`, `"kind"`, `"location"`, `"district"`, `"kelurahan"`} {
		if !strings.Contains(string(r.body), k) {
			t.Errorf("no %s in %s", k, r.body)
		}
	}
	// The engine's cameras are places too.
	cam := d.Cameras[0]
	got = nil
	a.do("GET", "/api/v1/geocode?limit=50&q="+url.QueryEscape(cam.Name), "").decode(t, &got)
	found := false
	for _, p := range got {
		found = found || (p.Kind == geocode.Camera && p.Name == cam.Name)
	}
	if !found {
		t.Errorf("camera %q not found: %+v", cam.Name, got)
	}
	// limit and nothing found.
	got = nil
	a.do("GET", "/api/v1/geocode?q=darmo&limit=1", "").decode(t, &got)
	if len(got) != 1 {
		t.Errorf("limit=1: %d places", len(got))
	}
	if r := a.do("GET", "/api/v1/geocode?q=qqqqqqqq", ""); r.status != 200 || strings.TrimSpace(string(r.body)) != "[]" {
		t.Errorf("nothing found: %d %s, want 200 []", r.status, r.body)
	}
}

func TestGeocodeBadInput(t *testing.T) {
	a := newAPI(t)
	for _, q := range []string{
		"", "?q=", "?q=%20%20", "?q=" + strings.Repeat("a", 101), "?q=darmo%00", "?q=dar%0Amo", "?q=%E2%80%AEomrad",
		"?q=%FF", "?q=darmo&limit=0", "?q=darmo&limit=51", "?q=darmo&limit=x",
	} {
		r := a.do("GET", "/api/v1/geocode"+q, "")
		if r.status != 400 || r.errCode(t) != "invalid_argument" {
			t.Errorf("%s: %d %s, want 400 invalid_argument", q, r.status, r.body)
		}
	}
	if r := a.do("GET", "/api/v1/geocode?q="+strings.Repeat("a", 100), ""); r.status != 200 {
		t.Errorf("100 characters: %d %s", r.status, r.body)
	}
}

// TestGeocodeTypedCoordinates: "lat, lon" (comma, space or both) answers
// the point itself with its kecamatan, flagged when outside the service
// area; numbers that are no place are 400.
func TestGeocodeTypedCoordinates(t *testing.T) {
	d := city.Demo()
	a := newAPI(t, func(_ *dispatch.Config, c *Config) {
		c.Places = geocode.NewGazetteer(geocode.DistrictPlaces(d.Districts), withKelurahan{geocode.Districts{D: d.Districts}})
	})
	want := geo.Point{Lat: -7.2575, Lon: 112.7521}
	for _, q := range []string{"-7.2575, 112.7521", "-7.2575,112.7521", "-7.2575 112.7521"} {
		var got []geocode.Place
		r := a.do("GET", "/api/v1/geocode?q="+url.QueryEscape(q), "")
		r.decode(t, &got)
		if r.status != 200 || len(got) != 1 || got[0].Kind != geocode.Coordinates || got[0].Location != want ||
			got[0].District != d.Districts.Locate(want) || got[0].District == "" || got[0].Kelurahan != "Ketabang" || got[0].OutOfArea || strings.Contains(string(r.body), "out_of_area") {
			t.Fatalf("%q: %d %s", q, r.status, r.body)
		}
	}
	for _, q := range []string{"7.25, 112.75", "-6.2, 106.8"} {
		var got []geocode.Place
		r := a.do("GET", "/api/v1/geocode?q="+url.QueryEscape(q), "")
		r.decode(t, &got)
		if r.status != 200 || len(got) != 1 || got[0].Kind != geocode.Coordinates || !got[0].OutOfArea || got[0].District != "" {
			t.Fatalf("%q: %d %s", q, r.status, r.body)
		}
	}
	if r := a.do("GET", "/api/v1/geocode?q="+url.QueryEscape("95, 112.75"), ""); r.status != 400 {
		t.Fatalf("latitude 95: %d %s", r.status, r.body)
	}
}

// withKelurahan names a kelurahan wherever its kecamatan is known (the demo
// city has no kelurahan polygons).
type withKelurahan struct{ geocode.Districts }

func (w withKelurahan) Locate(p geo.Point) (string, string) {
	if d, _ := w.Districts.Locate(p); d != "" {
		return d, "Ketabang"
	}
	return "", ""
}
