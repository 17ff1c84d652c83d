package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// LoadKelurahanGeoJSON reads a GeoJSON FeatureCollection of kelurahan
// (villages) — Polygon or MultiPolygon features with a "district" property,
// like BPS/HDX's surabaya_kelurahan_hdx_bps2020.geojson — and dissolves
// them into one District per kecamatan, sorted by name.
//
// The dissolve drops every edge that two polygons of the same district share
// (the same two vertices in opposite directions, compared at 1e-7°, about
// 1 cm) and chains the remaining edges into rings. If that does not give a
// sound outline for a district (see dissolve) its kelurahan are kept as
// the parts of its MultiPolygon instead: Locate answers the same either way.
func LoadKelurahanGeoJSON(r io.Reader) (*Districts, error) {
	return loadAreas(r, "district", true)
}

// LoadVillagesGeoJSON reads the same file as LoadKelurahanGeoJSON but keeps
// one area per kelurahan (its "village" property), so that Locate names
// the kelurahan of a point: complaint statistics count per kelurahan.
func LoadVillagesGeoJSON(r io.Reader) (*Districts, error) {
	return loadAreas(r, "village", false)
}

// loadAreas groups the features by the property prop, dissolving each
// group's polygons into one outline when asked.
func loadAreas(r io.Reader, prop string, dissolveParts bool) (*Districts, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type       string          `json:"type"`
			Properties json.RawMessage `json:"properties"`
			Geometry   *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("geo: kelurahan GeoJSON: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("geo: kelurahan GeoJSON: type %q, want FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, errors.New("geo: kelurahan GeoJSON: no features")
	}
	parts := map[string]orb.MultiPolygon{}
	for i, f := range fc.Features {
		var props map[string]json.RawMessage
		var name string
		if len(f.Properties) > 0 && string(f.Properties) != "null" {
			err := json.Unmarshal(f.Properties, &props)
			if v, ok := props[prop]; err == nil && ok && string(v) != "null" {
				err = json.Unmarshal(v, &name)
			}
			if err != nil {
				return nil, fmt.Errorf("geo: kelurahan GeoJSON: feature %d: properties: %w", i, err)
			}
		}
		if name == "" {
			return nil, fmt.Errorf("geo: kelurahan GeoJSON: feature %d has no %q property", i, prop)
		}
		if f.Geometry == nil {
			return nil, fmt.Errorf("geo: kelurahan GeoJSON: feature %d (%s) has no geometry", i, name)
		}
		mp, err := parsePolygonal(f.Geometry.Type, f.Geometry.Coordinates)
		if err != nil {
			return nil, fmt.Errorf("geo: kelurahan GeoJSON: feature %d (%s): %w", i, name, err)
		}
		parts[name] = append(parts[name], mp...)
	}
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	ds := make([]District, 0, len(names))
	for _, n := range names {
		g := parts[n]
		if dissolveParts {
			if d, ok := dissolve(g); ok {
				g = d
			}
		}
		c, _ := planar.CentroidArea(g)
		ds = append(ds, District{Name: n, Centroid: Point{Lat: c[1], Lon: c[0]}, Geometry: g})
	}
	return NewDistricts(ds), nil
}

// parsePolygonal decodes the coordinates of a Polygon or MultiPolygon.
func parsePolygonal(typ string, raw json.RawMessage) (orb.MultiPolygon, error) {
	var polys [][][][]float64
	switch typ {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("polygon coordinates: %w", err)
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(raw, &polys); err != nil {
			return nil, fmt.Errorf("multipolygon coordinates: %w", err)
		}
	default:
		return nil, fmt.Errorf("geometry %q is not a Polygon or MultiPolygon", typ)
	}
	mp := make(orb.MultiPolygon, 0, len(polys))
	for _, p := range polys {
		if len(p) == 0 {
			return nil, errors.New("polygon without rings")
		}
		poly := make(orb.Polygon, 0, len(p))
		for _, r := range p {
			if len(r) < 4 {
				return nil, fmt.Errorf("ring of %d positions, need at least 4", len(r))
			}
			ring := make(orb.Ring, len(r))
			for k, pos := range r {
				if len(pos) < 2 {
					return nil, fmt.Errorf("position with %d numbers", len(pos))
				}
				if !(Point{Lat: pos[1], Lon: pos[0]}).Valid() {
					return nil, fmt.Errorf("position [%g, %g] is not a longitude, latitude", pos[0], pos[1])
				}
				ring[k] = orb.Point{pos[0], pos[1]}
			}
			if ring[0] != ring[len(ring)-1] {
				ring = append(ring, ring[0]) // tolerate an unclosed ring
			}
			poly = append(poly, ring)
		}
		mp = append(mp, poly)
	}
	return mp, nil
}
