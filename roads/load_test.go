package roads

import (
	"strings"
	"testing"

	"cc112/geo"
	"cc112/internal/testenv"
)

func TestLoadSurabaya(t *testing.T) {
	g, err := Load(testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson"), Box{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Nodes() < 5000 || g.Edges() < 10000 {
		t.Errorf("%d nodes, %d edges", g.Nodes(), g.Edges())
	}
	if b := float64(g.Bytes()) / float64(g.Edges()); b > 64 {
		t.Errorf("%.1f bytes per edge, want at most 64", b)
	}
	streets := map[string]bool{}
	for _, s := range g.Streets() {
		streets[s.Name] = true
	}
	if !streets["Jalan Tunjungan"] || !streets["Jalan Genteng Kali"] {
		t.Errorf("streets lack Tunjungan or Genteng Kali (%d streets)", len(streets))
	}
}

// TestPBF reads a tiny extract: a one-way, a two-way with a maxspeed, a
// footway (no edges, but its name is a street) and a way cut by the box.
func TestPBF(t *testing.T) {
	box := Box{MinLat: -7.26, MinLon: 112.73, MaxLat: -7.24, MaxLon: 112.75}
	g, err := Load("testdata/tiny.osm.pbf", box)
	if err != nil {
		t.Fatal(err)
	}
	if g.Nodes() != 4 {
		t.Errorf("%d nodes, want 4 (node 5 is outside the box)", g.Nodes())
	}
	// Jalan Satu: 2 one-way segments; Jalan Dua: 2 two-way segments
	if g.Edges() != 6 {
		t.Errorf("%d edges, want 6", g.Edges())
	}
	names := map[string]bool{}
	for _, s := range g.Streets() {
		names[s.Name] = true
	}
	for _, n := range []string{"Jalan Satu", "Jalan Dua", "Gang Tiga"} {
		if !names[n] {
			t.Errorf("street %q missing: %v", n, names)
		}
	}
	for e := int32(0); e < int32(g.Edges()); e++ {
		from, to, l, tm, c := g.Edge(e)
		if c == Residential && tm < l/(20/3.6)-1e-3 {
			t.Errorf("edge %d→%d ignores maxspeed 20: %.1f s for %.0f m", from, to, tm, l)
		}
	}
	if _, err := Load("testdata/tiny.osm", box); err == nil {
		t.Error("an XML file read as GeoJSON gave no error")
	}
}

func TestGeoJSONErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"{\n\"type\": \"FeatureCollection\",\n\"features\": [\n{\"type\": oops}]}", "line 4"},
		{`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"way/7","name":"X"},"geometry":{"type":"LineString","coordinates":[[112.7,-7.2],[112.71,-7.2]]}}]}`, `feature 0 (way/7) has no "highway"`},
		{`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[112.7,-7.2],[112.71,-7.2]]}},{"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"Point","coordinates":[112.7,-7.2]}}]}`, "feature 1 is a orb.Point"},
		{`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[112.7,-97.2],[112.71,-7.2]]}}]}`, "feature 0: vertex 0"},
		{`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"footway"},"geometry":{"type":"LineString","coordinates":[[112.7,-7.2],[112.71,-7.2]]}}]}`, "none of its 1 ways"},
		{`{"type":"FeatureCollection","features":[]}`, "no ways"},
	} {
		_, err := ReadGeoJSON(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60s: error %v, want %q", c.in, err, c.want)
		}
	}
}

// TestOnewayAndSkipped: directions from oneway and roundabouts; footways,
// steps, paths and pedestrian areas give no edges.
func TestOnewayAndSkipped(t *testing.T) {
	b := NewBuilder()
	line := func(i int) []geo.Point {
		return []geo.Point{{Lat: -7.25, Lon: 112.70 + float64(i)*0.01}, {Lat: -7.25, Lon: 112.705 + float64(i)*0.01}}
	}
	ways := []Way{
		{Highway: "secondary", Oneway: "yes"}, {Highway: "secondary", Oneway: "-1"}, {Highway: "tertiary"},
		{Highway: "primary", Junction: "roundabout"}, {Highway: "footway"}, {Highway: "steps"},
		{Highway: "path"}, {Highway: "pedestrian"}, {Highway: "residential", Access: "no"},
	}
	for i, w := range ways {
		w.Line = line(i)
		if err := b.Add(w); err != nil {
			t.Fatal(err)
		}
	}
	g, err := b.Graph()
	if err != nil {
		t.Fatal(err)
	}
	if g.Edges() != 5 { // 1 + 1 + 2 + 1
		t.Fatalf("%d edges, want 5", g.Edges())
	}
	from, to, _, _, _ := g.Edge(1) // the -1 way runs against its drawing
	if g.Point(from).Lon < g.Point(to).Lon {
		t.Error("oneway=-1 drawn west to east should run east to west")
	}
}
