package main

import (
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"cc112/geo"
	"cc112/internal/demo"
	"cc112/roads"
	"cc112/route"
)

// roadsFile is -roads, or the road file the city folder holds: a
// *roads*.geojson, else an *.osm.pbf ("" when there is none).
func roadsFile(cfg CityConfig) (string, error) {
	if cfg.Roads != "" || cfg.Dir == "" {
		return cfg.Roads, nil
	}
	for _, pattern := range []string{"*roads*.geojson", "*.osm.pbf"} {
		found, err := filepath.Glob(filepath.Join(cfg.Dir, pattern))
		if err != nil {
			return "", fmt.Errorf("-city: %w", err)
		}
		if len(found) > 0 {
			slices.Sort(found)
			return found[0], nil
		}
	}
	return "", nil
}

// loadRoads reads the road network once, for the router and the street
// names of the location search. A bad file does not stop the server: it
// says so loudly and ranks units by the straight line.
// mainRoads are the polylines of the main roads (secondary and better)
// the maps draw without tiles; none without a road network.
func mainRoads(r *route.Router) [][]geo.Point {
	if r == nil {
		return nil
	}
	return r.Graph().Lines(roads.Secondary)
}

func loadRoads(cfg CityConfig, rc RoutingConfig, city *demo.CityData, eta geo.ETAModel, log *slog.Logger) (*route.Router, []roads.Street) {
	path, err := roadsFile(cfg)
	if err == nil && path == "" {
		log.Info("no road network (-roads): recommendations use the straight line × detour")
		return nil, nil
	}
	var g *roads.Graph
	if err == nil {
		g, err = roads.Load(path, cityBox(city))
	}
	if err != nil {
		log.Error(strings.Repeat("!", 20)+" ROAD NETWORK NOT LOADED: recommendations use the straight line, not the roads "+strings.Repeat("!", 20),
			"flag", "-roads", "err", err)
		return nil, nil
	}
	opt := rc.Options
	opt.Straight = eta
	log.Info("road network loaded", "file", filepath.Base(path), "nodes", g.Nodes(), "edges", g.Edges(), "streets", len(g.Streets()))
	return route.New(g, opt), g.Streets()
}

// cityBox is the city's districts with 5 km around them: what an extract
// of a whole province is clipped to.
func cityBox(city *demo.CityData) roads.Box {
	if city == nil || city.Districts == nil || city.Districts.Len() == 0 {
		return roads.Box{}
	}
	b := roads.Box{MinLat: math.Inf(1), MinLon: math.Inf(1), MaxLat: math.Inf(-1), MaxLon: math.Inf(-1)}
	grow := func(lat, lon float64) {
		b.MinLat, b.MaxLat = math.Min(b.MinLat, lat), math.Max(b.MaxLat, lat)
		b.MinLon, b.MaxLon = math.Min(b.MinLon, lon), math.Max(b.MaxLon, lon)
	}
	for _, d := range city.Districts.All() {
		grow(d.Centroid.Lat, d.Centroid.Lon)
		if d.Geometry != nil {
			bd := d.Geometry.Bound()
			grow(bd.Min[1], bd.Min[0])
			grow(bd.Max[1], bd.Max[0])
		}
	}
	const margin = 0.045 // about 5 km
	b.MinLat, b.MinLon, b.MaxLat, b.MaxLon = b.MinLat-margin, b.MinLon-margin, b.MaxLat+margin, b.MaxLon+margin
	return b
}
