// Package paging reaches field units when their page is closed: Web Push
// (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID, through
// webpush-go) of dispatches, cancellations, moves, notes and messages; the
// alert and the crew's SMS when a dispatch is not acknowledged in time;
// and messages between the center and its units.
//
// It extends the dispatch engine like the call center does: its state (the
// VAPID keys, the subscriptions, the overdue dispatches and their SMS, the
// messages) is rebuilt from its journaled events, guarded by the engine's
// lock. Sending pushes runs off the engine's write path: the Pusher hears
// the engine's changes as a live-feed publisher and sends from its own
// goroutine, with retries.
package paging

import (
	"log/slog"
	"net/http"
	"sort"
	"time"

	"cc112"
	"cc112/callcenter"
	"cc112/dispatch"
)

// Config is paging's section of the configuration. Zero values take the
// defaults.
type Config struct {
	Clock  cc112.Clock // nil: the engine's
	Logger *slog.Logger
	// VAPIDPublic and VAPIDPrivate are the application server's keys
	// (base64url, as webpush-go makes them); empty: made on first start
	// and kept in the journal.
	VAPIDPublic  string
	VAPIDPrivate string
	// Subject is the VAPID "sub" claim: a mailto: or https: contact.
	Subject string
	// TTL is how long a push service keeps an undelivered page (1 h).
	TTL time.Duration
	// AckTimeout is how long a unit has to acknowledge a dispatch before
	// the center is alerted and the crew gets an SMS (60 s).
	AckTimeout time.Duration
	// CrewPhones maps a unit id to its crew's phone for that SMS; a unit
	// without one gets the alert only (the SMS is recorded as skipped).
	CrewPhones map[string]string
	// SMS sends the crew's SMS (the call center's gateway); nil logs it.
	SMS callcenter.SMSGateway
	// RetryBase and RetryMax shape the backoff of failed pushes and SMS
	// (1 s doubling up to 5 min); PushAttempts bounds a push's attempts (6).
	RetryBase    time.Duration
	RetryMax     time.Duration
	PushAttempts int
	// Client sends the pushes (nil: a client with a 15 s timeout).
	Client *http.Client
	// Alert is told of each overdue dispatch once it is journaled: the
	// hook the alert engine takes over (nil: logged).
	Alert func(cc112.AckOverdue)
}

// Service holds paging's state. Its methods are safe for concurrent use.
type Service struct {
	cfg Config
	eng *dispatch.Engine
	log *slog.Logger

	// State below is guarded by the engine's lock.
	keys     cc112.PushKeysPayload
	subs     map[string]*subscription // endpoint → subscription
	overdue  map[string]*overdue      // dispatch key → its alert and SMS
	outbox   map[string]bool          // overdue dispatches whose SMS is not sent yet
	messages []*cc112.Message         // in journal order

	sending chan struct{} // one SMS flush at a time
}

// subscription is one browser's PushSubscription, of one unit.
type subscription struct {
	cc112.PushSubscribedPayload
	at time.Time
}

// overdue is one unacknowledged dispatch: its alert and the crew's SMS.
type overdue struct {
	alert    cc112.AckOverdue
	sms      callcenter.SMS
	attempts int
	next     *time.Time
	done     bool
}

// New returns a service; pass it to dispatch.New, which registers it.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Subject == "" {
		cfg.Subject = "mailto:cc112@localhost"
	}
	if cfg.TTL == 0 {
		cfg.TTL = time.Hour
	}
	if cfg.AckTimeout == 0 {
		cfg.AckTimeout = time.Minute
	}
	if cfg.SMS == nil {
		cfg.SMS = callcenter.LogSMS{Logger: cfg.Logger}
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.RetryMax == 0 {
		cfg.RetryMax = 5 * time.Minute
	}
	if cfg.PushAttempts == 0 {
		cfg.PushAttempts = 6
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 15 * time.Second}
	}
	return &Service{cfg: cfg, log: cfg.Logger, subs: map[string]*subscription{}, overdue: map[string]*overdue{},
		outbox: map[string]bool{}, sending: make(chan struct{}, 1)}
}

// LivePayloads gives the type of the data of paging's live events, as
// dispatch.LivePayloads.
var LivePayloads = map[string]func() any{
	cc112.LiveMessageCreated: func() any { return new(cc112.Message) },
	cc112.LivePageAckOverdue: func() any { return new(cc112.AckOverdue) },
}

// Register adds paging's event types to the engine.
func (s *Service) Register(r *dispatch.Registry) {
	s.eng = r.Engine()
	if s.cfg.Clock == nil {
		s.cfg.Clock = s.eng.Clock()
	}
	dispatch.Handle(r, cc112.EvPushKeys, func(_ *dispatch.Fold, p cc112.PushKeysPayload) error {
		s.keys = p
		return nil
	})
	dispatch.Handle(r, cc112.EvPushSubscribed, func(f *dispatch.Fold, p cc112.PushSubscribedPayload) error {
		s.subs[p.Endpoint] = &subscription{PushSubscribedPayload: p, at: f.At}
		s.trimSubscriptions(p.UnitID)
		return nil
	})
	dispatch.Handle(r, cc112.EvPushDropped, func(_ *dispatch.Fold, p cc112.PushDroppedPayload) error {
		delete(s.subs, p.Endpoint)
		return nil
	})
	dispatch.Handle(r, cc112.EvPageAckOverdue, s.applyOverdue)
	dispatch.Handle(r, cc112.EvPageSMSSent, s.applySMSSent)
	dispatch.Handle(r, cc112.EvPageSMSFailed, s.applySMSFailed)
	dispatch.Handle(r, cc112.EvMessageSent, func(f *dispatch.Fold, m cc112.Message) error {
		s.messages = append(s.messages, &m)
		f.Changed(cc112.LiveMessageCreated, func() any { return &m })
		return nil
	})
}

// maxSubscriptions bounds one unit's subscriptions (a phone reinstalled
// many times): the oldest go.
const maxSubscriptions = 8

func (s *Service) trimSubscriptions(unit string) {
	var mine []*subscription
	for _, x := range s.subs {
		if x.UnitID == unit {
			mine = append(mine, x)
		}
	}
	if len(mine) <= maxSubscriptions {
		return
	}
	sort.Slice(mine, func(a, b int) bool {
		if !mine[a].at.Equal(mine[b].at) {
			return mine[a].at.Before(mine[b].at)
		}
		return mine[a].Endpoint < mine[b].Endpoint
	})
	for _, x := range mine[:len(mine)-maxSubscriptions] {
		delete(s.subs, x.Endpoint)
	}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC() }

// backoff is the wait before attempt n+1: RetryBase doubling, up to RetryMax.
func (s *Service) backoff(failures int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < failures && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}
