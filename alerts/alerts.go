// Package alerts raises what needs a dispatcher: an incident waiting for a
// unit, a dispatched unit that has not acknowledged, one en route too long
// or on scene too long, a unit type the city has run out of, a district
// group below its cover. It extends the dispatch engine: every alert is a
// journaled event (alert.raised, alert.acknowledged, alert.cleared), and
// its timers are computed from the journal's times and the injected clock,
// never from timers in memory, so a restarted or promoted leader finds the
// same alerts due at the same instants and raises none twice.
package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"cc112"
	"cc112/dispatch"
)

// LivePayloads gives the type of the data of the alerts' live events, as
// dispatch.LivePayloads.
var LivePayloads = map[string]func() any{
	cc112.LiveAlertRaised:       func() any { return new(cc112.Alert) },
	cc112.LiveAlertAcknowledged: func() any { return new(cc112.Alert) },
	cc112.LiveAlertCleared:      func() any { return new(cc112.Alert) },
}

// Service holds the alerts. Its methods are safe for concurrent use; its
// state is guarded by the engine's lock, written only by the apply
// functions.
type Service struct {
	cfg Config
	eng *dispatch.Engine
	log *slog.Logger

	alerts map[string]*cc112.Alert
	order  []*cc112.Alert          // in the order raised
	open   map[string]*cc112.Alert // by condition key, not cleared
}

// New returns a service; pass it to dispatch.New, which registers it.
func New(cfg Config) *Service {
	cfg = cfg.withDefaults()
	return &Service{cfg: cfg, log: cfg.Logger, alerts: map[string]*cc112.Alert{}, open: map[string]*cc112.Alert{}}
}

// Register adds the alert events to the engine.
func (s *Service) Register(r *dispatch.Registry) {
	s.eng = r.Engine()
	if s.cfg.Clock == nil {
		s.cfg.Clock = s.eng.Clock()
	}
	dispatch.Handle(r, cc112.EvAlertRaised, func(f *dispatch.Fold, a cc112.Alert) error { return s.applyRaised(f, a) })
	dispatch.Handle(r, cc112.EvAlertAcknowledged, func(f *dispatch.Fold, p cc112.AlertAcknowledgedPayload) error {
		a, ok := s.alerts[p.AlertID]
		if !ok {
			return fmt.Errorf("unknown alert %q", p.AlertID)
		}
		if a.AcknowledgedAt != nil {
			return fmt.Errorf("alert %s acknowledged twice", a.ID)
		}
		at := f.At
		a.AcknowledgedBy, a.AcknowledgedAt = p.By, &at
		f.Changed(cc112.LiveAlertAcknowledged, func() any { return a.Clone() })
		return nil
	})
	dispatch.Handle(r, cc112.EvAlertCleared, func(f *dispatch.Fold, p cc112.AlertClearedPayload) error {
		a, ok := s.alerts[p.AlertID]
		if !ok || !a.Open() {
			return fmt.Errorf("alert %q is not open", p.AlertID)
		}
		at := f.At
		a.ClearedAt = &at
		delete(s.open, a.Key)
		f.Changed(cc112.LiveAlertCleared, func() any { return a.Clone() })
		return nil
	})
}

func (s *Service) applyRaised(f *dispatch.Fold, a cc112.Alert) error {
	if _, dup := s.alerts[a.ID]; dup {
		return fmt.Errorf("alert %s raised twice", a.ID)
	}
	if old := s.open[a.Key]; old != nil {
		return fmt.Errorf("condition %s has alert %s open already", a.Key, old.ID)
	}
	a.RaisedAt, a.AcknowledgedAt, a.AcknowledgedBy, a.ClearedAt = f.At, nil, "", nil
	s.alerts[a.ID] = &a
	s.order = append(s.order, &a)
	s.open[a.Key] = &a
	f.Changed(cc112.LiveAlertRaised, func() any { return a.Clone() })
	return nil
}

// Config is the configuration in force (defaults filled in).
func (s *Service) Config() Config { return s.cfg }

func (s *Service) cityOf(st dispatch.State) city {
	return city{incidents: st.ActiveIncidents(), units: st.Units(), plan: st.Plan(), locate: st.District}
}

// changes is what a check at now would journal: alerts to raise (due,
// none open for the key) and open alerts whose condition is gone.
func (s *Service) changes(st dispatch.State, now time.Time) (raise []cc112.Alert, clear []string) {
	holds := s.cfg.conditions(s.cityOf(st))
	for _, a := range s.order {
		if a.Open() {
			if _, ok := holds[a.Key]; !ok {
				clear = append(clear, a.ID)
			}
		}
	}
	n := len(s.alerts)
	for _, c := range sortedByKey(holds) {
		if s.open[c.Key] != nil || c.DueAt.After(now) {
			continue
		}
		n++
		c.ID = fmt.Sprintf("al-%06d", n)
		raise = append(raise, c.Alert)
	}
	return raise, clear
}

