// Package geo holds points, distances, districts (kecamatan), the spatial
// index and the travel-time (ETA) model. It imports nothing from the app.
package geo

import "fmt"

// Point is a WGS84 position. JSON is {"lat":..,"lon":..}; GeoJSON is [lon, lat].
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Valid reports whether p is a finite position on Earth.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

func (p Point) String() string { return fmt.Sprintf("%.6f,%.6f", p.Lat, p.Lon) }
