package main

import (
	"fmt"
	"strings"
	"time"

	"cc112"
)

// Mapping says how a CSV export becomes incidents: which column holds
// what, how its values translate into our codes, and whether several rows
// (one per unit, as CAD exports do) make one incident.
type Mapping struct {
	// IDPrefix is put before the external id so that two sources cannot
	// collide ("SF-", "SMP-").
	IDPrefix   string
	ExternalID string // column of the incident's own number; rows sharing it are one incident
	Category   string // column; translated through Categories
	// Categories maps a column value (compared upper-case) to a category;
	// values not listed become DefaultCategory and are reported.
	Categories      map[string]cc112.Category
	DefaultCategory cc112.Category
	Priority        string // column; translated through Priorities (missing: 2)
	Priorities      map[string]int
	Location        string // column "(lat, lon)"; or Lat and Lon columns
	Lat, Lon        string
	District        string // column (optional): the kecamatan as the source names it
	Address         string // column (optional)
	ReceivedAt      string // column; the earliest over an incident's rows
	// CallReceivedAt is the column of the call's answer where the source
	// keeps it apart from the record's entry (optional; the earliest over
	// an incident's rows): the response clock starts there.
	CallReceivedAt string
	ClosedAt       string // column (optional); the latest over an incident's rows
	TimeLayout     string // Go layout of every time column
	Zone           *time.Location
	// Unit columns. A row without a callsign adds no unit.
	Callsign string
	UnitType string // column; translated through UnitTypes
	// UnitTypes maps a column value (upper-case) to our unit type and its
	// agency ("" agency: the type's default agency).
	UnitTypes                                     map[string]UnitKind
	DispatchedAt, EnrouteAt, OnsceneAt, ClearedAt string
}

// UnitKind is a unit type with the agency it belongs to.
type UnitKind struct {
	Type   cc112.UnitType
	Agency string
}

// presets are the mappings of the real exports in ../shared/data.
var presets = map[string]func() (*Mapping, error){
	"sf":      sfPreset,
	"sumenep": sumenepPreset,
}

// sfPreset reads the San Francisco Fire Department "Calls for Service"
// export: one row per responding unit, grouped by Incident Number; the
// call answered at Received, the incident entered in CAD at Entry; times
// MM/DD/YYYY hh:mm:ss AM in Pacific time; Location "(lat, lon)"; Received,
// Dispatch, Response (= en route), On Scene and Available per unit.
//
// Call types map to our categories by what is sent and why: alarms go with
// fires (a fire brigade answers them); water rescues with floods (rescue
// units for water); elevator, confined-space and industrial rescues and
// electrical hazards with infrastructure; odours, fuel spills and hazmat
// with gas leaks; citizen assists and "Other" with other. Final priority 3
// (emergency, lights and siren) is our 1, 2 (urgent) our 2, 1 our 3.
// Engines, trucks, chiefs and support are fire units (damkar); medics and
// private ambulances ambulances (dinkes); rescue squads and captains
// rescue units (bpbd).
func sfPreset() (*Mapping, error) {
	zone, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return nil, fmt.Errorf("sf preset: %w", err)
	}
	return &Mapping{
		IDPrefix: "SF-", ExternalID: "Incident Number", Category: "Call Type",
		Categories: map[string]cc112.Category{
			"MEDICAL INCIDENT": cc112.CatMedical, "ALARMS": cc112.CatFire, "STRUCTURE FIRE": cc112.CatFire,
			"OUTSIDE FIRE": cc112.CatFire, "VEHICLE FIRE": cc112.CatFire, "SMOKE INVESTIGATION (OUTSIDE)": cc112.CatFire,
			"TRAFFIC COLLISION": cc112.CatTrafficAccident, "GAS LEAK (NATURAL AND LP GASES)": cc112.CatGasLeak,
			"ODOR (STRANGE / UNKNOWN)": cc112.CatGasLeak, "FUEL SPILL": cc112.CatGasLeak, "HAZMAT": cc112.CatGasLeak,
			"WATER RESCUE": cc112.CatFlood, "ELECTRICAL HAZARD": cc112.CatInfrastructure,
			"ELEVATOR / ESCALATOR RESCUE": cc112.CatInfrastructure, "CONFINED SPACE / STRUCTURE COLLAPSE": cc112.CatInfrastructure,
			"INDUSTRIAL ACCIDENTS": cc112.CatInfrastructure, "CITIZEN ASSIST / SERVICE CALL": cc112.CatOther, "OTHER": cc112.CatOther,
		},
		DefaultCategory: cc112.CatOther,
		Priority:        "Final Priority", Priorities: map[string]int{"3": 1, "E": 1, "2": 2, "1": 3},
		Location: "Location", Address: "Address",
		ReceivedAt: "Entry DtTm", CallReceivedAt: "Received DtTm", ClosedAt: "Available DtTm",
		TimeLayout: "01/02/2006 03:04:05 PM", Zone: zone,
		Callsign: "Unit ID", UnitType: "Unit Type",
		UnitTypes: map[string]UnitKind{
			"ENGINE": {cc112.UnitFire, "damkar"}, "TRUCK": {cc112.UnitFire, "damkar"}, "CHIEF": {cc112.UnitFire, "damkar"},
			"SUPPORT": {cc112.UnitFire, "damkar"}, "AIRPORT": {cc112.UnitFire, "damkar"}, "INVESTIGATION": {cc112.UnitFire, "damkar"},
			"MEDIC": {cc112.UnitAmbulance, "dinkes"}, "PRIVATE": {cc112.UnitAmbulance, "dinkes"},
			"RESCUE CAPTAIN": {cc112.UnitRescue, "bpbd"}, "RESCUE SQUAD": {cc112.UnitRescue, "bpbd"},
		},
		DispatchedAt: "Dispatch DtTm", EnrouteAt: "Response DtTm", OnsceneAt: "On Scene DtTm", ClearedAt: "Available DtTm",
	}, nil
}

