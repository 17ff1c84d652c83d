package postgres

import (
	"github.com/jackc/pgx/v5"

	"cc112"
)

// projectComplaintReceived adds a complaint with the number it was
// journaled with (cc112.DayNumbers).
// The reporter's name, phone and e-mail and the token hash stay in the journal.
func projectComplaintReceived(b *pgx.Batch, ev cc112.Event, p *cc112.Complaint) {
	b.Queue(`insert into complaints (id, number, channel, category, district, kelurahan, status, text, received_at, last_seq)
		values ($1, $2, $3, $4, $5, $6, 'received', $7, $8, $9)`,
		p.ID, p.Number, p.Channel, p.Category, p.District, p.Kelurahan, p.Text, p.ReceivedAt, int64(ev.Seq))
}

// The agency's forward a step is about: the open one of its agency (none
// named: the first open one), as callcenter.openForward picks it.
const openForwardOrd = `(select min(ord) from complaint_forwards where complaint_id = $1 and status = 'open' and ($2 = '' or agency = $2))`

// projectComplaintStep records a forward (to one or several agencies), a
// re-forward, an answer, the feedback (which closes the complaint), the
// citizen's rating (tidak puas reopens it) and the triage alert.
func projectComplaintStep(b *pgx.Batch, ev cc112.Event, p *cc112.ComplaintStepPayload) {
	seq, at := int64(ev.Seq), ev.At
	addForwards := func(agencies []string) {
		for _, a := range agencies {
			b.Queue(`insert into complaint_forwards (complaint_id, ord, agency, status, forwarded_at)
				values ($1, (select count(*) from complaint_forwards where complaint_id = $1), $2, 'open', $3)`, p.ComplaintID, a, at)
		}
		if len(agencies) > 0 {
			b.Queue(`update complaints set status = 'forwarded', agency = case when agency = '' then $2 else agency end,
				forwarded_at = coalesce(forwarded_at, $3), last_seq = $4 where id = $1`, p.ComplaintID, agencies[0], at, seq)
		}
	}
	switch ev.Type {
	case cc112.EvComplaintForwarded:
		agencies := p.Agencies
		if len(agencies) == 0 {
			agencies = []string{p.Agency}
		}
		addForwards(agencies)
	case cc112.EvComplaintReforwarded:
		b.Queue(`update complaint_forwards set status = 'rejected', reason = $3
			where complaint_id = $1 and ord = `+openForwardOrd, p.ComplaintID, p.Agency, p.Text)
		addForwards(p.Agencies)
	case cc112.EvComplaintResponded:
		b.Queue(`update complaint_forwards set status = 'answered', responded_at = $3
			where complaint_id = $1 and ord = `+openForwardOrd, p.ComplaintID, p.Agency, at)
		b.Queue(`update complaints set responded_at = $2, last_seq = $3,
			status = case when exists (select 1 from complaint_forwards where complaint_id = $1 and status = 'open') then status else 'responded' end
			where id = $1`, p.ComplaintID, at, seq)
	case cc112.EvComplaintFeedback:
		b.Queue(`update complaints set status = 'closed', feedback_at = coalesce(feedback_at, $2), last_seq = $3 where id = $1`, p.ComplaintID, at, seq)
	case cc112.EvComplaintRated:
		if p.Rating == cc112.RatingNotSatisfied {
			b.Queue(`update complaints set rating = $2, rated_at = null, status = 'received', reopened = reopened + 1,
				triage_alert_at = null, last_seq = $3 where id = $1`, p.ComplaintID, p.Rating, seq)
		} else {
			b.Queue(`update complaints set rating = $2, rated_at = $3, last_seq = $4 where id = $1`, p.ComplaintID, p.Rating, at, seq)
		}
	case cc112.EvComplaintTriageOverdue:
		b.Queue(`update complaints set triage_alert_at = $2, last_seq = $3 where id = $1`, p.ComplaintID, at, seq)
	}
}

// projectComplaintEscalated records that an SMS to the mayor became due:
// a missed response (on the agency's forward too) or a missed feedback.
func projectComplaintEscalated(b *pgx.Batch, ev cc112.Event, p *cc112.ComplaintEscalationPayload) {
	b.Queue(`update complaints set escalated_at = coalesce(escalated_at, $2), last_seq = $3 where id = $1`, p.ComplaintID, ev.At, int64(ev.Seq))
	if p.Kind == "" || p.Kind == cc112.MessageResponse {
		b.Queue(`update complaint_forwards set escalated_at = $3
			where complaint_id = $1 and ord = (select min(ord) from complaint_forwards
				where complaint_id = $1 and status = 'open' and escalated_at is null and ($2 = '' or agency = $2))`,
			p.ComplaintID, p.Agency, ev.At)
	}
}
