package cc112

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"cc112/geo"
)

// PointOf is a point from a lat/lon pair given as separate fields (a GPS
// fix, a dropped pin): each is required, named when missing, and the pair
// must pass CheckPoint.
func PointOf(lat, lon *float64) (geo.Point, error) {
	switch {
	case lat == nil:
		return geo.Point{}, Errorf(EInvalid, "lat is required (a location needs both lat and lon)")
	case lon == nil:
		return geo.Point{}, Errorf(EInvalid, "lon is required (a location needs both lat and lon)")
	}
	p := geo.Point{Lat: *lat, Lon: *lon}
	return p, CheckPoint(p)
}

// CheckPoint refuses coordinates that are not a place on Earth (and the
// 0,0 that a broken GPS sends).
func CheckPoint(p geo.Point) error {
	if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || !p.Valid() {
		return Errorf(EInvalid, "location %v is not a valid lat/lon", p).Because(RLocationInvalid)
	}
	if p.Lat == 0 && p.Lon == 0 {
		return Errorf(EInvalid, "location 0,0 is not a real position").Because(RLocationInvalid)
	}
	return nil
}

// ParseNumber reads a finite number given as text (a query or form
// parameter): "" is nil, anything else that is not a number is refused,
// naming the parameter.
func ParseNumber(name, v string) (*float64, error) {
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, Errorf(EInvalid, "%s must be a number, not %q", name, v)
	}
	return &f, nil
}

// PointOfPair reads a location typed as one text, "lat, lon" or
// "lat lon" (as copied from a map or read out by a caller). ok is false
// when text is not two numbers (a name to search instead); two numbers
// that are no place on Earth are an error.
func PointOfPair(text string) (p geo.Point, ok bool, err error) {
	f := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	if len(f) != 2 || strings.Count(text, ",") > 1 {
		return geo.Point{}, false, nil
	}
	var v [2]float64
	for i, s := range f {
		n, err := ParseNumber("coordinate", s)
		if err != nil || n == nil {
			return geo.Point{}, false, nil
		}
		v[i] = *n
	}
	p = geo.Point{Lat: v[0], Lon: v[1]}
	return p, true, CheckPoint(p)
}

// PointOfText is PointOf for coordinates given as text (lat=&lon=).
func PointOfText(lat, lon string) (geo.Point, error) {
	la, err := ParseNumber("lat", lat)
	if err != nil {
		return geo.Point{}, err
	}
	lo, err := ParseNumber("lon", lon)
	if err != nil {
		return geo.Point{}, err
	}
	return PointOf(la, lo)
}
