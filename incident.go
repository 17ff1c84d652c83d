package cc112

import (
	"sort"
	"strings"
	"time"

	"cc112/geo"
)

// IncidentStatus is where an incident is in its life.
type IncidentStatus string

// Incident statuses: new → dispatched → enroute → onscene → closed.
const (
	IncidentNew        IncidentStatus = "new"
	IncidentDispatched IncidentStatus = "dispatched"
	IncidentEnroute    IncidentStatus = "enroute"
	IncidentOnscene    IncidentStatus = "onscene"
	IncidentClosed     IncidentStatus = "closed"
)

// IncidentStatuses lists every incident status in life order.
var IncidentStatuses = []IncidentStatus{IncidentNew, IncidentDispatched, IncidentEnroute, IncidentOnscene, IncidentClosed}

// Priorities run from MinPriority (the most urgent) to MaxPriority.
const (
	MinPriority = 1
	MaxPriority = 5
)

// Category classifies an incident; the response plan says which units it needs.
type Category string

// Categories (DESIGN.md §3).
const (
	CatFire            Category = "fire"
	CatTrafficAccident Category = "traffic_accident"
	CatFlood           Category = "flood"
	CatFallenTree      Category = "fallen_tree"
	CatGasLeak         Category = "gas_leak"
	CatTornado         Category = "tornado"
	CatSocialConflict  Category = "social_conflict"
	CatCrime           Category = "crime"
	CatMissingPerson   Category = "missing_person"
	CatMedical         Category = "medical"
	CatMentalHealth    Category = "mental_health"
	CatAnimal          Category = "animal"
	CatInfrastructure  Category = "infrastructure"
	CatOther           Category = "other"
)

// Categories lists every category in display order (DESIGN.md §3).
var Categories = []Category{CatFire, CatTrafficAccident, CatFlood, CatFallenTree, CatGasLeak, CatTornado,
	CatSocialConflict, CatCrime, CatMissingPerson, CatMedical, CatMentalHealth, CatAnimal, CatInfrastructure, CatOther}

// defaultPriority is each category's usual priority: the intake forms
// preselect it (one keystroke less in the common cases), the call-taker
// may always change it.
var defaultPriority = map[Category]int{
	CatFire: 1, CatTrafficAccident: 1, CatMedical: 1, CatGasLeak: 1, CatTornado: 1,
	CatFlood: 2, CatSocialConflict: 2, CatCrime: 2, CatMentalHealth: 2,
	CatMissingPerson: 3, CatFallenTree: 3, CatInfrastructure: 3, CatOther: 3,
	CatAnimal: 4,
}

// DefaultPriority is the priority the intake forms offer for c; a category
// without one (added to a configured plan) gets 3.
func (c Category) DefaultPriority() int {
	if p, ok := defaultPriority[c]; ok {
		return p
	}
	return 3
}

// Need is one line of a response plan: Count units of Type, or Count units
// that have Capability (a city pack's "2 × pump"); a need names one of the
// two. One unit may fill several capability needs.
type Need struct {
	Type       UnitType `json:"type,omitempty"`
	Capability string   `json:"capability,omitempty"`
	Count      int      `json:"count"`
}

// ResponsePlan maps each category to the units it needs, in dispatch order:
// what alarm level 1 sends.
type ResponsePlan map[Category][]Need

// AlarmLevels is what raising an incident's alarm adds to the response
// plan, per category: index 0 holds the extra needs of level 2, index 1
// those of level 3. A category without an entry has no extra levels.
type AlarmLevels map[Category][2][]Need

