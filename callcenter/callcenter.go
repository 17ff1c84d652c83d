// Package callcenter is the front desk of the command center: 112 calls
// with their caller's location (AML, a pin, an address), incidents made
// from calls and duplicate reports linked to them, and the Media Center's
// non-emergency complaints with their SLAs and the SMS to the mayor.
//
// It extends the dispatch engine: every change is an event of its own type
// journaled through Engine.Exec, and its state is rebuilt by replay (pass
// Appliers to dispatch.New, then Bind the engine). The state is guarded by
// the engine's lock: written only by the appliers, read under Engine.Read.
package callcenter

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"cc112"
	"cc112/dispatch"
)

// Config holds what the service needs. Zero values take the defaults.
type Config struct {
	// Clock drives the SLA timers; nil takes the engine's.
	Clock  cc112.Clock
	Logger *slog.Logger
	// Districts names the kecamatan of a complaint's location.
	Districts dispatch.Locator
	// ResponseSLA is how long an agency has to answer a forwarded complaint
	// (60 min); FeedbackSLA how long the citizen waits for feedback (24 h).
	ResponseSLA time.Duration
	FeedbackSLA time.Duration
	// MayorPhone receives the SMS when a response SLA is missed; empty
	// records the escalation without sending anything.
	MayorPhone string
	// SMS sends it; nil logs it.
	SMS SMSGateway
	// Agencies complaints can be forwarded to (DESIGN.md §3 by default).
	Agencies []string
	// AMLWindow is how long after a call starts its AML still attaches to
	// it (30 min); PendingAML how long an AML that came before its call is
	// kept for it (1 min).
	AMLWindow  time.Duration
	PendingAML time.Duration
	// RetryBase and RetryMax shape the exponential backoff of failed SMS.
	RetryBase time.Duration
	RetryMax  time.Duration
}

// DefaultAgencies are the demo city's agencies (DESIGN.md §3).
var DefaultAgencies = []string{"damkar", "polri", "dkp", "dinkes", "bpbd", "dishub", "pupr", "satpolpp", "dukcapil", "pdam", "pln", "dinkominfo"}

// Service holds calls and complaints. Its methods are safe for concurrent use.
type Service struct {
	cfg Config
	eng *dispatch.Engine
	log *slog.Logger

	// State below is guarded by the engine's lock.
	calls         map[string]*Call
	activeByPhone map[string]string // phone → newest open call
	pendingAML    map[string]Location
	complaints    map[string]*Complaint
	byNumber      map[string]string
	numbers       *cc112.DayNumbers // complaint numbers per WIB day
	awaiting      map[string]bool   // forwarded, not answered, not escalated
	outbox        map[string]bool   // complaints whose escalation SMS is not sent yet

	sending chan struct{} // one outbox flush at a time
}

// New returns a service; pass its Appliers to dispatch.New, then Bind.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ResponseSLA == 0 {
		cfg.ResponseSLA = 60 * time.Minute
	}
	if cfg.FeedbackSLA == 0 {
		cfg.FeedbackSLA = 24 * time.Hour
	}
	if cfg.SMS == nil {
		cfg.SMS = LogSMS{Logger: cfg.Logger}
	}
	if cfg.Agencies == nil {
		cfg.Agencies = DefaultAgencies
	}
	if cfg.AMLWindow == 0 {
		cfg.AMLWindow = 30 * time.Minute
	}
	if cfg.PendingAML == 0 {
		cfg.PendingAML = time.Minute
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 10 * time.Second
	}
	if cfg.RetryMax == 0 {
		cfg.RetryMax = 10 * time.Minute
	}
	return &Service{
		cfg: cfg, log: cfg.Logger,
		calls: map[string]*Call{}, activeByPhone: map[string]string{}, pendingAML: map[string]Location{},
		complaints: map[string]*Complaint{}, byNumber: map[string]string{}, numbers: cc112.NewDayNumbers("ADU", cc112.WIB),
		awaiting: map[string]bool{}, outbox: map[string]bool{},
		sending: make(chan struct{}, 1),
	}
}

// Bind attaches the engine built with this service's Appliers.
func (s *Service) Bind(eng *dispatch.Engine) {
	s.eng = eng
	if s.cfg.Clock == nil {
		s.cfg.Clock = eng.Clock()
	}
}

// Agencies lists the agencies complaints go to.
func (s *Service) Agencies() []string { return append([]string(nil), s.cfg.Agencies...) }

// SLAs returns the response and feedback SLAs in force.
func (s *Service) SLAs() (response, feedback time.Duration) {
	return s.cfg.ResponseSLA, s.cfg.FeedbackSLA
}

// LivePayloads gives the type of the data of each of the call center's
// live events, as dispatch.LivePayloads.
var LivePayloads = map[string]func() any{
	cc112.LiveCallCreated:      func() any { return new(Call) },
	cc112.LiveCallUpdated:      func() any { return new(Call) },
	cc112.LiveComplaintCreated: func() any { return new(Complaint) },
	cc112.LiveComplaintUpdated: func() any { return new(Complaint) },
}

// Appliers returns the event types this service adds to the engine.
func (s *Service) Appliers() map[string]dispatch.Applier {
	return map[string]dispatch.Applier{
		cc112.EvCallStarted:               applyAs(s.applyCallStarted),
		cc112.EvCallLocated:               applyAs(s.applyCallLocated),
		cc112.EvCallLinked:                applyAs(s.applyCallLinked),
		cc112.EvCallClosed:                applyAs(s.applyCallClosed),
		cc112.EvAMLPending:                applyAs(s.applyAMLPending),
		cc112.EvComplaintReceived:         applyAs(s.applyComplaintReceived),
		cc112.EvComplaintForwarded:        applyAs(s.applyForwarded),
		cc112.EvComplaintResponded:        applyAs(s.applyResponded),
		cc112.EvComplaintFeedback:         applyAs(s.applyFeedback),
		cc112.EvComplaintEscalationDue:    applyAs(s.applyEscalationDue),
		cc112.EvComplaintEscalationSent:   applyAs(s.applyEscalationSent),
		cc112.EvComplaintEscalationFailed: applyAs(s.applyEscalationFailed),
	}
}

// publishFunc is the engine's publish (a no-op during replay).
type publishFunc = func(name string, data any)

// applyAs decodes an event's payload for a typed applier.
func applyAs[T any](fn func(at time.Time, p T, publish publishFunc) error) dispatch.Applier {
	return func(ev cc112.Event, publish func(string, any)) error {
		var p T
		if err := json.Unmarshal(ev.Data, &p); err != nil {
			return fmt.Errorf("decode %s payload: %w", ev.Type, err)
		}
		return fn(ev.At, p, publish)
	}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC() }

func timePtr(t time.Time) *time.Time { return &t }
