package cc112

import "time"

// AlertKind is the condition an alert is about.
type AlertKind string

// The alert kinds (issue 15): timers of the response and the city's cover.
const (
	AlertUnassigned     AlertKind = "unassigned"     // an incident waiting for a unit
	AlertUnacknowledged AlertKind = "unacknowledged" // a dispatched unit neither acknowledged nor en route
	AlertEnrouteLate    AlertKind = "enroute_late"   // en route longer than its ETA allows
	AlertOnsceneLong    AlertKind = "onscene_long"   // on scene longer than its category's limit
	AlertNoUnitType     AlertKind = "no_unit_type"   // an incident needs a type no unit of which is available
	AlertCoverageLow    AlertKind = "coverage_low"   // a district group below its minimum of an agency's units
)

// AlertKinds lists every alert kind.
var AlertKinds = []AlertKind{AlertUnassigned, AlertUnacknowledged, AlertEnrouteLate, AlertOnsceneLong, AlertNoUnitType, AlertCoverageLow}

// AlertSeverity says how loud an alert is: each has its own sound.
type AlertSeverity string

// Severities, loudest first.
const (
	SeverityCritical AlertSeverity = "critical"
	SeverityWarning  AlertSeverity = "warning"
	SeverityInfo     AlertSeverity = "info"
)

// AlertSeverities lists the severities, loudest first.
var AlertSeverities = []AlertSeverity{SeverityCritical, SeverityWarning, SeverityInfo}

// Alert is a condition that needs a dispatcher: raised when its timer is
// due, acknowledged by a dispatcher (the sound stops), cleared when the
// condition is gone. Key names the condition: at most one alert per key is
// open at a time.
type Alert struct {
	ID         string        `json:"id"`
	Kind       AlertKind     `json:"kind"`
	Severity   AlertSeverity `json:"severity"`
	Key        string        `json:"key"`
	IncidentID string        `json:"incident_id,omitempty"`
	UnitID     string        `json:"unit_id,omitempty"`
	// UnitType is the type no unit of which is available (no_unit_type);
	// Group and Agency the district group and agency below their minimum
	// (coverage_low).
	UnitType UnitType `json:"unit_type,omitempty"`
	Group    string   `json:"group,omitempty"`
	Agency   string   `json:"agency,omitempty"`
	// DueAt is when the condition's timer ran out; RaisedAt when the
	// leader saw it (the first check at or after DueAt).
	DueAt          time.Time  `json:"due_at"`
	RaisedAt       time.Time  `json:"raised_at"`
	AcknowledgedBy string     `json:"acknowledged_by"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ClearedAt      *time.Time `json:"cleared_at,omitempty"`
}

// Open reports whether the alert's condition still holds.
func (a *Alert) Open() bool { return a.ClearedAt == nil }

// Clone returns a copy safe to hand out.
func (a *Alert) Clone() *Alert {
	c := *a
	c.AcknowledgedAt = cloneTime(a.AcknowledgedAt)
	c.ClearedAt = cloneTime(a.ClearedAt)
	return &c
}
