package cc112

import (
	"fmt"
	"strings"
	"time"

	"cc112/geo"
)

// Payloads of the core's journaled events, beside their names (events.go):
// the engine writes and applies them, the PostgreSQL projections read them.
// incident.created carries an Incident, unit.registered a Unit.

// UnitAssignedPayload is unit.assigned.
type UnitAssignedPayload struct {
	IncidentID string `json:"incident_id"`
	UnitID     string `json:"unit_id"`
	// The travel time predicted at dispatch and how (straight, road): kept
	// so that arrivals can be judged against it (late en route, ETA error).
	PredictedETAS float64 `json:"predicted_eta_s,omitempty"`
	ETAMethod     string  `json:"eta_method,omitempty"`
}

// UnitStatusPayload is unit.status: the crew's own report or, OnBehalf, a
// dispatcher's (By, Role) for a crew that reported by radio.
type UnitStatusPayload struct {
	UnitID   string     `json:"unit_id"`
	Status   UnitStatus `json:"status"`
	By       string     `json:"by,omitempty"`
	Role     string     `json:"role,omitempty"`
	OnBehalf bool       `json:"on_behalf,omitempty"`
	// Hospital is where a unit transporting a patient goes (transporting,
	// at_hospital).
	Hospital *Hospital `json:"hospital,omitempty"`
}

// UnitReleasedPayload is unit.released: one unit taken off an incident
// that stays open, by whom and why (the reason may be empty unless it was
// the incident's last unit). DivertedTo names the incident it was moved
// to: a unit.assigned there follows in the same command.
type UnitReleasedPayload struct {
	IncidentID string `json:"incident_id"`
	UnitID     string `json:"unit_id"`
	Reason     string `json:"reason,omitempty"`
	By         string `json:"by,omitempty"`
	Role       string `json:"role,omitempty"`
	DivertedTo string `json:"diverted_to,omitempty"`
}

// UnitServicePayload is unit.service: a free unit put out of service (off
// duty, with the reason: a breakdown, a crew short) or back in service.
type UnitServicePayload struct {
	UnitID    string `json:"unit_id"`
	InService bool   `json:"in_service"`
	Reason    string `json:"reason,omitempty"`
	By        string `json:"by,omitempty"`
	Role      string `json:"role,omitempty"`
	// Shift marks the roster's schedule doing it: a shift ended (out) or
	// began (back), not a dispatcher.
	Shift bool `json:"shift,omitempty"`
}

// IncidentAlarmPayload is incident.alarm: the incident's alarm raised to
// Level (2 or 3), whose extra needs are then recommended.
type IncidentAlarmPayload struct {
	IncidentID string `json:"incident_id"`
	Level      int    `json:"level"`
	By         string `json:"by,omitempty"`
	Role       string `json:"role,omitempty"`
}

// RosterSetPayload is roster.set: the unit's shifts from the event's time
// on. Shifts already over stay as they were; one under way is cut at the
// event's time, and the given shifts start no earlier than it.
type RosterSetPayload struct {
	UnitID string  `json:"unit_id"`
	Shifts []Shift `json:"shifts"`
	By     string  `json:"by,omitempty"`
	Role   string  `json:"role,omitempty"`
}

// RosterArchivedPayload is roster.archived: shifts of any units, each the
// oldest its unit holds in memory, ended before the sweep's cutoff.
type RosterArchivedPayload struct {
	Shifts []Shift `json:"shifts"`
}

// Check refuses what a journal cannot store as shifts: a shift without a
// unit (or one whose id holds a NUL, the embedded journal's separator) or
// that does not end after it begins.
func (p *RosterArchivedPayload) Check() error {
	for _, s := range p.Shifts {
		if s.UnitID == "" || strings.IndexByte(s.UnitID, 0) >= 0 || !s.To.After(s.From) {
			return fmt.Errorf("shift %q %s–%s is not a shift", s.UnitID, s.From.Format(time.RFC3339Nano), s.To.Format(time.RFC3339Nano))
		}
	}
	return nil
}

// UnitRelocatedPayload is unit.relocated: a free unit sent to wait at
// another post, which covers the kecamatan named in Covers that no free
// unit of its type covered.
type UnitRelocatedPayload struct {
	UnitID string   `json:"unit_id"`
	Post   UnitPost `json:"post"`
	By     string   `json:"by,omitempty"`
	Role   string   `json:"role,omitempty"`
}

// AssignmentAcknowledgedPayload is assignment.acknowledged: the unit tapped
// "Terima" on its active assignment to the incident.
type AssignmentAcknowledgedPayload struct {
	IncidentID string `json:"incident_id"`
	UnitID     string `json:"unit_id"`
}

// IncidentClosedPayload is incident.closed.
type IncidentClosedPayload struct {
	IncidentID  string `json:"incident_id"`
	Disposition string `json:"disposition"`
}

