// Package citytest is the small test city the engine's tests share: a
// centre at Tugu Pahlawan and a fleet at known distances from it, so that
// tests can say which unit is nearest without computing it.
package citytest

import (
	"cc112"
	"cc112/geo"
)

// Center is Tugu Pahlawan, Surabaya.
var Center = geo.Point{Lat: -7.2458, Lon: 112.7378}

// Near is a point dNorthM, dEastM metres from the centre.
func Near(dNorthM, dEastM float64) geo.Point {
	return geo.Point{Lat: Center.Lat + dNorthM/111_320, Lon: Center.Lon + dEastM/110_440}
}

// Units is the fleet: three fire units (0.5, 2 and 6 km north), two
// police (0.8 and 3 km east), an ambulance (1 km south), a DKP truck.
func Units() []cc112.Unit {
	mk := func(id, cs string, t cc112.UnitType, agency string, p geo.Point) cc112.Unit {
		return cc112.Unit{ID: id, Callsign: cs, Type: t, Agency: agency, Station: "st", Status: cc112.UnitAvailable, Location: p}
	}
	return []cc112.Unit{
		mk("f1", "DMK-01", cc112.UnitFire, "damkar", Near(500, 0)),
		mk("f2", "DMK-02", cc112.UnitFire, "damkar", Near(2000, 0)),
		mk("f3", "DMK-03", cc112.UnitFire, "damkar", Near(6000, 0)),
		mk("p1", "POL-01", cc112.UnitPolice, "polri", Near(0, 800)),
		mk("p2", "POL-02", cc112.UnitPolice, "polri", Near(0, 3000)),
		mk("a1", "AMB-01", cc112.UnitAmbulance, "dinkes", Near(-1000, 0)),
		mk("d1", "DKP-01", cc112.UnitDKP, "dkp", Near(-300, -300)),
	}
}
