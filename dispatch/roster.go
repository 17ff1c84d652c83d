package dispatch

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"cc112"
)

// The roster: who is on each unit from when to when. A unit with a roster
// is in service only during its shifts (RunSchedule takes it out and puts
// it back on the injected clock, and the recommender never offers it
// outside them); a unit without one is in service until a dispatcher says
// otherwise, as before. The journal keeps every change, so RosterAt
// answers for any past time, across restarts; shifts ended longer than
// the history window ago are read from the journal's shift archive
// (pastroster.go).

// OffShiftReason is the out-of-service reason the schedule gives.
const OffShiftReason = "off shift"

// Limits on a roster change, so that one request cannot bloat the state.
const (
	maxShifts    = 200
	maxCrew      = 12
	maxShiftSpan = 48 * time.Hour
)

// ShiftInput is one shift of a roster change.
type ShiftInput struct {
	Crew []string  `json:"crew"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// SetRoster replaces the unit's shifts from now on: shifts already over
// stay as they were (the past is the record), one under way ends now, and
// the given ones begin no earlier than now (a shift given as begun earlier
// is kept from now). No shifts at all takes the unit off the schedule: it
// is in service until a dispatcher says otherwise. A crew member cannot be
// on two units at once. It answers the unit's roster from now on.
func (e *Engine) SetRoster(ctx context.Context, unitID string, shifts []ShiftInput, by Author, key, fingerprint string) ([]cc112.Shift, error) {
	if len(shifts) > maxShifts {
		return nil, cc112.Errorf(cc112.EInvalid, "shifts: at most %d at once, got %d", maxShifts, len(shifts))
	}
	for k, s := range shifts {
		if err := s.validate(k); err != nil {
			return nil, err
		}
	}
	return Run(ctx, e, key, fingerprint, func(tx *Tx) ([]cc112.Shift, error) {
		u, err := e.controlledUnit(unitID, by)
		if err != nil {
			return nil, err
		}
		now := tx.Now()
		out := make([]cc112.Shift, 0, len(shifts))
		for k, s := range shifts {
			if !s.To.After(now) {
				return nil, cc112.Errorf(cc112.EInvalid, "shifts[%d]: ends %s, which is over: the roster of the past is the record and is not changed", k, s.To.Format(time.RFC3339))
			}
			from := s.From.UTC()
			if from.Before(now) {
				from = now
			}
			out = append(out, cc112.Shift{UnitID: u.ID, Crew: trimCrew(s.Crew), From: from, To: s.To.UTC()})
		}
		sort.SliceStable(out, func(a, b int) bool { return out[a].From.Before(out[b].From) })
		for k := 1; k < len(out); k++ {
			if out[k].From.Before(out[k-1].To) {
				return nil, cc112.Errorf(cc112.EInvalid, "shifts overlap: %s–%s and %s–%s", out[k-1].From.Format(time.RFC3339),
					out[k-1].To.Format(time.RFC3339), out[k].From.Format(time.RFC3339), out[k].To.Format(time.RFC3339))
			}
		}
		if err := e.checkCrewFree(u.ID, out); err != nil {
			return nil, err
		}
		tx.Emit(cc112.EvRosterSet, cc112.RosterSetPayload{UnitID: u.ID, Shifts: out, By: by.Username, Role: by.Role})
		return e.rosterFrom(u.ID, now), nil
	})
}

func (s ShiftInput) validate(k int) error {
	switch {
	case s.From.IsZero() || s.To.IsZero():
		return cc112.Errorf(cc112.EInvalid, "shifts[%d]: from and to (RFC 3339) are required", k)
	case !s.To.After(s.From):
		return cc112.Errorf(cc112.EInvalid, "shifts[%d]: to must be after from", k)
	case s.To.Sub(s.From) > maxShiftSpan:
		return cc112.Errorf(cc112.EInvalid, "shifts[%d]: a shift is at most %s long, got %s", k, maxShiftSpan, s.To.Sub(s.From))
	case len(s.Crew) == 0 || len(s.Crew) > maxCrew:
		return cc112.Errorf(cc112.EInvalid, "shifts[%d]: crew must name 1 to %d people", k, maxCrew)
	}
	if err := cc112.CheckInstant(fmt.Sprintf("shifts[%d].from", k), s.From); err != nil {
		return err
	}
	if err := cc112.CheckInstant(fmt.Sprintf("shifts[%d].to", k), s.To); err != nil {
		return err
	}
	seen := map[string]bool{}
	for j, c := range s.Crew {
		name := strings.TrimSpace(c)
		if name == "" {
			return cc112.Errorf(cc112.EInvalid, "shifts[%d].crew[%d]: empty name", k, j)
		}
		if err := cc112.CheckText(fmt.Sprintf("shifts[%d].crew[%d]", k, j), name, maxName); err != nil {
			return err
		}
		if seen[name] {
			return cc112.Errorf(cc112.EInvalid, "shifts[%d].crew: %q is named twice", k, name)
		}
		seen[name] = true
	}
	return nil
}

func trimCrew(crew []string) []string {
	out := make([]string, len(crew))
	for k, c := range crew {
		out[k] = strings.TrimSpace(c)
	}
	return out
}

// checkCrewFree refuses shifts that put someone on two units at once.
// Caller holds the lock.
func (e *Engine) checkCrewFree(unitID string, shifts []cc112.Shift) error {
	for other, list := range e.rosters {
		if other == unitID {
			continue
		}
		// Newest first: the shifts ending before the first given one
		// begins (the history) cannot overlap it.
		for k := len(list) - 1; k >= 0 && len(shifts) > 0 && list[k].To.After(shifts[0].From); k-- {
			o := list[k]
			for _, s := range shifts {
				if !s.From.Before(o.To) || !o.From.Before(s.To) {
					continue
				}
				for _, name := range s.Crew {
					if slices.Contains(o.Crew, name) {
						return cc112.Errorf(cc112.EConflict, "%s is on unit %s from %s to %s", name, e.callsignOf(other),
							o.From.Format(time.RFC3339), o.To.Format(time.RFC3339))
					}
				}
			}
		}
	}
	return nil
}

// applyRoster keeps the shifts over at the event's time, ends the one under
// way then, and adds the new ones (joined to the one it ended when the same
// crew carries on).
func (e *Engine) applyRoster(at time.Time, p cc112.RosterSetPayload) error {
	if _, err := e.appliedUnit(p.UnitID); err != nil {
		return err
	}
	kept := []cc112.Shift{}
	for _, s := range e.rosters[p.UnitID] {
		if s.From.Before(at) {
			s.To = minTime(s.To, at)
			kept = append(kept, s)
		}
	}
	for _, s := range p.Shifts {
		if s.From.Before(at) || !s.To.After(s.From) {
			return fmt.Errorf("roster of %s: shift %s–%s does not begin after %s", p.UnitID, s.From, s.To, at)
		}
		if n := len(kept); n > 0 && kept[n-1].To.Equal(s.From) && slices.Equal(kept[n-1].Crew, s.Crew) {
			kept[n-1].To = s.To
			continue
		}
		kept = append(kept, s)
	}
	e.rosters[p.UnitID] = kept
	if len(p.Shifts) == 0 {
		e.unscheduled[p.UnitID] = true
	} else {
		delete(e.unscheduled, p.UnitID)
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// scheduled reports whether the unit's service follows a roster. Caller
// holds the lock.
func (e *Engine) scheduled(unitID string) bool {
	return len(e.rosters[unitID]) > 0 && !e.unscheduled[unitID]
}

// onShift reports whether the unit may work at t: always without a
// schedule, else when one of its shifts covers t. Caller holds the lock.
func (e *Engine) onShift(unitID string, t time.Time) bool {
	return e.onShiftNow(unitID, func() time.Time { return t })
}

// onShiftNow is onShift reading the time only for a unit with a schedule
// (the recommender asks for every candidate).
func (e *Engine) onShiftNow(unitID string, now func() time.Time) bool {
	if !e.scheduled(unitID) {
		return true
	}
	_, ok := shiftAt(e.rosters[unitID], now())
	return ok
}

// shiftAt is the shift of list covering t. A unit's shifts never overlap
// and are kept by start, so the one starting last at or before t is the
// only candidate: a binary search, however long the unit's history.
func shiftAt(list []cc112.Shift, t time.Time) (cc112.Shift, bool) {
	k := sort.Search(len(list), func(i int) bool { return list[i].From.After(t) }) - 1
	if k >= 0 && list[k].Covers(t) {
		return list[k], true
	}
	return cc112.Shift{}, false
}

// rosterFrom copies the unit's shifts that end after t: the answer of a
// PUT, bounded by the shifts it set. Caller holds the lock.
func (e *Engine) rosterFrom(unitID string, t time.Time) []cc112.Shift {
	out := []cc112.Shift{}
	for _, s := range e.rosters[unitID] {
		if s.To.After(t) {
			s.Crew = slices.Clone(s.Crew)
			out = append(out, s)
		}
	}
	return out
}

// callsignOf names a unit; a unit retired since (its roster stays in the
// record) by its id. Caller holds the lock.
func (e *Engine) callsignOf(id string) string {
	if u := e.units[id]; u != nil {
		return u.Callsign
	}
	return id
}

// ShiftOf is the shift naming username at t, for a unit account logging
// in for its shift (never on a unit retired since).
func (s State) ShiftOf(username string, t time.Time) (cc112.Shift, bool) {
	ids := make([]string, 0, len(s.e.rosters))
	for id := range s.e.rosters {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if sh, ok := shiftAt(s.e.rosters[id], t); ok && s.e.units[id] != nil && slices.Contains(sh.Crew, username) {
			return sh, true
		}
	}
	return cc112.Shift{}, false
}

// serviceDue is the schedule's change of one unit now: out of service when
// its shift is over and it is free, back when a shift has begun (or its
// schedule was removed) and the schedule took it out. Caller holds the lock.
func (e *Engine) serviceDue(u *cc112.Unit, now time.Time) (cc112.UnitServicePayload, bool) {
	if u == nil {
		return cc112.UnitServicePayload{}, false // retired: its roster is history only
	}
	on := e.onShift(u.ID, now)
	switch {
	case !on && u.Status == cc112.UnitAvailable && u.IncidentID == "":
		return cc112.UnitServicePayload{UnitID: u.ID, InService: false, Reason: OffShiftReason, Shift: true}, true
	case on && u.OffShift && u.Status == cc112.UnitOffduty:
		return cc112.UnitServicePayload{UnitID: u.ID, InService: true, Shift: true}, true
	}
	return cc112.UnitServicePayload{}, false
}

// ApplySchedule takes units out of service whose shift is over and puts
// back those whose shift has begun, as of the engine's clock, in one
// command; nothing due writes nothing.
func (e *Engine) ApplySchedule(ctx context.Context) error {
	due := false
	e.ReadState(func(State) {
		if e.refuse() != nil {
			return // a standby: its leader runs the schedule
		}
		now := e.now()
		for id := range e.rosters {
			if _, ok := e.serviceDue(e.units[id], now); ok {
				due = true
				return
			}
		}
	})
	if !due {
		return nil
	}
	_, err := e.exec(ctx, "", "", func(tx *Tx) (any, error) {
		ids := make([]string, 0, len(e.rosters))
		for id := range e.rosters {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if p, ok := e.serviceDue(e.units[id], tx.Now()); ok {
				tx.Emit(cc112.EvUnitService, p)
			}
		}
		return nil, nil
	})
	return err
}

// RunSchedule applies the schedule every tick until ctx ends (dispatchd
// runs it; tests call ApplySchedule at fixed instants).
func (e *Engine) RunSchedule(ctx context.Context, tick time.Duration) {
	Every(ctx, tick, func() {
		if err := e.ApplySchedule(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("roster schedule", "err", err)
		}
	})
}
