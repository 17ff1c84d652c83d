package callcenter

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"cc112"
	"cc112/dispatch"
)

// Escalation statuses.
const (
	EscalationPending = "pending"
	EscalationSent    = "sent"
	EscalationSkipped = "skipped"
)

// CheckSLAs walks the escalation ladder of every open complaint at the
// clock's now and journals what became due: a complaint not forwarded
// within the triage SLA alerts the desk supervisor; an agency that missed
// its response SLA, and a citizen left without feedback past the feedback
// SLA, each send the mayor an SMS. Each step is journaled once (the
// journal remembers it across restarts). It returns how many became due.
func (s *Service) CheckSLAs(ctx context.Context) (int, error) {
	now := s.now()
	due := false
	s.eng.Read(func() { due = len(s.dueSteps(now)) > 0 })
	if !due {
		return 0, nil
	}
	return dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (int, error) {
		steps := s.dueSteps(tx.Now())
		for _, st := range steps {
			tx.Emit(st.typ, st.payload)
		}
		return len(steps), nil
	})
}

type slaStep struct {
	typ     string
	payload any
}

// dueSteps lists the ladder's steps due at now, in a stable order.
func (s *Service) dueSteps(now time.Time) []slaStep {
	ids := make([]string, 0, len(s.open))
	for id := range s.open {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []slaStep
	for _, id := range ids {
		c := s.complaints[id]
		if c.Status == cc112.ComplaintReceived && c.TriageAlertAt == nil && !now.Before(c.TriageDueAt) {
			out = append(out, slaStep{cc112.EvComplaintTriageOverdue, cc112.ComplaintStepPayload{ComplaintID: id}})
		}
		for i, f := range c.Forwards {
			if f.Status != cc112.ForwardOpen || f.EscalatedAt != nil || now.Before(f.ResponseDueAt) {
				continue
			}
			escID := "esc-" + id // the first forward's, as journaled before several agencies were
			if i > 0 {
				escID = fmt.Sprintf("esc-%s-%d", id, i)
			}
			out = append(out, slaStep{cc112.EvComplaintEscalationDue, cc112.ComplaintEscalationPayload{ComplaintID: id,
				EscalationID: escID, Kind: cc112.MessageResponse, Agency: f.Agency, To: s.cfg.MayorPhone, Text: s.mayorText(c, f)}})
		}
		if fb := feedbackEscalationID(c); !now.Before(c.FeedbackDueAt) && findMessage(c, fb) == nil {
			out = append(out, slaStep{cc112.EvComplaintEscalationDue, cc112.ComplaintEscalationPayload{ComplaintID: id,
				EscalationID: fb, Kind: cc112.MessageFeedback, To: s.cfg.MayorPhone, Text: s.mayorFeedbackText(c)}})
		}
	}
	return out
}

// feedbackEscalationID names the missed-feedback SMS of the complaint's
// current round (a reopened complaint has a new feedback SLA).
func feedbackEscalationID(c *cc112.Complaint) string {
	if c.Reopened > 0 {
		return fmt.Sprintf("esc-fb-%s-r%d", c.ID, c.Reopened)
	}
	return "esc-fb-" + c.ID
}

// message finds an outbound message of c by id.
func findMessage(c *cc112.Complaint, id string) *cc112.Escalation {
	for _, m := range c.Messages {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// mayorText names the complaint and the agency that did not answer.
func (s *Service) mayorText(c *cc112.Complaint, f cc112.Forward) string {
	return fmt.Sprintf("CC112 Surabaya: Aduan %s belum ditanggapi %s dalam %s sejak diteruskan %s WIB. Kategori: %s.",
		c.Number, strings.ToUpper(f.Agency), durationID(s.cfg.ResponseSLA),
		f.ForwardedAt.In(cc112.WIB).Format("02-01-2006 15:04"), c.Category)
}

// mayorFeedbackText names the complaint whose citizen got no feedback.
func (s *Service) mayorFeedbackText(c *cc112.Complaint) string {
	agencies := "belum diteruskan"
	var names []string
	for _, f := range c.Forwards {
		names = append(names, strings.ToUpper(f.Agency))
	}
	if len(names) > 0 {
		agencies = "instansi: " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("CC112 Surabaya: Aduan %s belum mendapat umpan balik ke warga dalam %s sejak %s WIB (%s). Kategori: %s.",
		c.Number, durationID(s.cfg.FeedbackSLA), c.FeedbackDueAt.Add(-s.cfg.FeedbackSLA).In(cc112.WIB).Format("02-01-2006 15:04"),
		agencies, c.Category)
}

// durationID writes a duration the way an Indonesian SMS would ("60 menit", "24 jam").
func durationID(d time.Duration) string {
	if d%time.Hour == 0 && d >= 2*time.Hour {
		return fmt.Sprintf("%d jam", int(d/time.Hour))
	}
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d menit", int(d/time.Minute))
	}
	return d.String()
}

// FlushOutbox sends the escalation SMS whose intent is journaled without a
// result and whose retry time has come, then journals each result. Only
// one flush runs at a time. It returns how many were sent.
//
// Exactly once: the intent is journaled before sending and the result
// after, so a restart resends only messages without a result. A crash
// after the gateway took a message but before its result was journaled
// resends it on restart: the SMS id is the same, so an idempotent gateway
// (the webhook gets it as Idempotency-Key) drops the repeat; a gateway that
// ignores ids would deliver it twice in that window only.
func (s *Service) FlushOutbox(ctx context.Context) (int, error) {
	select {
	case s.sending <- struct{}{}:
		defer func() { <-s.sending }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	now := s.now()
	type job struct {
		complaintID string
		attempts    int
		channel     string
		subject     string
		sms         SMS
	}
	var jobs []job
	s.eng.Read(func() {
		for id, cid := range s.outbox {
			c := s.complaints[cid]
			e := findMessage(c, id)
			if e.NextAttemptAt == nil || !now.Before(*e.NextAttemptAt) {
				jobs = append(jobs, job{cid, e.Attempts, e.Channel, e.Subject, SMS{ID: e.ID, To: e.To, Text: s.render(c, e.Text)}})
			}
		}
	})
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].sms.ID < jobs[b].sms.ID })
	sent := 0
	for _, j := range jobs {
		p := cc112.ComplaintEscalationPayload{ComplaintID: j.complaintID, EscalationID: j.sms.ID}
		typ := cc112.EvComplaintEscalationSent
		if j.sms.To == "" {
			p.Skipped = true
			s.log.Warn("complaint escalation not sent: no -mayor-phone configured", "complaint", j.complaintID, "text", j.sms.Text)
		} else {
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			var err error
			if j.channel == "email" {
				err = s.cfg.Mail.Send(sctx, Mail{ID: j.sms.ID, To: j.sms.To, Subject: j.subject, Text: j.sms.Text})
			} else {
				err = s.cfg.SMS.Send(sctx, j.sms)
			}
			cancel()
			if err != nil {
				typ = cc112.EvComplaintEscalationFailed
				p.Error = err.Error()
				p.NextAttemptAt = timePtr(s.now().Add(s.backoff(j.attempts + 1)))
				s.log.Error("complaint message failed; will retry", "complaint", j.complaintID, "message", j.sms.ID,
					"attempt", j.attempts+1, "retry_at", p.NextAttemptAt, "err", err)
			} else {
				sent++
				s.log.Info("complaint message sent", "complaint", j.complaintID, "message", j.sms.ID, "attempt", j.attempts+1)
			}
		}
		if _, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
			tx.Emit(typ, p)
			return nil, nil
		}); err != nil {
			return sent, fmt.Errorf("record message %s: %w", j.sms.ID, err)
		}
	}
	return sent, nil
}

