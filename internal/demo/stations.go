package demo

import (
	"fmt"

	"cc112"
	"cc112/geo"
)

// stations are the demo bases with how many units of their type each holds.
// Places are real; coordinates are approximate (to about 100 m) except the
// DKRTH East depot, which comes from the city's parks agency data.
var stations = [...]struct {
	id, name, agency string
	lat, lon         float64
	unitType         cc112.UnitType
	units            int
}{
	// Fire brigade (Dinas Pemadam Kebakaran dan Penyelamatan).
	{"st-damkar-pasarturi", "Markas Damkar Pasar Turi", "damkar", -7.2455, 112.7325, cc112.UnitFire, 4},
	{"st-damkar-rungkut", "Pos Damkar Rungkut", "damkar", -7.3225, 112.7790, cc112.UnitFire, 3},
	{"st-damkar-tandes", "Pos Damkar Tandes", "damkar", -7.2570, 112.6790, cc112.UnitFire, 3},
	{"st-damkar-wiyung", "Pos Damkar Wiyung", "damkar", -7.3130, 112.6960, cc112.UnitFire, 2},
	{"st-damkar-kenjeran", "Pos Damkar Kenjeran", "damkar", -7.2330, 112.7790, cc112.UnitFire, 2},
	// Police.
	{"st-polrestabes", "Polrestabes Surabaya", "polri", -7.2378, 112.7330, cc112.UnitPolice, 4},
	{"st-polsek-tegalsari", "Polsek Tegalsari", "polri", -7.2700, 112.7360, cc112.UnitPolice, 2},
	{"st-polsek-gubeng", "Polsek Gubeng", "polri", -7.2745, 112.7530, cc112.UnitPolice, 2},
	{"st-polsek-wonokromo", "Polsek Wonokromo", "polri", -7.3020, 112.7380, cc112.UnitPolice, 2},
	{"st-polsek-rungkut", "Polsek Rungkut", "polri", -7.3230, 112.7690, cc112.UnitPolice, 2},
	{"st-polsek-tandes", "Polsek Tandes", "polri", -7.2590, 112.6850, cc112.UnitPolice, 2},
	{"st-polsek-sukolilo", "Polsek Sukolilo", "polri", -7.2890, 112.7790, cc112.UnitPolice, 2},
	{"st-polsek-tambaksari", "Polsek Tambaksari", "polri", -7.2500, 112.7560, cc112.UnitPolice, 2},
	// Sanitation and parks task force (DKRTH, formerly DKP).
	{"st-dkrth-timur", "Depo DKRTH Rayon Timur", "dkp", -7.264215, 112.753215, cc112.UnitDKP, 4},
	{"st-dkp-barat", "Depo DKP Rayon Barat", "dkp", -7.2620, 112.6900, cc112.UnitDKP, 3},
	{"st-dkp-selatan", "Depo DKP Rayon Selatan", "dkp", -7.3210, 112.7200, cc112.UnitDKP, 3},
	{"st-dkp-utara", "Depo DKP Rayon Utara", "dkp", -7.2300, 112.7400, cc112.UnitDKP, 2},
	// PSC 119 ambulances of the health office, at its base and hospitals.
	{"st-psc119", "PSC 119 Dinkes (Jl. Jemursari)", "dinkes", -7.3215, 112.7440, cc112.UnitAmbulance, 4},
	{"st-rsud-soetomo", "RSUD dr. Soetomo", "dinkes", -7.2680, 112.7580, cc112.UnitAmbulance, 3},
	{"st-rsud-soewandhie", "RSUD dr. M. Soewandhie", "dinkes", -7.2475, 112.7545, cc112.UnitAmbulance, 2},
	{"st-rsud-bdh", "RSUD Bhakti Dharma Husada", "dinkes", -7.2470, 112.6510, cc112.UnitAmbulance, 2},
	{"st-rs-haji", "RSU Haji Surabaya", "dinkes", -7.2830, 112.7805, cc112.UnitAmbulance, 2},
	// Disaster management and rescue.
	{"st-bpbd", "BPBD Kota Surabaya", "bpbd", -7.3195, 112.7430, cc112.UnitRescue, 5},
	{"st-bpbd-balaikota", "Pos SAR Balai Kota", "bpbd", -7.2590, 112.7475, cc112.UnitRescue, 4},
}

// callsignPrefix is the radio prefix of each unit type.
var callsignPrefix = map[cc112.UnitType]string{
	cc112.UnitFire:      "DMK",
	cc112.UnitPolice:    "POL",
	cc112.UnitDKP:       "DKP",
	cc112.UnitAmbulance: "AMB",
	cc112.UnitRescue:    "SAR",
}

// demoStations returns the stations of the demo city.
func demoStations() []cc112.Station {
	out := make([]cc112.Station, len(stations))
	for i, s := range stations {
		out[i] = cc112.Station{ID: s.id, Name: s.name, Agency: s.agency, Location: geo.Point{Lat: s.lat, Lon: s.lon}}
	}
	return out
}

// demoUnits returns the units at their stations, numbered per type in
// station order (u-fire-01 = DMK-01, ...), each a few metres from the
// station's point so markers do not hide one another.
func demoUnits() []cc112.Unit {
	var out []cc112.Unit
	n := map[cc112.UnitType]int{}
	for _, s := range stations {
		for k := range s.units {
			n[s.unitType]++
			num := n[s.unitType]
			// A 3×3 pattern of 0.0001° (11 m) steps around the station.
			dLat := float64(k%3-1) * 0.0001
			dLon := float64((k/3)%3-1) * 0.0001
			out = append(out, cc112.Unit{
				ID:       fmt.Sprintf("u-%s-%02d", s.unitType, num),
				Callsign: fmt.Sprintf("%s-%02d", callsignPrefix[s.unitType], num),
				Type:     s.unitType,
				Agency:   s.agency,
				Station:  s.id,
				Status:   cc112.UnitAvailable,
				Location: geo.Point{Lat: round6(s.lat + dLat), Lon: round6(s.lon + dLon)},
			})
		}
	}
	return out
}