// Check journals the alerts due at the clock's now and clears those whose
// condition is gone. Only the writer runs it (a standby's engine refuses
// the command); exactly once: the command recomputes under the writer's
// lock, and an open alert holds its condition's key until cleared, so a
// condition is raised once however often, and on whichever instance of a
// pair, it is checked. It returns how many alerts it raised and cleared.
func (s *Service) Check(ctx context.Context) (raised, cleared int, err error) {
	now := s.cfg.Clock.Now().UTC()
	pending := false
	s.eng.ReadState(func(st dispatch.State) {
		r, c := s.changes(st, now)
		pending = len(r)+len(c) > 0
	})
	if !pending {
		return 0, 0, nil
	}
	type counts struct{ r, c int }
	n, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (counts, error) {
		r, c := s.changes(tx.State(), tx.Now())
		for _, id := range c {
			tx.Emit(cc112.EvAlertCleared, cc112.AlertClearedPayload{AlertID: id})
		}
		for _, a := range r {
			tx.Emit(cc112.EvAlertRaised, a)
		}
		return counts{len(r), len(c)}, nil
	})
	return n.r, n.c, err
}

// Run checks every tick until ctx ends. The clock decides what is due;
// tick only sets how often to look.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	dispatch.Every(ctx, tick, func() {
		if _, _, err := s.Check(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("alert check", "err", err)
		}
	})
}

// Acknowledge records that by (a dispatcher) has seen the alert: its
// sound stops. An unknown alert is not found, a second acknowledgement a
// conflict naming who was first.
func (s *Service) Acknowledge(ctx context.Context, id, by, role, key, fingerprint string) (*cc112.Alert, error) {
	return dispatch.Run(ctx, s.eng, key, fingerprint, func(tx *dispatch.Tx) (*cc112.Alert, error) {
		a, ok := s.alerts[id]
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "alert %q not found", id)
		}
		if a.AcknowledgedAt != nil {
			return nil, cc112.Errorf(cc112.EConflict, "alert %s was acknowledged by %s at %s", a.ID, a.AcknowledgedBy,
				a.AcknowledgedAt.In(cc112.WIB).Format("15:04:05 WIB"))
		}
		tx.Emit(cc112.EvAlertAcknowledged, cc112.AlertAcknowledgedPayload{AlertID: id, By: by, Role: role})
		return a.Clone(), nil
	})
}

// List pages through the alerts newest first: state "open" (not cleared,
// the default) or "all"; the cursor is the last alert's id.
func (s *Service) List(state string, req cc112.PageRequest) (cc112.Page[*cc112.Alert], error) {
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "all" {
		return cc112.Page[*cc112.Alert]{}, cc112.Errorf(cc112.EInvalid, "state must be open or all, got %q", state)
	}
	if err := req.Check(); err != nil {
		return cc112.Page[*cc112.Alert]{}, err
	}
	cursor, limit := req.Cursor, req.Limit
	page := cc112.Page[*cc112.Alert]{Items: []*cc112.Alert{}}
	badCursor := false
	s.eng.Read(func() {
		start := len(s.order) - 1
		if cursor != "" {
			k := s.index(cursor)
			if badCursor = k < 0; badCursor {
				return
			}
			start = k - 1
		}
		for k := start; k >= 0; k-- {
			a := s.order[k]
			if state == "open" && !a.Open() {
				continue
			}
			if len(page.Items) == limit {
				page.NextCursor = page.Items[limit-1].ID
				break
			}
			page.Items = append(page.Items, a.Clone())
		}
	})
	if badCursor {
		return cc112.Page[*cc112.Alert]{}, cc112.ErrBadCursor()
	}
	return page, nil
}

// index is the position of alert id in order (ids are al-NNNNNN, raised
// in that order), -1 when unknown. Caller holds the engine's lock.
func (s *Service) index(id string) int {
	var n int
	if _, err := fmt.Sscanf(strings.TrimPrefix(id, "al-"), "%d", &n); err != nil || n < 1 || n > len(s.order) || s.order[n-1].ID != id {
		return -1
	}
	return n - 1
}

// Alert returns one alert.
func (s *Service) Alert(id string) (*cc112.Alert, error) {
	var out *cc112.Alert
	s.eng.Read(func() {
		if a, ok := s.alerts[id]; ok {
			out = a.Clone()
		}
	})
	if out == nil {
		return nil, cc112.Errorf(cc112.ENotFound, "alert %q not found", id)
	}
	return out, nil
}

// Coverage is the board: per district group and agency, units available
// now against the minimum.
type Coverage struct {
	Groups []Group       `json:"groups"`
	Rows   []CoverageRow `json:"rows"`
	At     time.Time     `json:"at"`
}

// Coverage counts the cover now.
func (s *Service) Coverage() Coverage {
	out := Coverage{Groups: s.cfg.Coverage, Rows: []CoverageRow{}, At: s.cfg.Clock.Now().UTC()}
	if out.Groups == nil {
		out.Groups = []Group{}
	}
	s.eng.ReadState(func(st dispatch.State) {
		out.Rows = append(out.Rows, s.cfg.coverage(s.cityOf(st))...)
	})
	return out
}

func sortedByKey(m map[string]condition) []condition {
	out := make([]condition, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sortConditions(out)
	return out
}
