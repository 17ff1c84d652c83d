// Package geo holds points, distances, districts (kecamatan), the spatial
// index and the travel-time (ETA) model. It imports nothing from the app.
package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
)

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

// MissingCoordinateError is a JSON point given with one coordinate only.
// Left to encoding/json, {"lat":-7.25} would be a point at longitude 0.
type MissingCoordinateError struct{ Name string }

func (e *MissingCoordinateError) Error() string {
	return e.Name + " is required: a location needs both lat and lon"
}

// UnmarshalJSON decodes {"lat":..,"lon":..} and refuses a point that
// lacks either coordinate (null counts as missing) or has another field.
// It is the one place where locations are decoded: requests, events and
// projections alike.
func (p *Point) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil // like encoding/json: null leaves the point as it is
	}
	var v struct {
		Lat *float64 `json:"lat"`
		Lon *float64 `json:"lon"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // as the request decoder: {"lat","lng"} is a typo, not a point
	if err := dec.Decode(&v); err != nil {
		return err
	}
	switch {
	case v.Lat == nil:
		return &MissingCoordinateError{Name: "lat"}
	case v.Lon == nil:
		return &MissingCoordinateError{Name: "lon"}
	}
	p.Lat, p.Lon = *v.Lat, *v.Lon
	return nil
}