// backoff is the wait before attempt n+1: RetryBase doubling, up to RetryMax.
func (s *Service) backoff(failures int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < failures && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}

// Run checks the SLAs and flushes the outbox every tick until ctx ends.
// The injected clock decides what is due; tick only sets how often to look.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	dispatch.Every(ctx, tick, func() {
		if _, err := s.CheckSLAs(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("complaint SLA check", "err", err)
		}
		if _, err := s.FlushOutbox(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("complaint escalation outbox", "err", err)
		}
	})
}

func (s *Service) escalated(p cc112.ComplaintEscalationPayload) (*cc112.Complaint, *cc112.Escalation, error) {
	c, ok := s.complaints[p.ComplaintID]
	if !ok {
		return nil, nil, fmt.Errorf("unknown complaint %q", p.ComplaintID)
	}
	e := findMessage(c, p.EscalationID)
	if e == nil {
		return nil, nil, fmt.Errorf("complaint %s has no message %q", c.ID, p.EscalationID)
	}
	return c, e, nil
}

// addMessage puts a journaled message in the complaint and the outbox.
func (s *Service) addMessage(c *cc112.Complaint, p cc112.ComplaintEscalationPayload, kind string) (*cc112.Escalation, error) {
	if findMessage(c, p.EscalationID) != nil {
		return nil, fmt.Errorf("complaint %s: message %s journaled twice", c.ID, p.EscalationID)
	}
	channel := p.Channel
	if channel == "" {
		channel = "sms"
	}
	e := &cc112.Escalation{ID: p.EscalationID, Kind: kind, Agency: p.Agency, Channel: channel, Subject: p.Subject,
		To: p.To, Text: p.Text, Status: EscalationPending}
	c.Messages = append(c.Messages, e)
	s.outbox[e.ID] = c.ID
	return e, nil
}

