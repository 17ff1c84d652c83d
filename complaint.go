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
var ComplaintChannels = []string{"web", "sms", "phone", "email", "social", "letter"}

// Complaint ratings the citizen gives the answer: satisfied closes the
// loop, not satisfied reopens the complaint to the desk.
const (
	RatingSatisfied    = "puas"
	RatingNotSatisfied = "tidak_puas"
)

// Forward states: an agency's team has the complaint (open), answered
// it, or said it is not theirs (rejected, with the reason).
const (
	ForwardOpen     = "open"
	ForwardAnswered = "answered"
	ForwardRejected = "rejected"
)

// Kinds of outbound message: the mayor's SMS for a missed response or a
// missed feedback, and the citizen's notices.
const (
	MessageResponse = "response"
	MessageFeedback = "feedback"
	MessageNotice   = "notice"
)

// ComplaintCategories are the non-emergency topics (Indonesian labels in
// the UI).
var ComplaintCategories = []string{"road", "drainage", "waste", "streetlight", "water", "electricity",
	"public_order", "traffic", "parks", "civil_registry", "health", "other"}

// Complaint is one non-emergency report and what became of it.
type Complaint struct {
	ID      string `json:"id"`
	Number  string `json:"number"`
	Channel string `json:"channel"`
	Name    string `json:"name,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
	// Source names the bridge of a social or chat complaint (whatsapp, …);
	// MessageID an e-mail's Message-ID (a mail is filed once).
	Source        string       `json:"source,omitempty"`
	MessageID     string       `json:"message_id,omitempty"`
	Attachments   []Attachment `json:"attachments,omitempty"`
	Kelurahan     string       `json:"kelurahan,omitempty"`
	Text          string       `json:"text"`
	Category      string       `json:"category"`
	Location      *geo.Point   `json:"location,omitempty"`
	District      string       `json:"district,omitempty"`
	Status        string       `json:"status"`
	ReceivedAt    time.Time    `json:"received_at"`
	FeedbackDueAt time.Time    `json:"feedback_due_at"`
	Agency        string       `json:"agency,omitempty"`
	ForwardedAt   *time.Time   `json:"forwarded_at,omitempty"`
	ResponseDueAt *time.Time   `json:"response_due_at,omitempty"`
	Response      string       `json:"response,omitempty"`
	RespondedAt   *time.Time   `json:"responded_at,omitempty"`
	Feedback      string       `json:"feedback,omitempty"`
	FeedbackAt    *time.Time   `json:"feedback_at,omitempty"`
	EscalatedAt   *time.Time   `json:"escalated_at,omitempty"`
	Escalation    *Escalation  `json:"escalation,omitempty"`
	TokenHash     string       `json:"token_hash,omitempty"` // journal only; never sent to a client

	// Forwards are the agencies the complaint went to, each with its own
	// response SLA; Agency, ForwardedAt and ResponseDueAt are the first's.
	Forwards []Forward `json:"forwards,omitempty"`
	// Citizen is who filed it across channels (a phone, else an e-mail);
	// SameCitizen the numbers of their earlier complaints, RepeatOf the
	// number of the first complaint about the same place and topic.
	Citizen     string   `json:"citizen,omitempty"`
	SameCitizen []string `json:"same_citizen,omitempty"`
	RepeatOf    string   `json:"repeat_of,omitempty"`
	// TriageDueAt: the desk forwards it by then, or a supervisor is
	// alerted (TriageAlertAt).
	TriageDueAt   time.Time  `json:"triage_due_at"`
	TriageAlertAt *time.Time `json:"triage_alert_at,omitempty"`
	// The citizen's verdict on the answer; not satisfied reopens it.
	Rating     string     `json:"rating,omitempty"`
	RatingText string     `json:"rating_text,omitempty"`
	RatedAt    *time.Time `json:"rated_at,omitempty"`
	Reopened   int        `json:"reopened,omitempty"`
	ReopenedAt *time.Time `json:"reopened_at,omitempty"`
	// Messages are every outbound message (the mayor's SMS, the citizen's
	// notices) with their delivery; Escalation is the first response one.
	Messages []*Escalation `json:"messages,omitempty"`
}

// Forward is the complaint at one agency's complaint team.
type Forward struct {
	Agency        string     `json:"agency"`
	Status        string     `json:"status"`
	ForwardedAt   time.Time  `json:"forwarded_at"`
	ResponseDueAt time.Time  `json:"response_due_at"`
	Response      string     `json:"response,omitempty"`
	RespondedAt   *time.Time `json:"responded_at,omitempty"`
	Reason        string     `json:"reason,omitempty"` // why it is not theirs (rejected)
	EscalatedAt   *time.Time `json:"escalated_at,omitempty"`
}

// Attachment is a file that came with a complaint (an e-mailed photo).
// Data is journaled but only sent to the desk on its own route.
type Attachment struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
	Data   []byte `json:"data,omitempty"`
}

// HasAgency reports whether the complaint was forwarded to agency.
func (c *Complaint) HasAgency(agency string) bool {
	for _, f := range c.Forwards {
		if f.Agency == agency {
			return true
		}
	}
	return agency != "" && c.Agency == agency
}

// Escalation is the SMS to the mayor about a missed response SLA: journaled
// as an intent, then each attempt's result (the outbox).
type Escalation struct {
	ID            string     `json:"id"` // the SMS id: stable across retries and restarts
	To            string     `json:"to"`
	Text          string     `json:"text"`
	Kind          string     `json:"kind,omitempty"`    // response (default), feedback or notice
	Agency        string     `json:"agency,omitempty"`  // the agency a response escalation is about
	Channel       string     `json:"channel,omitempty"` // sms (default) or email
	Subject       string     `json:"subject,omitempty"` // an e-mail's
	Status        string     `json:"status"`            // pending, sent or skipped (no mayor phone)
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
	v.Forwards = append([]Forward(nil), c.Forwards...)
	v.SameCitizen = append([]string(nil), c.SameCitizen...)
	v.Attachments = make([]Attachment, len(c.Attachments))
	for i, a := range c.Attachments {
		a.Data = nil
		v.Attachments[i] = a
	}
	if len(c.Attachments) == 0 {
		v.Attachments = nil
	}
	v.Messages = nil
	v.Escalation = nil
	for _, m := range c.Messages {
		e := *m
		v.Messages = append(v.Messages, &e)
		if c.Escalation != nil && m.ID == c.Escalation.ID {
			v.Escalation = &e
		}
	}
	if c.Escalation != nil && v.Escalation == nil {
		e := *c.Escalation
		v.Escalation = &e
	}
	return &v
}

// Overdue reports whether an SLA of the complaint is missed at now: the
// desk's forward (triage), an agency's response or the citizen's feedback.
func (c *Complaint) Overdue(now time.Time) bool {
	if c.Status == ComplaintReceived && !c.TriageDueAt.IsZero() && !now.Before(c.TriageDueAt) {
		return true
	}
	if c.Status == ComplaintForwarded {
		for _, f := range c.Forwards {
			if f.Status == ForwardOpen && !now.Before(f.ResponseDueAt) {
				return true
			}
		}
		if len(c.Forwards) == 0 && c.ResponseDueAt != nil && !now.Before(*c.ResponseDueAt) {
			return true
		}
	}
	return c.Status != ComplaintClosed && !now.Before(c.FeedbackDueAt)
}

// For returns the complaint as v may see it: the desk (dispatchers and
// supervisors) sees every complaint, an agency team those forwarded to its
// agency, nobody else any (nil).
func (c *Complaint) For(v Viewer) *Complaint {
	if v.Sight == SeeAll || (v.Sight == SeeAgency && v.Agency != "" && c.HasAgency(v.Agency)) {
		return c
	}
	return nil
}

// ViewName and View implement Viewed: whole or not at all.
func (c *Complaint) ViewName(v Viewer) string { return WholeOrHidden(c.For(v) != nil) }
func (c *Complaint) View(v Viewer) any        { return c.For(v) }

// ComplaintStepPayload is complaint.forwarded (Agency, or Agencies at
// once), complaint.responded (Text, by Agency; none: the first open
// forward), complaint.feedback (Text), complaint.reforwarded (from Agency
// to Agencies, Text the reason), complaint.rated (Rating, Text) and
// complaint.triage_overdue.
type ComplaintStepPayload struct {
	ComplaintID string   `json:"complaint_id"`
	Agency      string   `json:"agency,omitempty"`
	Agencies    []string `json:"agencies,omitempty"`
	Text        string   `json:"text,omitempty"`
	Rating      string   `json:"rating,omitempty"`
}

// MailQuarantined is complaint.mail_quarantined: an e-mail that could not
// become a complaint, kept with the reason (never dropped silently).
type MailQuarantined struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Source    string    `json:"source"` // imap or webhook
	From      string    `json:"from,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	Size      int       `json:"size"`
	Reason    string    `json:"reason"`
	Raw       []byte    `json:"raw,omitempty"` // the first MaxQuarantinedRaw bytes
}

// ComplaintEscalationPayload is complaint.escalation_due (the SMS to the
// mayor: To, Text) and its outcome, complaint.escalation_sent or _failed
// (Skipped without a mayor phone, Error and NextAttemptAt on failure).
//
// complaint.notice_due is a notice to the citizen in the same form, and
// its outcome the same two events. Kind says which message it is (none:
// the response escalation, as journaled before kinds existed); Agency the
// agency a response escalation is about (none: the first forward).
type ComplaintEscalationPayload struct {
	ComplaintID   string     `json:"complaint_id"`
	EscalationID  string     `json:"escalation_id"`
	Kind          string     `json:"kind,omitempty"`
	Agency        string     `json:"agency,omitempty"`
	Channel       string     `json:"channel,omitempty"`
	Subject       string     `json:"subject,omitempty"`
	To            string     `json:"to,omitempty"`
	Text          string     `json:"text,omitempty"`
	Skipped       bool       `json:"skipped,omitempty"`
	Error         string     `json:"error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// Clone is a copy of q that shares nothing with it.
func (q *MailQuarantined) Clone() *MailQuarantined {
	v := *q
	v.Raw = append([]byte(nil), q.Raw...)
	return &v
}
