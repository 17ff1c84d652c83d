package dispatch

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cc112"
)

// AcknowledgeAssignment records that the unit has seen its dispatch (its
// crew tapped "Terima"): the time goes on its active assignment. A unit
// without an assignment is a conflict; a repeated tap changes nothing and
// answers the incident as it is.
func (e *Engine) AcknowledgeAssignment(ctx context.Context, unitID, key, fingerprint string) (*cc112.Incident, error) {
	return Run(ctx, e, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		u, ok := e.units[unitID]
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "unit %q not found", unitID)
		}
		inc, a := e.activeAssignment(u)
		if a == nil {
			return nil, cc112.Errorf(cc112.EConflict, "unit %s has no assignment to acknowledge", u.Callsign)
		}
		if a.AcknowledgedAt == nil {
			tx.Emit(cc112.EvAssignmentAcknowledged, cc112.AssignmentAcknowledgedPayload{IncidentID: inc.ID, UnitID: u.ID})
		}
		return e.incidents[inc.ID].Clone(), nil
	})
}

func (e *Engine) applyAcknowledged(at time.Time, p cc112.AssignmentAcknowledgedPayload) error {
	inc, err := e.appliedIncident(p.IncidentID)
	if err != nil {
		return err
	}
	for k := len(inc.Assignments) - 1; k >= 0; k-- {
		if a := inc.Assignments[k]; a.UnitID == p.UnitID && a.Active() {
			if a.AcknowledgedAt == nil {
				a.AcknowledgedAt = &at
			}
			e.changedIncident(cc112.LiveIncidentUpdated, inc)
			return nil
		}
	}
	return fmt.Errorf("unit %q has no active assignment on incident %s", p.UnitID, inc.ID)
}

// Unacked is an active assignment its unit has not acknowledged.
type Unacked struct {
	IncidentID   string
	Number       string
	Category     cc112.Category
	Address      string
	UnitID       string
	Callsign     string
	DispatchedAt time.Time
}

// Key names the dispatch (a unit sent to an incident at a time): a unit
// sent twice to one incident is two dispatches.
func (u Unacked) Key() string {
	return fmt.Sprintf("%s/%s/%d", u.IncidentID, u.UnitID, u.DispatchedAt.UnixMilli())
}

// Unacknowledged lists the active assignments dispatched at or before
// cutoff that their unit has not acknowledged, oldest first.
func (e *Engine) Unacknowledged(cutoff time.Time) []Unacked {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.unacknowledged(cutoff)
}

// Unacknowledged is Engine.Unacknowledged inside a command (the command
// holds the engine's lock).
func (tx *Tx) Unacknowledged(cutoff time.Time) []Unacked { return tx.e.unacknowledged(cutoff) }

func (e *Engine) unacknowledged(cutoff time.Time) []Unacked {
	var out []Unacked
	for _, en := range e.index.active {
		inc := en.inc
		for _, a := range inc.Assignments {
			if a.Active() && a.AcknowledgedAt == nil && a.Status == cc112.UnitDispatched && !a.DispatchedAt.After(cutoff) {
				out = append(out, Unacked{IncidentID: inc.ID, Number: inc.Number, Category: inc.Category, Address: inc.Address,
					UnitID: a.UnitID, Callsign: a.Callsign, DispatchedAt: a.DispatchedAt})
			}
		}
	}
	sortUnacked(out)
	return out
}

func sortUnacked(list []Unacked) {
	sort.Slice(list, func(a, b int) bool {
		if !list[a].DispatchedAt.Equal(list[b].DispatchedAt) {
			return list[a].DispatchedAt.Before(list[b].DispatchedAt)
		}
		return list[a].Key() < list[b].Key()
	})
}

// Unit returns a copy of a unit inside a command (extensions check what
// their command names against the core's state).
func (tx *Tx) Unit(id string) (cc112.Unit, bool) {
	u, ok := tx.e.units[id]
	if !ok {
		return cc112.Unit{}, false
	}
	return *u, true
}

// Incident returns a copy of an incident inside a command (an archived one
// when the command runs through RunOn).
func (tx *Tx) Incident(id string) (*cc112.Incident, bool) {
	inc, ok := tx.incident(id)
	if !ok {
		return nil, false
	}
	return inc.Clone(), true
}

// AgencyUnits lists the ids of an agency's units inside a command, sorted.
func (tx *Tx) AgencyUnits(agency string) []string {
	var out []string
	for _, u := range tx.e.units {
		if u.Agency == agency {
			out = append(out, u.ID)
		}
	}
	sort.Strings(out)
	return out
}
