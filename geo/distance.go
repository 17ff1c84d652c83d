package geo

import "math"

// EarthRadius is the mean Earth radius (IUGG R1) in metres.
const EarthRadius = 6371008.8

// Haversine returns the great-circle distance between a and b in metres.
// It is accurate to about 0.5% against the WGS84 ellipsoid, far better than
// a straight line predicts a road trip.
func Haversine(a, b Point) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a.Lat*rad, b.Lat*rad
	dLat := lat2 - lat1
	dLon := (b.Lon - a.Lon) * rad
	s1 := math.Sin(dLat / 2)
	s2 := math.Sin(dLon / 2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadius * math.Asin(math.Sqrt(h))
}
