package postgres

import (
	"github.com/jackc/pgx/v5"

	"cc112"
)

// projectComplaintReceived adds a complaint with the number it was
// journaled with (cc112.DayNumbers).
// The reporter's name and phone and the token hash stay in the journal.
func projectComplaintReceived(b *pgx.Batch, ev cc112.Event, p *cc112.Complaint) {
	b.Queue(`insert into complaints (id, number, channel, category, district, status, text, received_at, last_seq)
		values ($1, $2, $3, $4, $5, 'received', $6, $7, $8)`,
		p.ID, p.Number, p.Channel, p.Category, p.District, p.Text, p.ReceivedAt, int64(ev.Seq))
}

// projectComplaintStep records a forward, an answer or the feedback (which
// closes the complaint).
func projectComplaintStep(b *pgx.Batch, ev cc112.Event, p *cc112.ComplaintStepPayload) {
	seq, at := int64(ev.Seq), ev.At
	switch ev.Type {
	case cc112.EvComplaintForwarded:
		b.Queue(`update complaints set status = 'forwarded', agency = $2, forwarded_at = $3, last_seq = $4 where id = $1`,
			p.ComplaintID, p.Agency, at, seq)
	case cc112.EvComplaintResponded:
		b.Queue(`update complaints set status = 'responded', responded_at = $2, last_seq = $3 where id = $1`, p.ComplaintID, at, seq)
	case cc112.EvComplaintFeedback:
		b.Queue(`update complaints set status = 'closed', feedback_at = $2, last_seq = $3 where id = $1`, p.ComplaintID, at, seq)
	}
}

// projectComplaintEscalated records that the mayor's SMS became due.
func projectComplaintEscalated(b *pgx.Batch, ev cc112.Event, p *cc112.ComplaintEscalationPayload) {
	b.Queue(`update complaints set escalated_at = $2, last_seq = $3 where id = $1`, p.ComplaintID, ev.At, int64(ev.Seq))
}
