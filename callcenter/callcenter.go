// Package callcenter is the front desk of the command center: 112 calls
// with their caller's location (AML, a pin, an address), incidents made
// from calls and duplicate reports linked to them, and the Media Center's
// non-emergency complaints with their SLAs and the SMS to the mayor.
//
// It extends the dispatch engine: every change is an event of its own type,
// emitted by a command run through dispatch.Run, and its state is rebuilt
// by replay (pass the Service to dispatch.New, which registers it). The
// state is guarded by the engine's lock: written only by the apply
// functions, read under Engine.Read.
package callcenter

import (
	"crypto/rand"
	"log/slog"
	"slices"
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
	// CategoryAgencies maps a complaint category to the agency the desk
	// proposes for it (default DefaultCategoryAgencies); the desk decides.
	CategoryAgencies map[string]string
	// AMLWindow is how long after a call starts its AML still attaches to
	// it (30 min); PendingAML how long an AML that came before its call is
	// kept for it (1 min).
	AMLWindow  time.Duration
	PendingAML time.Duration
	// TriageSLA is how long the desk has to forward a complaint before the
	// desk supervisor is alerted (15 min).
	TriageSLA time.Duration
	// Kelurahan names the kelurahan of a complaint's location (statistics).
	Kelurahan dispatch.Locator
	// Mail sends the e-mail notices to citizens; nil logs them.
	Mail Mailer
	// TokenKey derives tracking tokens from complaint ids (so a notice
	// sent after a restart still carries its link); nil: a random key per
	// process, and such links lose their token after a restart.
	TokenKey []byte
	// BaseURL is where citizens open the tracking page (notices' links).
	BaseURL string
	// RetryBase and RetryMax shape the exponential backoff of failed SMS.
	RetryBase time.Duration
	RetryMax  time.Duration
}

// DefaultAgencies are the demo city's agencies (DESIGN.md §3).
var DefaultAgencies = []string{"damkar", "polri", "dkp", "dinkes", "bpbd", "dishub", "pupr", "satpolpp", "dukcapil", "pdam", "pln", "dinkominfo"}

// DefaultCategoryAgencies are the agencies the demo city's complaint
// categories usually go to ("other" has none: the desk reads it first).
var DefaultCategoryAgencies = map[string]string{
	"road": "pupr", "drainage": "pupr", "waste": "dkp", "streetlight": "dishub", "water": "pdam",
	"electricity": "pln", "public_order": "satpolpp", "traffic": "dishub", "parks": "dkp",
	"civil_registry": "dukcapil", "health": "dinkes",
}

// Service holds calls and complaints. Its methods are safe for concurrent use.
type Service struct {
	cfg Config
	eng *dispatch.Engine
	log *slog.Logger

	// State below is guarded by the engine's lock.
	calls         map[string]*Call
	activeByPhone map[string]string   // phone → newest open call
	byIncident    map[string][]string // incident → the calls linked to it (a merge moves them)
	pendingAML    map[string]Location
	complaints    map[string]*cc112.Complaint
	byNumber      map[string]string
	numbers       *cc112.DayNumbers // complaint numbers per WIB day
	open          map[string]bool   // complaints not closed: the SLA ladder walks these
	outbox        map[string]string // message id → complaint, for messages not sent yet
	byCitizen     map[string][]string
	byCategory    map[string][]string // complaints with a location, in journal order
	byMessageID   map[string]string   // an e-mail's Message-ID → complaint
	quarantine    []*cc112.MailQuarantined

	sending chan struct{} // one outbox flush at a time
}

