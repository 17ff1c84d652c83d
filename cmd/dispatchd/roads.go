package main

import (
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strings"

	"cc112/city"
	"cc112/geo"
	"cc112/roads"
	"cc112/route"
)

// loadPack is the city the server starts with: the -city folder's pack
// (what it lacks comes from the demo), or the demo city's.
func loadPack(cfg CityConfig) (*city.Pack, error) {
	if cfg.Dir == "" {
		return city.Demo(), nil
	}
	p, err := city.Load(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("-city %s:\n%w", cfg.Dir, err)
	}
	return p, nil
}

// roadsFile is -roads, or the road file of the city pack ("" when there
// is none).
func roadsFile(cfg CityConfig, pack *city.Pack) string {
	if cfg.Roads != "" || pack == nil {
		return cfg.Roads
	}
	return pack.RoadsFile
}

// mainRoads are the polylines of the main roads (secondary and better)
// the maps draw without tiles; none without a road network.
func mainRoads(r *route.Router) [][]geo.Point {
	if r == nil {
		return nil
	}
	return r.Graph().Lines(roads.Secondary)
}

// loadRoads reads the road network once, for the router and the street
// names of the location search. A bad file does not stop the server: it
// says so loudly and ranks units by the straight line.
func loadRoads(cfg CityConfig, rc RoutingConfig, city *city.Pack, eta geo.ETAModel, log *slog.Logger) (*route.Router, []roads.Street) {
	path := roadsFile(cfg, city)
	if path == "" {
		log.Info("no road network (-roads): recommendations use the straight line × detour")
		return nil, nil
	}
	g, err := roads.Load(path, cityBox(city))
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
func cityBox(city *city.Pack) roads.Box {
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
