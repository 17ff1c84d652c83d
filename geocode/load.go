package geocode

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"cc112/geo"
	"cc112/roads"
)

// Areas locates points in kelurahan polygons (BPS/HDX style: a "village"
// and a "district" property on each feature). Outside every polygon the
// kecamatan comes from Fallback, when set, and the kelurahan is unknown.
type Areas struct {
	list     []area
	Fallback *geo.Districts
}

type area struct {
	name, district string
	geom           orb.MultiPolygon
	bound          orb.Bound
	centroid       geo.Point
}

// Locate returns the kecamatan and kelurahan holding p.
func (a *Areas) Locate(p geo.Point) (district, kelurahan string) {
	if a == nil {
		return "", ""
	}
	op := orb.Point{p.Lon, p.Lat}
	for _, x := range a.list {
		if x.bound.Contains(op) && planar.MultiPolygonContains(x.geom, op) {
			return x.district, x.name
		}
	}
	if a.Fallback != nil {
		return a.Fallback.Locate(p), ""
	}
	return "", ""
}

// Places returns a place for each kelurahan (at its centroid) and each
// kecamatan (at the centroid of its kelurahan together).
func (a *Areas) Places() []Place {
	var out []Place
	type acc struct {
		geom orb.MultiPolygon
	}
	byDistrict := map[string]*acc{}
	for _, x := range a.list {
		out = append(out, Place{Name: x.name, Kind: Kelurahan, Location: x.centroid, District: x.district, Kelurahan: x.name})
		d := byDistrict[x.district]
		if d == nil {
			d = &acc{}
			byDistrict[x.district] = d
		}
		d.geom = append(d.geom, x.geom...)
	}
	names := make([]string, 0, len(byDistrict))
	for n := range byDistrict {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c, _ := planar.CentroidArea(byDistrict[n].geom)
		out = append(out, Place{Name: n, Kind: Kecamatan, Location: geo.Point{Lat: c[1], Lon: c[0]}, District: n})
	}
	return out
}

// LoadKelurahan reads a kelurahan GeoJSON FeatureCollection such as
// surabaya_kelurahan_hdx_bps2020.geojson.
func LoadKelurahan(r io.Reader) (*Areas, error) {
	fc, err := readCollection(r, "kelurahan")
	if err != nil {
		return nil, err
	}
	a := &Areas{}
	for i, f := range fc.Features {
		name, district := f.Properties.MustString("village", ""), f.Properties.MustString("district", "")
		if name == "" || district == "" {
			return nil, fmt.Errorf("geocode: kelurahan GeoJSON: feature %d lacks a \"village\" or \"district\" property", i)
		}
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return nil, fmt.Errorf("geocode: kelurahan GeoJSON: feature %d (%s) is not a Polygon or MultiPolygon", i, name)
		}
		c, _ := planar.CentroidArea(mp)
		a.list = append(a.list, area{name: name, district: district, geom: mp, bound: mp.Bound(),
			centroid: geo.Point{Lat: c[1], Lon: c[0]}})
	}
	return a, nil
}

// Streets are the road network's named streets as places (roads.Load is
// the one reader of road files).
func Streets(streets []roads.Street) []Place {
	out := make([]Place, 0, len(streets))
	for _, s := range streets {
		out = append(out, Place{Name: s.Name, Kind: Street, Location: s.At})
	}
	return out
}

// LoadPOI reads points of interest (hospitals, schools, markets...): a
// GeoJSON FeatureCollection of named Points, or Polygons placed at their
// centroid. Features without a name are skipped.
func LoadPOI(r io.Reader) ([]Place, error) {
	fc, err := readCollection(r, "points of interest")
	if err != nil {
		return nil, err
	}
	var out []Place
	for i, f := range fc.Features {
		name := f.Properties.MustString("name", "")
		if name == "" {
			continue
		}
		var at orb.Point
		switch g := f.Geometry.(type) {
		case orb.Point:
			at = g
		case orb.Polygon, orb.MultiPolygon:
			at, _ = planar.CentroidArea(g)
		default:
			return nil, fmt.Errorf("geocode: points of interest GeoJSON: feature %d (%s) is not a Point or Polygon", i, name)
		}
		p := geo.Point{Lat: at[1], Lon: at[0]}
		if !p.Valid() || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
			return nil, fmt.Errorf("geocode: points of interest GeoJSON: feature %d (%s): [%g, %g] is not a longitude, latitude", i, name, at[0], at[1])
		}
		out = append(out, Place{Name: name, Kind: POI, Location: p, Hospital: isHospital(name, f.Properties)})
	}
	if len(out) == 0 {
		return nil, errors.New("geocode: points of interest GeoJSON: no named features")
	}
	return out, nil
}

// hospitalName is how Indonesian hospitals are named: an upper-case RS code
// (RS, RSU, RSUD, RSIA, RSAL, RSPAL...) first, "Rumah Sakit" first, or an
// English "Hospital".
var hospitalName = regexp.MustCompile(`^RS[A-Z]{0,4}\b|(?i)^rumah sakit\b|\bhospital\b`)

// isHospital reports whether a point of interest takes patients: OSM's
// amenity or healthcare tag says hospital, or its name does.
func isHospital(name string, props geojson.Properties) bool {
	return props.MustString("amenity", "") == "hospital" || props.MustString("healthcare", "") == "hospital" ||
		hospitalName.MatchString(name)
}

func readCollection(r io.Reader, what string) (*geojson.FeatureCollection, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("geocode: %s GeoJSON: %w", what, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("geocode: %s GeoJSON: %w", what, err)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("geocode: %s GeoJSON: no features", what)
	}
	return fc, nil
}

// Districts adapts the kecamatan of geo.Districts (the demo city has no
// kelurahan) to a Locator.
type Districts struct{ D *geo.Districts }

// Locate returns the kecamatan of p and no kelurahan.
func (d Districts) Locate(p geo.Point) (string, string) { return d.D.Locate(p), "" }

// DistrictPlaces returns a kecamatan place for each district, at its centroid.
func DistrictPlaces(d *geo.Districts) []Place {
	var out []Place
	for _, x := range d.All() {
		out = append(out, Place{Name: x.Name, Kind: Kecamatan, Location: x.Centroid, District: x.Name})
	}
	return out
}
