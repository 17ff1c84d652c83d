package cc112

import (
	"time"

	"cc112/geo"
)

// Complaint statuses: received by the Media Center, forwarded to an
// agency's complaint team (TPKPM), responded by the agency, closed once
// the citizen got feedback.
const (
	ComplaintReceived  = "received"
	ComplaintForwarded = "forwarded"
	ComplaintResponded = "responded"
	ComplaintClosed    = "closed"
)

// ComplaintStatuses lists every complaint status in life order.
var ComplaintStatuses = []string{ComplaintReceived, ComplaintForwarded, ComplaintResponded, ComplaintClosed}

// ComplaintChannels are the ways a complaint reaches the Media Center.
var ComplaintChannels = []string{"web", "sms", "phone", "email", "social"}

// ComplaintCategories are the non-emergency topics (Indonesian labels in
// the UI).
var ComplaintCategories = []string{"road", "drainage", "waste", "streetlight", "water", "electricity",
	"public_order", "traffic", "parks", "civil_registry", "health", "other"}

// Complaint is one non-emergency report and what became of it.
type Complaint struct {
	ID            string      `json:"id"`
	Number        string      `json:"number"`
	Channel       string      `json:"channel"`
	Name          string      `json:"name,omitempty"`
	Phone         string      `json:"phone,omitempty"`
	Text          string      `json:"text"`
	Category      string      `json:"category"`
	Location      *geo.Point  `json:"location,omitempty"`
	District      string      `json:"district,omitempty"`
	Status        string      `json:"status"`
	ReceivedAt    time.Time   `json:"received_at"`
	FeedbackDueAt time.Time   `json:"feedback_due_at"`
	Agency        string      `json:"agency,omitempty"`
	ForwardedAt   *time.Time  `json:"forwarded_at,omitempty"`
	ResponseDueAt *time.Time  `json:"response_due_at,omitempty"`
	Response      string      `json:"response,omitempty"`
	RespondedAt   *time.Time  `json:"responded_at,omitempty"`
	Feedback      string      `json:"feedback,omitempty"`
	FeedbackAt    *time.Time  `json:"feedback_at,omitempty"`
	EscalatedAt   *time.Time  `json:"escalated_at,omitempty"`
	Escalation    *Escalation `json:"escalation,omitempty"`
	TokenHash     string      `json:"token_hash,omitempty"` // journal only; never sent to a client
}

// Escalation is the SMS to the mayor about a missed response SLA: journaled
// as an intent, then each attempt's result (the outbox).
type Escalation struct {
	ID            string     `json:"id"` // the SMS id: stable across retries and restarts
	To            string     `json:"to"`
	Text          string     `json:"text"`
	Status        string     `json:"status"` // pending, sent or skipped (no mayor phone)
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
}

// Clone is a copy that shares nothing with c, without the token hash.
func (c *Complaint) Clone() *Complaint {
	v := *c
	v.TokenHash = ""
	if c.Location != nil {
		p := *c.Location
		v.Location = &p
	}
	if c.Escalation != nil {
		e := *c.Escalation
		v.Escalation = &e
	}
	return &v
}

// Overdue reports whether an SLA of the complaint is missed at now: the
// agency's response or the citizen's feedback.
func (c *Complaint) Overdue(now time.Time) bool {
	if c.Status == ComplaintForwarded && c.ResponseDueAt != nil && !now.Before(*c.ResponseDueAt) {
		return true
	}
	return c.Status != ComplaintClosed && !now.Before(c.FeedbackDueAt)
}

// For returns the complaint as v may see it: the desk (dispatchers and
// supervisors) sees every complaint, an agency team those forwarded to its
// agency, nobody else any (nil).
func (c *Complaint) For(v Viewer) *Complaint {
	if v.Sight == SeeAll || (v.Sight == SeeAgency && v.Agency != "" && c.Agency == v.Agency) {
		return c
	}
	return nil
}

// ViewName and View implement Viewed: whole or not at all.
func (c *Complaint) ViewName(v Viewer) string { return WholeOrHidden(c.For(v) != nil) }
func (c *Complaint) View(v Viewer) any        { return c.For(v) }

// ComplaintStepPayload is complaint.forwarded (Agency), complaint.responded
// and complaint.feedback (Text).
type ComplaintStepPayload struct {
	ComplaintID string `json:"complaint_id"`
	Agency      string `json:"agency,omitempty"`
	Text        string `json:"text,omitempty"`
}

// ComplaintEscalationPayload is complaint.escalation_due (the SMS to the
// mayor: To, Text) and its outcome, complaint.escalation_sent or _failed
// (Skipped without a mayor phone, Error and NextAttemptAt on failure).
type ComplaintEscalationPayload struct {
	ComplaintID   string     `json:"complaint_id"`
	EscalationID  string     `json:"escalation_id"`
	To            string     `json:"to,omitempty"`
	Text          string     `json:"text,omitempty"`
	Skipped       bool       `json:"skipped,omitempty"`
	Error         string     `json:"error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}
