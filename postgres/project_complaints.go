package postgres

import (
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112"
)

// complaintPayload holds what the reports need of a new complaint; the
// reporter's name and phone and the token hash are left in the journal.
type complaintPayload struct {
	ID         string    `json:"id"`
	Number     string    `json:"number"`
	Channel    string    `json:"channel"`
	Text       string    `json:"text"`
	Category   string    `json:"category"`
	District   string    `json:"district"`
	ReceivedAt time.Time `json:"received_at"`
}

type complaintRef struct {
	ComplaintID string `json:"complaint_id"`
	Agency      string `json:"agency"`
}

// projectComplaintReceived adds a complaint with the number it was
// journaled with (cc112.DayNumbers).
func projectComplaintReceived(b *pgx.Batch, ev cc112.Event) error {
	var p complaintPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	b.Queue(`insert into complaints (id, number, channel, category, district, status, text, received_at, last_seq)
		values ($1, $2, $3, $4, $5, 'received', $6, $7, $8)`,
		p.ID, p.Number, p.Channel, p.Category, p.District, p.Text, p.ReceivedAt, int64(ev.Seq))
	return nil
}

// projectComplaintStep records a forward, an answer, the feedback (which
// closes the complaint) or an escalation to the mayor.
func projectComplaintStep(b *pgx.Batch, ev cc112.Event) error {
	seq, at := int64(ev.Seq), ev.At
	var p complaintRef
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	switch ev.Type {
	case cc112.EvComplaintForwarded:
		b.Queue(`update complaints set status = 'forwarded', agency = $2, forwarded_at = $3, last_seq = $4 where id = $1`,
			p.ComplaintID, p.Agency, at, seq)
	case cc112.EvComplaintResponded:
		b.Queue(`update complaints set status = 'responded', responded_at = $2, last_seq = $3 where id = $1`, p.ComplaintID, at, seq)
	case cc112.EvComplaintFeedback:
		b.Queue(`update complaints set status = 'closed', feedback_at = $2, last_seq = $3 where id = $1`, p.ComplaintID, at, seq)
	case cc112.EvComplaintEscalationDue:
		b.Queue(`update complaints set escalated_at = $2, last_seq = $3 where id = $1`, p.ComplaintID, at, seq)
	}
	return nil
}
