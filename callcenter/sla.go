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

// CheckSLAs journals an escalation intent for every forwarded complaint
// whose response is overdue at the clock's now. It is idempotent: a
// complaint is escalated once, which the journal remembers across restarts.
// It returns how many were escalated.
func (s *Service) CheckSLAs(ctx context.Context) (int, error) {
	now := s.now()
	due := false
	s.eng.Read(func() {
		for id := range s.awaiting {
			if c := s.complaints[id]; c != nil && !now.Before(*c.ResponseDueAt) {
				due = true
				return
			}
		}
	})
	if !due {
		return 0, nil
	}
	return dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (int, error) {
		var ids []string
		for id := range s.awaiting {
			if c := s.complaints[id]; c != nil && !tx.Now().Before(*c.ResponseDueAt) {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids) // a stable journal order
		for _, id := range ids {
			c := s.complaints[id]
			tx.Emit(cc112.EvComplaintEscalationDue, cc112.ComplaintEscalationPayload{ComplaintID: id, EscalationID: "esc-" + id,
				To: s.cfg.MayorPhone, Text: s.mayorText(c)})
		}
		return len(ids), nil
	})
}

// mayorText names the complaint and the agency that did not answer.
func (s *Service) mayorText(c *cc112.Complaint) string {
	return fmt.Sprintf("CC112 Surabaya: Aduan %s belum ditanggapi %s dalam %s sejak diteruskan %s WIB. Kategori: %s.",
		c.Number, strings.ToUpper(c.Agency), durationID(s.cfg.ResponseSLA),
		c.ForwardedAt.In(cc112.WIB).Format("02-01-2006 15:04"), c.Category)
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
		sms         SMS
	}
	var jobs []job
	s.eng.Read(func() {
		for id := range s.outbox {
			e := s.complaints[id].Escalation
			if e.NextAttemptAt == nil || !now.Before(*e.NextAttemptAt) {
				jobs = append(jobs, job{id, e.Attempts, SMS{ID: e.ID, To: e.To, Text: e.Text}})
			}
		}
	})
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].complaintID < jobs[b].complaintID })
	sent := 0
	for _, j := range jobs {
		p := cc112.ComplaintEscalationPayload{ComplaintID: j.complaintID, EscalationID: j.sms.ID}
		typ := cc112.EvComplaintEscalationSent
		if j.sms.To == "" {
			p.Skipped = true
			s.log.Warn("complaint escalation not sent: no -mayor-phone configured", "complaint", j.complaintID, "text", j.sms.Text)
		} else {
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := s.cfg.SMS.Send(sctx, j.sms)
			cancel()
			if err != nil {
				typ = cc112.EvComplaintEscalationFailed
				p.Error = err.Error()
				p.NextAttemptAt = timePtr(s.now().Add(s.backoff(j.attempts + 1)))
				s.log.Error("SMS to the mayor failed; will retry", "complaint", j.complaintID, "sms", j.sms.ID,
					"attempt", j.attempts+1, "retry_at", p.NextAttemptAt, "err", err)
			} else {
				sent++
				s.log.Info("SMS to the mayor sent", "complaint", j.complaintID, "sms", j.sms.ID, "attempt", j.attempts+1)
			}
		}
		if _, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
			tx.Emit(typ, p)
			return nil, nil
		}); err != nil {
			return sent, fmt.Errorf("record escalation %s: %w", j.sms.ID, err)
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

func (s *Service) escalated(p cc112.ComplaintEscalationPayload) (*cc112.Complaint, error) {
	c, ok := s.complaints[p.ComplaintID]
	if !ok {
		return nil, fmt.Errorf("unknown complaint %q", p.ComplaintID)
	}
	if c.Escalation == nil || c.Escalation.ID != p.EscalationID {
		return nil, fmt.Errorf("complaint %s has no escalation %q", c.ID, p.EscalationID)
	}
	return c, nil
}

func (s *Service) applyEscalationDue(at time.Time, p cc112.ComplaintEscalationPayload, changed changedFunc) error {
	c, ok := s.complaints[p.ComplaintID]
	if !ok {
		return fmt.Errorf("unknown complaint %q", p.ComplaintID)
	}
	if c.Escalation != nil {
		return fmt.Errorf("complaint %s escalated twice", c.ID)
	}
	c.EscalatedAt = timePtr(at)
	c.Escalation = &cc112.Escalation{ID: p.EscalationID, To: p.To, Text: p.Text, Status: EscalationPending}
	delete(s.awaiting, c.ID)
	s.outbox[c.ID] = true
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyEscalationSent(at time.Time, p cc112.ComplaintEscalationPayload, changed changedFunc) error {
	c, err := s.escalated(p)
	if err != nil {
		return err
	}
	e := c.Escalation
	e.Status, e.NextAttemptAt = EscalationSent, nil
	if p.Skipped {
		e.Status = EscalationSkipped
	} else {
		e.Attempts++
		e.SentAt = timePtr(at)
	}
	delete(s.outbox, c.ID)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyEscalationFailed(at time.Time, p cc112.ComplaintEscalationPayload, changed changedFunc) error {
	c, err := s.escalated(p)
	if err != nil {
		return err
	}
	e := c.Escalation
	e.Attempts++
	e.LastError, e.NextAttemptAt = p.Error, p.NextAttemptAt
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}