func (s *Service) applyEscalationDue(at time.Time, p cc112.ComplaintEscalationPayload, changed changedFunc) error {
	c, ok := s.complaints[p.ComplaintID]
	if !ok {
		return fmt.Errorf("unknown complaint %q", p.ComplaintID)
	}
	kind := p.Kind
	if kind == "" { // journaled before kinds were: the first agency's response
		kind = cc112.MessageResponse
	}
	e, err := s.addMessage(c, p, kind)
	if err != nil {
		return err
	}
	if kind == cc112.MessageResponse {
		if e.Agency == "" && len(c.Forwards) > 0 {
			e.Agency = c.Forwards[0].Agency
		}
		for i := range c.Forwards {
			if f := &c.Forwards[i]; f.Agency == e.Agency && f.Status == cc112.ForwardOpen && f.EscalatedAt == nil {
				f.EscalatedAt = timePtr(at)
				break
			}
		}
		if c.Escalation == nil {
			c.Escalation = e
		}
	}
	if c.EscalatedAt == nil {
		c.EscalatedAt = timePtr(at)
	}
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyNoticeDue(at time.Time, p cc112.ComplaintEscalationPayload, changed changedFunc) error {
	c, ok := s.complaints[p.ComplaintID]
	if !ok {
		return fmt.Errorf("unknown complaint %q", p.ComplaintID)
	}
	if _, err := s.addMessage(c, p, cc112.MessageNotice); err != nil {
		return err
	}
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyEscalationSent(at time.Time, p cc112.ComplaintEscalationPayload, changed changedFunc) error {
	c, e, err := s.escalated(p)
	if err != nil {
		return err
	}
	e.Status, e.NextAttemptAt = EscalationSent, nil
	if p.Skipped {
		e.Status = EscalationSkipped
	} else {
		e.Attempts++
		e.SentAt = timePtr(at)
	}
	delete(s.outbox, e.ID)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyEscalationFailed(at time.Time, p cc112.ComplaintEscalationPayload, changed changedFunc) error {
	c, e, err := s.escalated(p)
	if err != nil {
		return err
	}
	e.Attempts++
	e.LastError, e.NextAttemptAt = p.Error, p.NextAttemptAt
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}