// IncidentNotedPayload is incident.noted: the note, with its author and
// time, as the command made it.
type IncidentNotedPayload struct {
	IncidentID string `json:"incident_id"`
	Note       Note   `json:"note"`
}

// IncidentCancelledPayload is incident.cancelled: closed as no response
// (units released), with the reason and who cancelled it.
type IncidentCancelledPayload struct {
	IncidentID string `json:"incident_id"`
	Reason     string `json:"reason"`
	By         string `json:"by,omitempty"`
	Role       string `json:"role,omitempty"`
}

// IncidentReopenedPayload is incident.reopened: a closed incident active
// again, with the reason and who reopened it.
type IncidentReopenedPayload struct {
	IncidentID string `json:"incident_id"`
	Reason     string `json:"reason"`
	By         string `json:"by,omitempty"`
	Role       string `json:"role,omitempty"`
}

// IncidentEditedPayload is incident.edited: the fields an edit changed,
// each with its new value (absent: unchanged), and who edited. A caller
// given empty ({}) clears it. District is the new location's.
type IncidentEditedPayload struct {
	IncidentID  string     `json:"incident_id"`
	By          string     `json:"by,omitempty"`
	Role        string     `json:"role,omitempty"`
	Category    *Category  `json:"category,omitempty"`
	Priority    *int       `json:"priority,omitempty"`
	Location    *geo.Point `json:"location,omitempty"`
	District    *string    `json:"district,omitempty"`
	Address     *string    `json:"address,omitempty"`
	Description *string    `json:"description,omitempty"`
	Caller      *Caller    `json:"caller,omitempty"`
	// OutOfArea confirms a new location outside the service area.
	OutOfArea *OutOfArea `json:"out_of_area,omitempty"`
}

// IncidentMergedPayload is incident.merged: the duplicate IncidentID is
// merged into Into (its callers, notes and units move there).
type IncidentMergedPayload struct {
	IncidentID string `json:"incident_id"`
	Into       string `json:"into"`
	By         string `json:"by,omitempty"`
	Role       string `json:"role,omitempty"`
}

// CallerLinkedPayload is incident.caller_linked: one more call reported
// the incident.
type CallerLinkedPayload struct {
	IncidentID string `json:"incident_id"`
	CallID     string `json:"call_id"`
}

// UnitMovedPayload is unit.moved (a sampled GPS fix).
type UnitMovedPayload struct {
	UnitID   string    `json:"unit_id"`
	Location geo.Point `json:"location"`
	Heading  *float64  `json:"heading,omitempty"`
	Speed    *float64  `json:"speed,omitempty"`
	Accuracy *float64  `json:"accuracy,omitempty"`
}

// CameraStatusPayload is camera.status.
type CameraStatusPayload struct {
	CameraID string       `json:"camera_id"`
	Status   CameraStatus `json:"status"`
}

// ImportSource is the source channel of imported (historical) incidents.
const ImportSource = "import"

// IncidentImportedPayload is incident.imported: one whole historical
// incident. Times are Unix milliseconds (0 = absent): RFC 3339 strings made
// up most of an import's encoding cost.
type IncidentImportedPayload struct {
	ExternalID  string    `json:"external_id"`
	ID          string    `json:"id"`
	Category    Category  `json:"category"`
	Priority    int       `json:"priority"`
	Location    geo.Point `json:"location"`
	District    string    `json:"district"`
	Address     string    `json:"address,omitempty"`
	Description string    `json:"description,omitempty"`
	ReceivedMs  int64     `json:"received_ms"`
	// CallReceivedMs is the call's answer where the source has it (0:
	// absent, the clock starts at ReceivedMs).
	CallReceivedMs int64                 `json:"call_received_ms,omitempty"`
	ClosedMs       int64                 `json:"closed_ms,omitempty"`
	Units          []ImportedUnitPayload `json:"units"`
}

// ImportedUnitPayload is one unit's timeline in an imported incident.
type ImportedUnitPayload struct {
	Callsign     string   `json:"callsign"`
	Type         UnitType `json:"type"`
	Agency       string   `json:"agency"`
	DispatchedMs int64    `json:"dispatched_ms,omitempty"`
	EnrouteMs    int64    `json:"enroute_ms,omitempty"`
	OnsceneMs    int64    `json:"onscene_ms,omitempty"`
	ClearedMs    int64    `json:"cleared_ms,omitempty"`
}

