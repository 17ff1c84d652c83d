package cc112

import (
	"slices"
	"strings"
	"time"
)

// Message is a text between the command center and its field units: a
// dispatcher's to one unit, to every unit of an agency or to the units
// working an incident, or a unit's to the center. Units lists who it
// reached when it was sent (an agency's units, an incident's), so that it
// stays with them whatever happens later.
type Message struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	From       string    `json:"from"`      // the sender's username
	FromRole   string    `json:"from_role"` // dispatcher, supervisor, unit
	FromUnit   string    `json:"from_unit,omitempty"`
	ToUnit     string    `json:"to_unit,omitempty"`
	ToAgency   string    `json:"to_agency,omitempty"`
	ToIncident string    `json:"to_incident,omitempty"`
	Units      []string  `json:"units"`
	Text       string    `json:"text"`
	// Canned names a status message from CannedMessages ("" for free text).
	Canned string `json:"canned,omitempty"`
}

// MaxMessage is the longest message in characters: a phone screen's worth.
const MaxMessage = 1000

// CannedMessages are the status messages a crew sends with one tap, by key,
// in the words the center reads.
var CannedMessages = map[string]string{
	"need_help":           "Butuh bantuan",
	"traffic_jam":         "Jalan macet",
	"patient_to_hospital": "Korban dibawa ke RS",
}

// CheckMessage checks a message's text and returns it without surrounding
// blanks.
func CheckMessage(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", Errorf(EInvalid, "text is required: a message cannot be empty")
	}
	if err := CheckLines("text", text, MaxMessage); err != nil {
		return "", err
	}
	return text, nil
}

// Reaches reports whether the message is to or from unit.
func (m *Message) Reaches(unit string) bool {
	return unit != "" && (m.FromUnit == unit || slices.Contains(m.Units, unit))
}

// AckOverdue is the alert that a unit did not acknowledge its dispatch in
// time: the center is told, the crew gets an SMS.
type AckOverdue struct {
	IncidentID   string    `json:"incident_id"`
	Number       string    `json:"number"`
	UnitID       string    `json:"unit_id"`
	Callsign     string    `json:"callsign"`
	DispatchedAt time.Time `json:"dispatched_at"`
	At           time.Time `json:"at"`
}