// DefaultResponsePlan is the plan of DESIGN.md §3.
func DefaultResponsePlan() ResponsePlan {
	return ResponsePlan{
		CatFire:            {{Type: UnitFire, Count: 2}, {Type: UnitPolice, Count: 1}},
		CatTrafficAccident: {{Type: UnitPolice, Count: 1}, {Type: UnitAmbulance, Count: 1}},
		CatFlood:           {{Type: UnitRescue, Count: 1}, {Type: UnitDKP, Count: 1}},
		CatFallenTree:      {{Type: UnitDKP, Count: 1}},
		CatGasLeak:         {{Type: UnitFire, Count: 1}, {Type: UnitPolice, Count: 1}},
		CatTornado:         {{Type: UnitRescue, Count: 1}, {Type: UnitDKP, Count: 1}, {Type: UnitPolice, Count: 1}},
		CatSocialConflict:  {{Type: UnitPolice, Count: 2}},
		CatCrime:           {{Type: UnitPolice, Count: 1}},
		CatMissingPerson:   {{Type: UnitPolice, Count: 1}},
		CatMedical:         {{Type: UnitAmbulance, Count: 1}},
		CatMentalHealth:    {{Type: UnitPolice, Count: 1}, {Type: UnitAmbulance, Count: 1}},
		CatAnimal:          {{Type: UnitFire, Count: 1}},
		CatInfrastructure:  {{Type: UnitDKP, Count: 1}},
		CatOther:           {{Type: UnitPolice, Count: 1}},
	}
}

// Channels through which a report reaches the center.
var Channels = []string{"phone", "sms", "web", "social", "walkin", "radio", "cctv"}

// Caller is the person who reported an incident.
type Caller struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	NIK   string `json:"nik,omitempty"`
}

// Empty reports whether nothing is known of the caller.
func (c *Caller) Empty() bool { return c == nil || (c.Name == "" && c.Phone == "" && c.NIK == "") }

// Assignment is one unit's part in an incident, with its own timeline.
type Assignment struct {
	UnitID       string     `json:"unit_id"`
	Callsign     string     `json:"callsign"`
	Type         UnitType   `json:"type"`
	Agency       string     `json:"agency"`
	Status       UnitStatus `json:"status"`
	DispatchedAt time.Time  `json:"dispatched_at"`
	// AcknowledgedAt is when the unit tapped "Terima" on its phone.
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	EnrouteAt      *time.Time `json:"enroute_at,omitempty"`
	OnsceneAt      *time.Time `json:"onscene_at,omitempty"`
	ClearedAt      *time.Time `json:"cleared_at,omitempty"`
	// PredictedETAS is the travel time the recommender predicted at dispatch
	// (0 for history imported without one); ETAMethod says how it was made.
	PredictedETAS float64 `json:"predicted_eta_s,omitempty"`
	ETAMethod     string  `json:"eta_method,omitempty"`
}

// Active reports whether the unit is still working the incident.
func (a *Assignment) Active() bool { return a.ClearedAt == nil }

// Incident is one emergency, from the call to its closing.
type Incident struct {
	ID          string         `json:"id"`
	Number      string         `json:"number"`
	Category    Category       `json:"category"`
	Priority    int            `json:"priority"`
	Status      IncidentStatus `json:"status"`
	Location    geo.Point      `json:"location"`
	District    string         `json:"district"`
	Address     string         `json:"address,omitempty"`
	Description string         `json:"description,omitempty"`
	Caller      *Caller        `json:"caller,omitempty"`
	// Callers counts the calls that reported this incident ("12 callers,
	// one fire"): the first one and every duplicate linked to it.
	Callers    int       `json:"callers"`
	Source     string    `json:"source"`
	ReceivedAt time.Time `json:"received_at"`
	// CallReceivedAt is when the 112 call this incident was made from was
	// answered: the response clock starts there (NFPA 1225, NENA), so call
	// handling counts. Absent for incidents not made from a call.
	CallReceivedAt *time.Time    `json:"call_received_at,omitempty"`
	DispatchedAt   *time.Time    `json:"dispatched_at,omitempty"`
	EnrouteAt      *time.Time    `json:"enroute_at,omitempty"`
	OnsceneAt      *time.Time    `json:"onscene_at,omitempty"`
	ClosedAt       *time.Time    `json:"closed_at,omitempty"`
	Disposition    string        `json:"disposition,omitempty"`
	Assignments    []*Assignment `json:"assignments"`
	// Cancelled marks an incident closed by a cancel (a false alarm, a
	// duplicate): not a response, so no response-time metric counts it.
	Cancelled bool `json:"cancelled,omitempty"`
	// MergedInto is the incident a duplicate was merged into (it is then
	// closed and cancelled: its callers, notes and units went there).
	MergedInto string `json:"merged_into,omitempty"`
	// Notes is the incident's narrative, oldest first (incident.noted).
	Notes []Note `json:"notes,omitempty"`
	// Changes are the steps of its record that its times do not hold:
	// edits, cancels, reopenings and the closings they undid.
	Changes []Change `json:"changes,omitempty"`
	// OutOfArea is the confirmation that let its location lie outside the
	// service area (the latest, when an edit moved it out again).
	OutOfArea *OutOfArea `json:"out_of_area,omitempty"`
	// AlarmLevel is 2 or 3 once a dispatcher raised the alarm (the
	// category's AlarmLevels add their needs); 0 is level 1, the plan.
	AlarmLevel int `json:"alarm_level,omitempty"`
}

