package roads

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"cc112/geo"
)

// Box clips an .osm.pbf extract (a province) to a city; the zero Box
// keeps everything.
type Box struct{ MinLat, MinLon, MaxLat, MaxLon float64 }

func (b Box) empty() bool { return b == Box{} }

func (b Box) contains(lat, lon float64) bool {
	return b.empty() || (lat >= b.MinLat && lat <= b.MaxLat && lon >= b.MinLon && lon <= b.MaxLon)
}

// Load reads a road file by its name: *.osm.pbf as OSM PBF (clipped to
// clip), anything else as GeoJSON. Errors name the file and where in it.
func Load(path string, clip Box) (*Graph, error) {
	var g *Graph
	var err error
	if strings.HasSuffix(strings.ToLower(path), ".pbf") {
		g, err = loadPBF(path, clip)
	} else {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			g, err = ReadGeoJSON(f)
			f.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return g, nil
}

// ReadGeoJSON reads a FeatureCollection of OSM ways (LineString or
// MultiLineString features with highway, name, oneway, maxspeed, ...).
func ReadGeoJSON(r io.Reader) (*Graph, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line := 1 + bytes.Count(b[:min(int(syn.Offset), len(b))], []byte("\n"))
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		return nil, fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	bl := NewBuilder()
	for i, f := range fc.Features {
		w := Way{ID: prop(f, "id"), Name: prop(f, "name"), Highway: prop(f, "highway"), Oneway: prop(f, "oneway"),
			Junction: prop(f, "junction"), Maxspeed: prop(f, "maxspeed"), Access: prop(f, "access")}
		where := fmt.Sprintf("feature %d", i)
		if w.ID != "" {
			where += " (" + w.ID + ")"
		}
		if w.Highway == "" {
			return nil, fmt.Errorf("%s has no \"highway\" property: not an OSM road", where)
		}
		var lines orb.MultiLineString
		switch g := f.Geometry.(type) {
		case orb.LineString:
			lines = orb.MultiLineString{g}
		case orb.MultiLineString:
			lines = g
		default:
			return nil, fmt.Errorf("%s is a %T, not a LineString", where, f.Geometry)
		}
		for _, l := range lines {
			w.Line = w.Line[:0:0]
			for _, c := range l {
				w.Line = append(w.Line, geo.Point{Lat: c[1], Lon: c[0]})
			}
			if err := bl.Add(w); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return bl.Graph()
}

// prop reads a property as text whatever its JSON type ("oneway": true).
func prop(f *geojson.Feature, key string) string {
	switch v := f.Properties[key].(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// loadPBF reads an extract in two passes: the highway ways first (which
// nodes they need), then those nodes' positions. A way leaving the clip
// box or the extract is cut there.
func loadPBF(path string, clip Box) (*Graph, error) {
	ctx := context.Background()
	scan := func(skipWays bool, each func(osm.Object)) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		s := osmpbf.New(ctx, f, 1)
		defer s.Close()
		s.SkipRelations = true
		s.SkipNodes, s.SkipWays = !skipWays, skipWays
		for s.Scan() {
			each(s.Object())
		}
		if err := s.Err(); err != nil {
			return fmt.Errorf("not an OSM PBF file: %w", err)
		}
		return nil
	}
	var ways []*osm.Way
	need := map[osm.NodeID]geo.Point{}
	if err := scan(false, func(o osm.Object) {
		w, ok := o.(*osm.Way)
		if !ok || w.Tags.Find("highway") == "" {
			return
		}
		ways = append(ways, w)
		for _, n := range w.Nodes {
			need[n.ID] = geo.Point{Lat: 1000} // not seen yet
		}
	}); err != nil {
		return nil, err
	}
	if len(ways) == 0 {
		return nil, errors.New("no highway ways")
	}
	if err := scan(true, func(o osm.Object) {
		if n, ok := o.(*osm.Node); ok {
			if _, want := need[n.ID]; want && clip.contains(n.Lat, n.Lon) {
				need[n.ID] = geo.Point{Lat: n.Lat, Lon: n.Lon}
			}
		}
	}); err != nil {
		return nil, err
	}
	bl := NewBuilder()
	for _, w := range ways {
		t := w.Tags
		base := Way{ID: "way/" + strconv.FormatInt(int64(w.ID), 10), Name: t.Find("name"), Highway: t.Find("highway"),
			Oneway: t.Find("oneway"), Junction: t.Find("junction"), Maxspeed: t.Find("maxspeed"), Access: t.Find("access")}
		flush := func(line []geo.Point) error {
			if len(line) == 0 {
				return nil
			}
			x := base
			x.Line = line
			if err := bl.Add(x); err != nil {
				return fmt.Errorf("%s: %w", x.ID, err)
			}
			return nil
		}
		var line []geo.Point
		for _, n := range w.Nodes {
			p := need[n.ID]
			if p.Lat == 1000 { // outside the box or the extract: cut the way
				if err := flush(line); err != nil {
					return nil, err
				}
				line = nil
				continue
			}
			line = append(line, p)
		}
		if err := flush(line); err != nil {
			return nil, err
		}
	}
	return bl.Graph()
}
