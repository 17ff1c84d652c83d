package roads

import (
	"strconv"
	"strings"
)

// Class is a road's OSM highway class, the unit of speeds and of the
// time-of-day factors (links count as the road they join).
type Class uint8

// The classes a vehicle may drive.
const (
	Motorway Class = iota
	Trunk
	Primary
	Secondary
	Tertiary
	Unclassified
	Residential
	LivingStreet
	Service
	Track
	NumClasses
)

var classNames = [NumClasses]string{"motorway", "trunk", "primary", "secondary", "tertiary",
	"unclassified", "residential", "living_street", "service", "track"}

func (c Class) String() string {
	if c < NumClasses {
		return classNames[c]
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// ParseClass names a class ("secondary"; a "_link" suffix is accepted).
func ParseClass(s string) (Class, bool) {
	s = strings.TrimSuffix(s, "_link")
	for c, n := range classNames {
		if n == s {
			return Class(c), true
		}
	}
	return 0, false
}

// DefaultSpeedsKMH are free-flow speeds of ordinary traffic per class, for
// ways without a maxspeed tag: urban values, not limits (Surabaya's
// arterials rarely flow faster than 50 km/h; kampung lanes are walked
// more than driven).
var DefaultSpeedsKMH = [NumClasses]float64{
	Motorway: 80, Trunk: 55, Primary: 45, Secondary: 40, Tertiary: 35,
	Unclassified: 30, Residential: 25, LivingStreet: 15, Service: 15, Track: 15,
}

// noVehicles are highway values no vehicle may use.
var noVehicles = map[string]bool{
	"footway": true, "steps": true, "path": true, "pedestrian": true, "cycleway": true,
	"bridleway": true, "corridor": true, "platform": true, "elevator": true,
	"construction": true, "proposed": true, "abandoned": true, "bus_stop": true, "raceway": true,
}

// drivable returns the class of a highway value and whether vehicles may
// use it at all; an unknown road value ("road") counts as unclassified.
func drivable(highway string) (Class, bool) {
	if highway == "" || noVehicles[highway] {
		return 0, false
	}
	if c, ok := ParseClass(highway); ok {
		return c, true
	}
	if highway == "road" || highway == "busway" {
		return Unclassified, true
	}
	return 0, false
}

// maxspeedKMH reads an OSM maxspeed ("40", "40 km/h", "30 mph"); anything
// else ("signals", "none", "walk") is not a number and is ignored.
func maxspeedKMH(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	mph := strings.HasSuffix(v, "mph")
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(v, "mph"), "km/h"), "kmh"))
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 || n > 200 {
		return 0, false
	}
	if mph {
		n *= 1.609344
	}
	return n, true
}

// direction reads oneway: +1 along the way only, -1 against it only, 0 both.
func direction(oneway, junction, highway string) int {
	switch oneway {
	case "yes", "true", "1":
		return 1
	case "-1", "reverse":
		return -1
	case "no", "false", "0":
		return 0
	}
	if junction == "roundabout" || junction == "circular" || highway == "motorway" {
		return 1
	}
	return 0
}