// OutOfArea is a user's confirmation of a location outside the service
// area: a typo there sends units hours away, so it takes a reason, and
// the journal keeps who gave it.
type OutOfArea struct {
	At        time.Time `json:"at"`
	Reason    string    `json:"reason"`
	By        string    `json:"by,omitempty"`
	Role      string    `json:"role,omitempty"`
	DistanceM float64   `json:"distance_m"` // beyond the districts
}

// ClockStart is where the response clock starts: the call's answer when
// the incident was made from a call, else when it was saved.
func (i *Incident) ClockStart() time.Time {
	if i.CallReceivedAt != nil {
		return *i.CallReceivedAt
	}
	return i.ReceivedAt
}

// Change is one journaled change to an incident's record, with who made it.
type Change struct {
	At     time.Time     `json:"at"`
	Event  string        `json:"event"` // edited, cancelled, reopened, closed (a closing a reopening undid), released, diverted, alarm
	By     string        `json:"by,omitempty"`
	Role   string        `json:"role,omitempty"`
	Reason string        `json:"reason,omitempty"`
	Fields []FieldChange `json:"fields,omitempty"`
	// UnitID and Callsign name the unit a release or a diversion took off.
	UnitID   string `json:"unit_id,omitempty"`
	Callsign string `json:"callsign,omitempty"`
}

// FieldChange is one field an edit changed. A caller's data is personal:
// its change is recorded by field name only, never its values.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// LogEntry is one line of an incident's activity log: a step of its
// timeline, a note, or a change.
type LogEntry struct {
	At       time.Time     `json:"at"`
	Event    string        `json:"event"`
	UnitID   string        `json:"unit_id,omitempty"`
	Callsign string        `json:"callsign,omitempty"`
	By       string        `json:"by,omitempty"`
	Role     string        `json:"role,omitempty"`
	Text     string        `json:"text,omitempty"` // a note's text, a change's reason
	Internal bool          `json:"internal,omitempty"`
	Fields   []FieldChange `json:"fields,omitempty"`
}

// Log is the incident's activity log, oldest first: its timeline, its
// notes and its changes in one list, derived from what the incident holds
// (call it on a viewer's view: a view without internal notes logs none).
func (i *Incident) Log() []LogEntry {
	tl := i.Timeline()
	out := make([]LogEntry, 0, len(tl)+len(i.Notes)+len(i.Changes))
	for _, e := range tl {
		out = append(out, LogEntry{At: e.At, Event: e.Event, UnitID: e.UnitID, Callsign: e.Callsign})
	}
	for _, n := range i.Notes {
		out = append(out, LogEntry{At: n.At, Event: "note", By: n.Author, Role: n.Role, Text: n.Text, Internal: n.Internal})
	}
	for _, c := range i.Changes {
		out = append(out, LogEntry{At: c.At, Event: c.Event, By: c.By, Role: c.Role, Text: c.Reason, Fields: c.Fields,
			UnitID: c.UnitID, Callsign: c.Callsign})
	}
	if o := i.OutOfArea; o != nil && o.At.Equal(i.ReceivedAt) { // an edit's confirmation is its change's reason
		out = append(out, LogEntry{At: o.At, Event: "out_of_area_confirmed", By: o.By, Role: o.Role, Text: o.Reason})
	}
	sort.SliceStable(out, func(x, y int) bool { return out[x].At.Before(out[y].At) })
	return out
}

// CancelledPrefix starts a cancelled incident's disposition.
const CancelledPrefix = "cancelled: "

