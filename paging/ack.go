package paging

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cc112"
	"cc112/callcenter"
	"cc112/dispatch"
)

// CheckAcks journals an alert, with the crew's SMS to send, for every
// dispatch its unit has not acknowledged within AckTimeout at the clock's
// now. Each dispatch once: the journal remembers across restarts. It
// returns how many it raised.
func (s *Service) CheckAcks(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.cfg.AckTimeout)
	due := s.eng.Unacknowledged(cutoff)
	fresh := false
	s.eng.Read(func() {
		for _, u := range due {
			if s.overdue[u.Key()] == nil {
				fresh = true
				return
			}
		}
	})
	if !fresh {
		return 0, nil
	}
	raised, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) ([]cc112.AckOverdue, error) {
		var out []cc112.AckOverdue
		for _, u := range tx.Unacknowledged(cutoff) {
			key := u.Key()
			if s.overdue[key] != nil {
				continue
			}
			a := cc112.AckOverdue{IncidentID: u.IncidentID, Number: u.Number, UnitID: u.UnitID, Callsign: u.Callsign,
				DispatchedAt: u.DispatchedAt, At: cutoff.Add(s.cfg.AckTimeout)}
			tx.Emit(cc112.EvPageAckOverdue, cc112.PageAckOverduePayload{Key: key, Alert: a, SMSID: "page-" + key,
				To: s.cfg.CrewPhones[u.UnitID], Text: s.crewText(u)})
			out = append(out, a)
		}
		return out, nil
	})
	for _, a := range raised {
		if s.cfg.Alert != nil {
			s.cfg.Alert(a)
		} else {
			s.log.Warn("dispatch not acknowledged in time", "incident", a.Number, "unit", a.Callsign,
				"dispatched_at", a.DispatchedAt, "timeout", s.cfg.AckTimeout)
		}
	}
	return len(raised), err
}

// crewText is the SMS the crew gets: which incident, where, since when.
func (s *Service) crewText(u dispatch.Unacked) string {
	where := u.Address
	if where == "" {
		where = "lihat aplikasi"
	}
	return fmt.Sprintf("CC112: %s, TUGAS %s (%s) di %s sejak %s WIB belum diterima. Buka aplikasi dan tekan TERIMA.",
		u.Callsign, u.Number, u.Category, where, u.DispatchedAt.In(cc112.WIB).Format("15:04:05"))
}

// FlushOutbox sends the crew SMS whose intent is journaled without a
// result and whose retry time has come, and journals each result: exactly
// once, as the complaint escalations (callcenter.Service.FlushOutbox): the
// SMS id is stable, so an idempotent gateway drops the one repeat a crash
// between sending and recording could cause.
func (s *Service) FlushOutbox(ctx context.Context) (int, error) {
	select {
	case s.sending <- struct{}{}:
		defer func() { <-s.sending }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	now := s.now()
	type job struct {
		key      string
		attempts int
		sms      callcenter.SMS
	}
	var jobs []job
	s.eng.Read(func() {
		for key := range s.outbox {
			o := s.overdue[key]
			if o.next == nil || !now.Before(*o.next) {
				jobs = append(jobs, job{key, o.attempts, o.sms})
			}
		}
	})
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].key < jobs[b].key })
	sent := 0
	for _, j := range jobs {
		p := cc112.PageSMSPayload{Key: j.key}
		typ := cc112.EvPageSMSSent
		if j.sms.To == "" {
			p.Skipped = true
		} else {
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := s.cfg.SMS.Send(sctx, j.sms)
			cancel()
			if err != nil {
				typ, p.Error = cc112.EvPageSMSFailed, err.Error()
				next := s.now().Add(s.backoff(j.attempts + 1))
				p.NextAttemptAt = &next
				s.log.Error("SMS to the crew failed; will retry", "sms", j.sms.ID, "attempt", j.attempts+1, "retry_at", next, "err", err)
			} else {
				sent++
			}
		}
		if _, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
			tx.Emit(typ, p)
			return nil, nil
		}); err != nil {
			return sent, fmt.Errorf("record crew SMS %s: %w", j.sms.ID, err)
		}
	}
	return sent, nil
}

// Run checks acknowledgements and flushes the SMS outbox every tick until
// ctx ends (the writer only). The injected clock decides what is due.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	if tick <= 0 {
		tick = time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := s.CheckAcks(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("acknowledgement check", "err", err)
		}
		if _, err := s.FlushOutbox(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("crew SMS outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Overdue lists the alerts raised, oldest first, each with whether its SMS
// is settled (sent or skipped).
func (s *Service) Overdue() []OverdueState {
	var out []OverdueState
	s.eng.Read(func() {
		for key, o := range s.overdue {
			out = append(out, OverdueState{Key: key, Alert: o.alert, SMSID: o.sms.ID, Attempts: o.attempts, Done: o.done})
		}
	})
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out
}

// OverdueState is one raised alert and its SMS's progress.
type OverdueState struct {
	Key      string
	Alert    cc112.AckOverdue
	SMSID    string
	Attempts int
	Done     bool
}

func (s *Service) applyOverdue(f *dispatch.Fold, p cc112.PageAckOverduePayload) error {
	if s.overdue[p.Key] != nil {
		return fmt.Errorf("dispatch %s raised twice", p.Key)
	}
	a := p.Alert
	s.overdue[p.Key] = &overdue{alert: a, sms: callcenter.SMS{ID: p.SMSID, To: p.To, Text: p.Text}}
	s.outbox[p.Key] = true
	f.Changed(cc112.LivePageAckOverdue, func() any { return &a })
	return nil
}

func (s *Service) applySMSSent(_ *dispatch.Fold, p cc112.PageSMSPayload) error {
	o := s.overdue[p.Key]
	if o == nil {
		return fmt.Errorf("no overdue dispatch %q", p.Key)
	}
	if !p.Skipped {
		o.attempts++
	}
	o.done, o.next = true, nil
	delete(s.outbox, p.Key)
	return nil
}

func (s *Service) applySMSFailed(_ *dispatch.Fold, p cc112.PageSMSPayload) error {
	o := s.overdue[p.Key]
	if o == nil {
		return fmt.Errorf("no overdue dispatch %q", p.Key)
	}
	o.attempts++
	o.next = p.NextAttemptAt
	return nil
}