// New returns a service; pass it to dispatch.New, which registers it.
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
	if cfg.CategoryAgencies == nil {
		cfg.CategoryAgencies = DefaultCategoryAgencies
	}
	if cfg.TriageSLA == 0 {
		cfg.TriageSLA = 15 * time.Minute
	}
	if cfg.Mail == nil {
		cfg.Mail = LogMail{Logger: cfg.Logger}
	}
	if len(cfg.TokenKey) == 0 {
		cfg.TokenKey = make([]byte, 32)
		_, _ = rand.Read(cfg.TokenKey)
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
		calls: map[string]*Call{}, activeByPhone: map[string]string{}, byIncident: map[string][]string{}, pendingAML: map[string]Location{},
		complaints: map[string]*cc112.Complaint{}, byNumber: map[string]string{}, numbers: cc112.NewDayNumbers("ADU", cc112.WIB),
		open: map[string]bool{}, outbox: map[string]string{}, byCitizen: map[string][]string{},
		byCategory: map[string][]string{}, byMessageID: map[string]string{},
		sending: make(chan struct{}, 1),
	}
}

// Agencies lists the agencies complaints go to.
func (s *Service) Agencies() []string { return append([]string(nil), s.cfg.Agencies...) }

// CategoryAgencies is the agency the desk proposes per complaint category,
// among the configured agencies only.
func (s *Service) CategoryAgencies() map[string]string {
	out := map[string]string{}
	for cat, a := range s.cfg.CategoryAgencies {
		if slices.Contains(s.cfg.Agencies, a) {
			out[cat] = a
		}
	}
	return out
}

// SLAs returns the response and feedback SLAs in force.
func (s *Service) SLAs() (response, feedback time.Duration) {
	return s.cfg.ResponseSLA, s.cfg.FeedbackSLA
}

// TriageSLA returns how long the desk has to forward a complaint.
func (s *Service) TriageSLA() time.Duration { return s.cfg.TriageSLA }

// LivePayloads gives the type of the data of each of the call center's
// live events, as dispatch.LivePayloads.
var LivePayloads = map[string]func() any{
	cc112.LiveCallCreated:      func() any { return new(Call) },
	cc112.LiveCallUpdated:      func() any { return new(Call) },
	cc112.LiveComplaintCreated: func() any { return new(cc112.Complaint) },
	cc112.LiveComplaintUpdated: func() any { return new(cc112.Complaint) },
}

// Register adds the service's event types to the engine (pass the service
// to dispatch.New) and keeps the engine for its commands.
func (s *Service) Register(r *dispatch.Registry) {
	s.eng = r.Engine()
	if s.cfg.Clock == nil {
		s.cfg.Clock = s.eng.Clock()
	}
	handle(r, cc112.EvCallStarted, s.applyCallStarted)
	handle(r, cc112.EvCallLocated, s.applyCallLocated)
	handle(r, cc112.EvCallLinked, s.applyCallLinked)
	handle(r, cc112.EvCallClosed, s.applyCallClosed)
	handle(r, cc112.EvAMLPending, s.applyAMLPending)
	handle(r, cc112.EvComplaintReceived, s.applyComplaintReceived)
	handle(r, cc112.EvComplaintForwarded, s.applyForwarded)
	handle(r, cc112.EvComplaintResponded, s.applyResponded)
	handle(r, cc112.EvComplaintFeedback, s.applyFeedback)
	handle(r, cc112.EvComplaintEscalationDue, s.applyEscalationDue)
	handle(r, cc112.EvComplaintEscalationSent, s.applyEscalationSent)
	handle(r, cc112.EvComplaintEscalationFailed, s.applyEscalationFailed)
	handle(r, cc112.EvComplaintReforwarded, s.applyReforwarded)
	handle(r, cc112.EvComplaintTriageOverdue, s.applyTriageOverdue)
	handle(r, cc112.EvComplaintNoticeDue, s.applyNoticeDue)
	handle(r, cc112.EvComplaintRated, s.applyRated)
	handle(r, cc112.EvComplaintMailQuarantine, s.applyQuarantined)
}

// changedFunc is dispatch.Fold.Changed: what the live feed hears once the
// event is applied.
type changedFunc = func(name string, current func() any)

// handle registers a typed apply function that needs the event's time.
func handle[T any](r *dispatch.Registry, typ string, fn func(at time.Time, p T, changed changedFunc) error) {
	dispatch.Handle(r, typ, func(f *dispatch.Fold, p T) error { return fn(f.At, p, f.Changed) })
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC() }

func timePtr(t time.Time) *time.Time { return &t }
