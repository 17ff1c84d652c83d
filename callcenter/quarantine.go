package callcenter

import (
	"context"
	"fmt"
	"time"

	"cc112"
	"cc112/dispatch"
)

// MaxQuarantinedRaw bounds how much of a refused e-mail the quarantine
// keeps: enough to read its headers and first lines.
const MaxQuarantinedRaw = 64 << 10

// Quarantine journals an e-mail that could not become a complaint, with
// the reason; the desk lists them (never dropped silently). A message
// quarantined before (the same Message-ID) is not kept twice.
func (s *Service) Quarantine(ctx context.Context, q cc112.MailQuarantined) (*cc112.MailQuarantined, error) {
	if len(q.Raw) > MaxQuarantinedRaw {
		q.Raw = q.Raw[:MaxQuarantinedRaw]
	}
	q.From, q.Subject, q.MessageID = clip(q.From, 300), clip(q.Subject, 300), clip(q.MessageID, 300)
	return dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (*cc112.MailQuarantined, error) {
		if q.MessageID != "" {
			for _, o := range s.quarantine {
				if o.MessageID == q.MessageID {
					return o.Clone(), nil
				}
			}
		}
		q.ID, q.At = dispatch.NewID("mq"), tx.Now()
		tx.Emit(cc112.EvComplaintMailQuarantine, q)
		return s.quarantine[len(s.quarantine)-1].Clone(), nil
	})
}

// Quarantined pages through the refused e-mails, newest first.
func (s *Service) Quarantined(req cc112.PageRequest) (cc112.Page[*cc112.MailQuarantined], error) {
	p, err := cc112.NewNewest(req, func(q *cc112.MailQuarantined) cc112.PageKey { return cc112.PageKey{At: q.At, ID: q.ID} })
	if err != nil {
		return cc112.Page[*cc112.MailQuarantined]{}, err
	}
	var page cc112.Page[*cc112.MailQuarantined]
	s.eng.Read(func() {
		for _, q := range s.quarantine {
			p.Offer(q)
		}
		page = p.Page((*cc112.MailQuarantined).Clone)
	})
	return page, nil
}

func (s *Service) applyQuarantined(at time.Time, q cc112.MailQuarantined, changed changedFunc) error {
	if q.ID == "" {
		return fmt.Errorf("quarantined mail without an id")
	}
	s.quarantine = append(s.quarantine, &q)
	return nil
}

// clip cuts a header to n bytes on a rune boundary.
func clip(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8RuneStart(v[n]) {
		n--
	}
	return v[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