// sumenepPreset reads the 112 log of Kabupaten Sumenep (East Java): one row
// per incident, times in WIB, the responding agency in opd_terkait, the
// kecamatan as recorded. It has no dispatch, en route or on-scene times,
// so its incidents count as missing in every interval: honest, not zero.
// finished_at becomes closed_at (it is not an arrival time).
//
// Categories: KEBAKARAN fire; POHON TUMBANG fallen_tree; ODGJ (orang dengan
// gangguan jiwa) mental_health; PERMINTAAN AMBULAN and KECELAKAAN KERJA
// medical; EVAKUASI HEWAN LIAR/BUAS animal; KECELAKAAN LALU LINTAS
// traffic_accident; KEAMANAN DAN KETERTIBAN MASYARAKAT social_conflict;
// KRIMINALITAS crime; BANJIR flood; TIANG LISTRIK RUBUH infrastructure;
// GIAT EVAKUASI, BENCANA ALAM and KECELAKAAN LAUT other (no closer code).
// Agencies: PEMADAM KEBAKARAN damkar (fire), SATPOLL PP satpolpp (police
// type: public order), PUSKESMAS dinkes (ambulance), BPBD bpbd (rescue),
// PLN pln and DINAS PERHUBUNGAN dishub (dkp and rescue types).
func sumenepPreset() (*Mapping, error) {
	return &Mapping{
		IDPrefix: "SMP-", ExternalID: "id", Category: "kejadian",
		Categories: map[string]cc112.Category{
			"KEBAKARAN": cc112.CatFire, "POHON TUMBANG": cc112.CatFallenTree,
			"ORANG DENGAN GANGGUAN JIWA (ODGJ)": cc112.CatMentalHealth, "ODGJ": cc112.CatMentalHealth,
			"PERMINTAAN AMBULAN": cc112.CatMedical, "KECELAKAAN KERJA": cc112.CatMedical,
			"EVAKUASI HEWAN LIAR/BUAS": cc112.CatAnimal, "KECELAKAAN LALU LINTAS": cc112.CatTrafficAccident,
			"KEAMANAN DAN KETERTIBAN MASYARAKAT": cc112.CatSocialConflict, "KRIMINALITAS": cc112.CatCrime,
			"BANJIR": cc112.CatFlood, "TIANG LISTRIK RUBUH": cc112.CatInfrastructure,
			"GIAT EVAKUASI": cc112.CatOther, "BENCANA ALAM": cc112.CatOther, "KECELAKAAN LAUT": cc112.CatOther,
		},
		DefaultCategory: cc112.CatOther,
		Lat:             "lat", Lon: "lon", District: "kecamatan", Address: "alamat",
		ReceivedAt: "received_at", ClosedAt: "finished_at",
		TimeLayout: "2006-01-02T15:04:05", Zone: cc112.WIB,
		Callsign: "opd_terkait", UnitType: "opd_terkait",
		UnitTypes: map[string]UnitKind{
			"PEMADAM KEBAKARAN": {cc112.UnitFire, "damkar"}, "SATPOLL PP": {cc112.UnitPolice, "satpolpp"},
			"SATPOL PP": {cc112.UnitPolice, "satpolpp"}, "PUSKESMAS": {cc112.UnitAmbulance, "dinkes"},
			"BADAN PENANGGULANGAN BENCANA DAERAH": {cc112.UnitRescue, "bpbd"}, "BPBD": {cc112.UnitRescue, "bpbd"},
			"PLN": {cc112.UnitDKP, "pln"}, "DINAS PERHUBUNGAN": {cc112.UnitRescue, "dishub"},
		},
	}, nil
}

// key normalises a value for the translation tables.
func key(v string) string { return strings.ToUpper(strings.Join(strings.Fields(v), " ")) }
