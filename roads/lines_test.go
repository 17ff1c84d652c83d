package roads

import (
	"testing"

	"cc112/internal/testenv"
)

// Lines draws every main-road segment exactly once, chained into far
// fewer polylines than segments, and leaves the small streets out.
func TestLinesOfMainRoads(t *testing.T) {
	g, err := Load(testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson"), Box{})
	if err != nil {
		t.Fatal(err)
	}
	segments := map[[2]int32]bool{}
	for e := range g.from {
		if g.class[e] <= Secondary {
			segments[[2]int32{min(g.from[e], g.to[e]), max(g.from[e], g.to[e])}] = true
		}
	}
	lines := g.Lines(Secondary)
	drawn := 0
	for _, l := range lines {
		if len(l) < 2 {
			t.Fatalf("a line of %d points", len(l))
		}
		drawn += len(l) - 1
	}
	if drawn != len(segments) {
		t.Errorf("%d segments drawn, the main roads have %d", drawn, len(segments))
	}
	if len(segments) == 0 || len(lines)*3 > len(segments) {
		t.Errorf("%d lines for %d segments: not chained", len(lines), len(segments))
	}
	if all := g.Lines(Track); len(all) <= len(lines) {
		t.Errorf("every road: %d lines, main roads: %d", len(all), len(lines))
	}
}