// OutOfAreaPrefix starts the reason of an edit that moved an incident
// outside the service area (the confirmation's reason follows).
const OutOfAreaPrefix = "outside the service area: "

// MaxNote is the longest note, in characters.
const MaxNote = 4000

// Note is one entry of an incident's narrative: who wrote it, in which
// role, and when. An internal note is for the command center's staff only:
// police, units and the public never see it (Incident.For).
type Note struct {
	ID       string    `json:"id"`
	Author   string    `json:"author"`
	Role     string    `json:"role"`
	Text     string    `json:"text"`
	Internal bool      `json:"internal,omitempty"`
	At       time.Time `json:"at"`
}

// CheckNote checks a note's text and returns it without surrounding
// blanks: something must be said, on at most MaxNote characters.
func CheckNote(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", Errorf(EInvalid, "text is required: a note cannot be empty")
	}
	if err := CheckLines("text", text, MaxNote); err != nil {
		return "", err
	}
	return text, nil
}

// Active reports whether the incident is still open.
func (i *Incident) Active() bool { return i.Status != IncidentClosed }

// Clone returns a deep copy, safe to hand out of the engine.
func (i *Incident) Clone() *Incident {
	c := *i
	if i.Caller != nil {
		cc := *i.Caller
		c.Caller = &cc
	}
	c.CallReceivedAt = cloneTime(i.CallReceivedAt)
	c.DispatchedAt = cloneTime(i.DispatchedAt)
	c.EnrouteAt = cloneTime(i.EnrouteAt)
	c.OnsceneAt = cloneTime(i.OnsceneAt)
	c.ClosedAt = cloneTime(i.ClosedAt)
	if i.Notes != nil {
		c.Notes = append([]Note(nil), i.Notes...)
	}
	if i.Changes != nil {
		c.Changes = append([]Change(nil), i.Changes...) // Fields are never changed once recorded
	}
	if i.OutOfArea != nil {
		o := *i.OutOfArea
		c.OutOfArea = &o
	}
	c.Assignments = make([]*Assignment, len(i.Assignments))
	for k, a := range i.Assignments {
		ac := *a
		ac.EnrouteAt = cloneTime(a.EnrouteAt)
		ac.OnsceneAt = cloneTime(a.OnsceneAt)
		ac.AcknowledgedAt = cloneTime(a.AcknowledgedAt)
		ac.ClearedAt = cloneTime(a.ClearedAt)
		c.Assignments[k] = &ac
	}
	return &c
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}

// TimelineEntry is one step of an incident's timeline: the incident's own
// milestones (received, dispatched, enroute, onscene: the first unit's;
// closed) and each unit's (dispatched, enroute, onscene, cleared), with
// the unit.
type TimelineEntry struct {
	At       time.Time `json:"at"`
	Event    string    `json:"event"`
	UnitID   string    `json:"unit_id,omitempty"`
	Callsign string    `json:"callsign,omitempty"`
}

// Timeline lists the incident's steps, oldest first (the incident's own
// before its units' at the same instant). It is derived from the times
// the incident and its assignments keep, so it is never out of step with
// them.
func (i *Incident) Timeline() []TimelineEntry {
	var out []TimelineEntry
	add := func(at *time.Time, event string, a *Assignment) {
		if at == nil {
			return
		}
		e := TimelineEntry{At: *at, Event: event}
		if a != nil {
			e.UnitID, e.Callsign = a.UnitID, a.Callsign
		}
		out = append(out, e)
	}
	add(&i.ReceivedAt, "received", nil)
	add(i.DispatchedAt, "dispatched", nil)
	add(i.EnrouteAt, "enroute", nil)
	add(i.OnsceneAt, "onscene", nil)
	add(i.ClosedAt, "closed", nil)
	for _, a := range i.Assignments {
		add(&a.DispatchedAt, "dispatched", a)
		add(a.EnrouteAt, "enroute", a)
		add(a.OnsceneAt, "onscene", a)
		add(a.ClearedAt, "cleared", a)
	}
	sort.SliceStable(out, func(x, y int) bool { return out[x].At.Before(out[y].At) })
	return out
}