// Incident builds the historical incident: closed, numbered by its external
// id, its timeline the earliest of each step over its units, one assignment
// per unit (named by callsign: the units of the past are not registered).
func (p *IncidentImportedPayload) Incident() *Incident {
	inc := &Incident{
		ID: p.ID, Number: p.ExternalID, Category: p.Category, Priority: p.Priority,
		Status: IncidentClosed, Location: p.Location, District: p.District, Address: p.Address,
		Description: p.Description, Source: ImportSource, ReceivedAt: *FromMillis(p.ReceivedMs), CallReceivedAt: FromMillis(p.CallReceivedMs),
		ClosedAt: FromMillis(p.ClosedMs), Disposition: "imported", Assignments: make([]*Assignment, 0, len(p.Units)),
	}
	for _, u := range p.Units {
		a := &Assignment{
			Callsign: u.Callsign, Type: u.Type, Agency: u.Agency, Status: UnitDispatched,
			EnrouteAt: FromMillis(u.EnrouteMs), OnsceneAt: FromMillis(u.OnsceneMs), ClearedAt: FromMillis(u.ClearedMs),
		}
		dispatched := FromMillis(u.DispatchedMs)
		if dispatched != nil {
			a.DispatchedAt = *dispatched
		}
		switch {
		case a.OnsceneAt != nil:
			a.Status = UnitOnscene
		case a.EnrouteAt != nil:
			a.Status = UnitEnroute
		}
		inc.Assignments = append(inc.Assignments, a)
		inc.DispatchedAt = earliest(inc.DispatchedAt, dispatched)
		inc.EnrouteAt = earliest(inc.EnrouteAt, a.EnrouteAt)
		inc.OnsceneAt = earliest(inc.OnsceneAt, a.OnsceneAt)
	}
	return inc
}

// Millis is t in Unix milliseconds, 0 for nil.
func Millis(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis is the time of Unix milliseconds v in UTC, nil for 0.
func FromMillis(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := time.UnixMilli(v).UTC()
	return &t
}

func earliest(cur, t *time.Time) *time.Time {
	if t == nil || (cur != nil && !t.Before(*cur)) {
		return cur
	}
	return t
}

// alert.raised carries the Alert as raised.

// AlertAcknowledgedPayload is alert.acknowledged: who acknowledged it.
type AlertAcknowledgedPayload struct {
	AlertID string `json:"alert_id"`
	By      string `json:"by"`
	Role    string `json:"role,omitempty"`
}

// AlertClearedPayload is alert.cleared: its condition is gone.
type AlertClearedPayload struct {
	AlertID string `json:"alert_id"`
}

// PushKeysPayload is push.keys: the VAPID key pair (base64url) that signs
// every push, made on first start. The private key stays in the journal
// (protect it like the personal data there) and never leaves the server.
type PushKeysPayload struct {
	Public  string `json:"public"`
	Private string `json:"private"`
}

// PushSubscribedPayload is push.subscribed: a unit's browser subscription
// (the PushSubscription's endpoint and keys), by the user who made it.
type PushSubscribedPayload struct {
	UnitID   string `json:"unit_id"`
	Username string `json:"username"`
	Endpoint string `json:"endpoint"`
	P256dh   string `json:"p256dh"`
	Auth     string `json:"auth"`
}

// PushDroppedPayload is push.dropped: the push service answered Status
// (404 or 410): the subscription is gone.
type PushDroppedPayload struct {
	Endpoint string `json:"endpoint"`
	UnitID   string `json:"unit_id"`
	Status   int    `json:"status"`
}

// PageAckOverduePayload is page.ack_overdue: a dispatch its unit did not
// acknowledge in time (the alert), with the crew's SMS to send (its intent:
// journaled before sending, so that it goes exactly once). Key names the
// dispatch; To is empty when the unit has no crew phone.
type PageAckOverduePayload struct {
	Key   string     `json:"key"`
	Alert AckOverdue `json:"alert"`
	SMSID string     `json:"sms_id"`
	To    string     `json:"to,omitempty"`
	Text  string     `json:"text"`
}

// PageSMSPayload is page.sms_sent and page.sms_failed: the outcome of one
// attempt at the crew's SMS.
type PageSMSPayload struct {
	Key           string     `json:"key"`
	Skipped       bool       `json:"skipped,omitempty"`
	Error         string     `json:"error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// Edit is one entry of the city before and after a change: Before nil
// for an entry added, After nil for one removed (a unit retired).
type Edit[T any] struct {
	Before *T `json:"before,omitempty"`
	After  *T `json:"after,omitempty"`
}

// CityChangedPayload is city.changed: who changed the city (the event's
// time says when) and every entry changed, before and after.
type CityChangedPayload struct {
	By string `json:"by"`
	// Reason is why, when the admin gave one (retiring a unit needs one).
	Reason   string               `json:"reason,omitempty"`
	Agencies []Edit[Agency]       `json:"agencies,omitempty"`
	Stations []Edit[Station]      `json:"stations,omitempty"`
	Units    []Edit[Unit]         `json:"units,omitempty"`
	Plans    []Edit[CategoryPlan] `json:"plans,omitempty"`
}

// Empty reports whether the change changes nothing.
func (p *CityChangedPayload) Empty() bool {
	return len(p.Agencies)+len(p.Stations)+len(p.Units)+len(p.Plans) == 0
}

// IncidentDocumentPayload is incident.archived and incident.restored: the
// whole incident as the engine held it (the archive's document).
type IncidentDocumentPayload struct {
	Incident *Incident `json:"incident"`
}
