package geo

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// District is one kecamatan.
type District struct {
	Name     string
	Centroid Point
	// Geometry is the district's area in GeoJSON order ([lon, lat]); nil
	// when only the centroid is known.
	Geometry orb.MultiPolygon
}

// Limits of Locate.
const (
	// BoundarySlopM: a point this close outside a district polygon still
	// belongs to it (GPS error, coastline and digitising differences).
	BoundarySlopM = 300
	// CentroidRadiusM: without polygons, the nearest centroid counts only
	// within this distance; farther is outside the city.
	CentroidRadiusM = 8000
)

// Districts locates points in kecamatan. It is read-only after
// NewDistricts and safe for concurrent use.
type Districts struct {
	list []District
	// bounds[i] covers list[i].Geometry; empty when it has none.
	bounds []orb.Bound
	// polyBounds[i][j] covers list[i].Geometry[j].
	polyBounds [][]orb.Bound
}

// NewDistricts indexes ds (copied; its order decides ties on shared borders).
func NewDistricts(ds []District) *Districts {
	d := &Districts{
		list:       make([]District, len(ds)),
		bounds:     make([]orb.Bound, len(ds)),
		polyBounds: make([][]orb.Bound, len(ds)),
	}
	copy(d.list, ds)
	for i, x := range d.list {
		if len(x.Geometry) == 0 {
			continue
		}
		d.bounds[i] = x.Geometry.Bound()
		pbs := make([]orb.Bound, len(x.Geometry))
		for j, poly := range x.Geometry {
			if len(poly) > 0 {
				pbs[j] = poly[0].Bound()
			}
		}
		d.polyBounds[i] = pbs
	}
	return d
}

// All returns the districts in their order.
func (d *Districts) All() []District {
	out := make([]District, len(d.list))
	copy(out, d.list)
	return out
}

// Len returns the number of districts.
func (d *Districts) Len() int { return len(d.list) }

// Locate returns the name of the district holding p, or "" outside them all.
//
// Districts with polygons are tried first: inside one (border included), or
// else the nearest within BoundarySlopM. Districts without polygons then
// compete by the nearest centroid within CentroidRadiusM.
func (d *Districts) Locate(p Point) string {
	if d == nil || !p.Valid() || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
		return ""
	}
	op := orb.Point{p.Lon, p.Lat}
	hasPolygons := false
	for i, x := range d.list {
		if len(x.Geometry) == 0 {
			continue
		}
		hasPolygons = true
		if !d.bounds[i].Contains(op) {
			continue
		}
		for j, poly := range x.Geometry {
			if len(poly) > 0 && d.polyBounds[i][j].Contains(op) && planar.PolygonContains(poly, op) {
				return x.Name
			}
		}
	}
	if hasPolygons {
		if name := d.nearestPolygon(p); name != "" {
			return name
		}
	}
	best, bestD := "", math.Inf(1)
	for _, x := range d.list {
		if len(x.Geometry) != 0 {
			continue
		}
		if dist := Haversine(p, x.Centroid); dist <= CentroidRadiusM && dist < bestD {
			best, bestD = x.Name, dist
		}
	}
	return best
}

// nearestPolygon returns the district whose border is nearest to p within
// BoundarySlopM, measured on a local flat projection around p.
func (d *Districts) nearestPolygon(p Point) string {
	ky := metresPerDegree
	kx := metresPerDegree * math.Cos(p.Lat*math.Pi/180)
	padLat := BoundarySlopM / ky * 1.01
	padLon := BoundarySlopM / math.Max(kx, 1) * 1.01
	op := orb.Point{p.Lon, p.Lat}
	best, bestD := "", float64(BoundarySlopM)
	for i, x := range d.list {
		if len(x.Geometry) == 0 {
			continue
		}
		b := d.bounds[i]
		b.Min[0] -= padLon
		b.Min[1] -= padLat
		b.Max[0] += padLon
		b.Max[1] += padLat
		if !b.Contains(op) {
			continue
		}
		for _, poly := range x.Geometry {
			for _, ring := range poly {
				for k := 0; k+1 < len(ring); k++ {
					ax, ay := (ring[k][0]-p.Lon)*kx, (ring[k][1]-p.Lat)*ky
					bx, by := (ring[k+1][0]-p.Lon)*kx, (ring[k+1][1]-p.Lat)*ky
					if dist := originToSegment(ax, ay, bx, by); dist <= bestD {
						if dist < bestD || best == "" {
							best, bestD = x.Name, dist
						}
					}
				}
			}
		}
	}
	return best
}

// originToSegment is the distance from (0,0) to the segment a–b.
func originToSegment(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	x, y := ax+t*dx, ay+t*dy
	return math.Hypot(x, y)
}

// GeoJSON returns the districts as a FeatureCollection: one feature per
// district with properties name and centroid ([lon, lat]), its
// MultiPolygon, or a Point at the centroid when it has none.
//
// It is written with encoding/json rather than orb/geojson, whose BSON
// support would pull the MongoDB driver into every build.
func (d *Districts) GeoJSON() ([]byte, error) {
	type geometry struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	type properties struct {
		Name     string     `json:"name"`
		Centroid [2]float64 `json:"centroid"`
	}
	type feature struct {
		Type       string     `json:"type"`
		Properties properties `json:"properties"`
		Geometry   geometry   `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: make([]feature, 0, len(d.list))}
	for _, x := range d.list {
		c := [2]float64{x.Centroid.Lon, x.Centroid.Lat}
		g := geometry{Type: "Point", Coordinates: c}
		if len(x.Geometry) > 0 {
			g = geometry{Type: "MultiPolygon", Coordinates: x.Geometry}
		}
		fc.Features = append(fc.Features, feature{
			Type:       "Feature",
			Properties: properties{Name: x.Name, Centroid: c},
			Geometry:   g,
		})
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("geo: districts to GeoJSON: %w", err)
	}
	return b, nil
}

// Beyond returns how far p lies outside every district, in metres: 0 when
// Locate finds it a district. Polygons are measured to their nearest
// border (on a flat projection around p, close enough for a warning);
// districts known only by a centroid count CentroidRadiusM around it.
func (d *Districts) Beyond(p Point) float64 {
	if d == nil || len(d.list) == 0 || d.Locate(p) != "" {
		return 0
	}
	ky := metresPerDegree
	kx := metresPerDegree * math.Cos(p.Lat*math.Pi/180)
	best := math.Inf(1)
	for _, x := range d.list {
		if len(x.Geometry) == 0 {
			best = math.Min(best, math.Max(0, Haversine(p, x.Centroid)-CentroidRadiusM))
			continue
		}
		for _, poly := range x.Geometry {
			for _, ring := range poly {
				for k := 0; k+1 < len(ring); k++ {
					ax, ay := (ring[k][0]-p.Lon)*kx, (ring[k][1]-p.Lat)*ky
					bx, by := (ring[k+1][0]-p.Lon)*kx, (ring[k+1][1]-p.Lat)*ky
					best = math.Min(best, originToSegment(ax, ay, bx, by))
				}
			}
		}
	}
	return best
}
