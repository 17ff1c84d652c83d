package cc112

import (
	"slices"
	"time"

	"cc112/geo"
)

// UnitType is the kind of task force a unit belongs to.
type UnitType string

// Unit types (DESIGN.md §3).
const (
	UnitFire      UnitType = "fire"
	UnitPolice    UnitType = "police"
	UnitDKP       UnitType = "dkp"
	UnitAmbulance UnitType = "ambulance"
	UnitRescue    UnitType = "rescue"
)

// UnitTypes lists every unit type in display order.
var UnitTypes = []UnitType{UnitFire, UnitPolice, UnitAmbulance, UnitRescue, UnitDKP}

// Valid reports whether t is a known unit type.
func (t UnitType) Valid() bool {
	for _, v := range UnitTypes {
		if v == t {
			return true
		}
	}
	return false
}

// UnitStatus is where a unit is in its work cycle.
type UnitStatus string

// Unit statuses: available → dispatched → enroute → onscene
// (→ transporting → at_hospital, an ambulance taking a patient) →
// available; offduty for units out of service.
const (
	UnitAvailable    UnitStatus = "available"
	UnitDispatched   UnitStatus = "dispatched"
	UnitEnroute      UnitStatus = "enroute"
	UnitOnscene      UnitStatus = "onscene"
	UnitTransporting UnitStatus = "transporting"
	UnitAtHospital   UnitStatus = "at_hospital"
	UnitOffduty      UnitStatus = "offduty"
)

// UnitStatuses lists every unit status in work-cycle order.
var UnitStatuses = []UnitStatus{UnitAvailable, UnitDispatched, UnitEnroute, UnitOnscene, UnitTransporting, UnitAtHospital, UnitOffduty}

// WorkRank orders the statuses of a unit on an incident: it only moves
// forward (0: not a working status).
func (s UnitStatus) WorkRank() int {
	switch s {
	case UnitDispatched:
		return 1
	case UnitEnroute:
		return 2
	case UnitOnscene:
		return 3
	case UnitTransporting:
		return 4
	case UnitAtHospital:
		return 5
	}
	return 0
}

// Valid reports whether s is a known unit status.
func (s UnitStatus) Valid() bool { return slices.Contains(UnitStatuses, s) }

// Busy reports whether a unit in status s is working an incident.
func (s UnitStatus) Busy() bool {
	return s.WorkRank() > 0
}

// Hospital is where a transporting unit takes a patient: a point of
// interest of the city.
type Hospital struct {
	Name     string    `json:"name"`
	Location geo.Point `json:"location"`
}

// Unit is a vehicle or team that can be dispatched.
type Unit struct {
	ID       string   `json:"id"`
	Callsign string   `json:"callsign"`
	Type     UnitType `json:"type"`
	Agency   string   `json:"agency"`
	Station  string   `json:"station"`
	// Capabilities are what the unit carries or can do beyond its type
	// (pump, ladder, tanker, als, bls, boat, chainsaw): the city pack's
	// units.csv, matched by capability needs of a response plan.
	Capabilities []string   `json:"capabilities,omitempty"`
	Status       UnitStatus `json:"status"`
	StatusAt     time.Time  `json:"status_at"`
	Location     geo.Point  `json:"location"`
	PositionAt   time.Time  `json:"position_at"`
	Heading      *float64   `json:"heading,omitempty"`
	Speed        *float64   `json:"speed,omitempty"`
	Accuracy     *float64   `json:"accuracy,omitempty"`
	IncidentID   string     `json:"incident_id,omitempty"`
	// StatusBy is the dispatcher who set the current status on the crew's
	// behalf (a radio report); empty when the crew set it.
	StatusBy string `json:"status_by,omitempty"`
	// OutOfService is why the unit is off duty when a dispatcher took it
	// out of service (a breakdown); empty otherwise.
	OutOfService string `json:"out_of_service,omitempty"`
	// OffShift marks a unit the roster took out of service: no shift
	// covers now. The schedule puts it back when its next shift begins.
	OffShift bool `json:"off_shift,omitempty"`
	// Hospital is the destination while transporting or at the hospital.
	Hospital *Hospital `json:"hospital,omitempty"`
	// Post is where a dispatcher sent the free unit to wait (a move-up);
	// its next assignment ends it.
	Post *UnitPost `json:"post,omitempty"`
}

// UnitPost is a standby post a unit is sent to: a station of the city,
// and the kecamatan it covers from there that were uncovered.
type UnitPost struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Location geo.Point `json:"location"`
	Covers   []string  `json:"covers,omitempty"`
}

// Station is a base where units wait for work.
type Station struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Agency   string    `json:"agency"`
	Location geo.Point `json:"location"`
}

// Shift is one crew's time on a unit: [From, To).
type Shift struct {
	UnitID string `json:"unit_id"`
	// Crew are the people on the unit: the usernames of their unit
	// accounts (a crew member logging in is bound to this unit until
	// To), or names of those without one.
	Crew []string  `json:"crew"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Covers reports whether the shift is under way at t.
func (s Shift) Covers(t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }
