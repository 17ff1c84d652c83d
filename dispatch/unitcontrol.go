package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cc112"
)

// Unit control: what a dispatcher does to one unit besides the response
// plan's auto-assignment: send any available unit, divert a working one,
// release one, set its status for a crew that reported by radio, and take
// it out of service and back.

// UnitOrder is a dispatcher's assignment of one unit to an incident: any
// available unit or, with Divert, one working another incident, moved here
// (released there with Reason, which that incident's last unit must give;
// a unit freed meanwhile is simply assigned).
type UnitOrder struct {
	UnitID string
	Divert bool
	Reason string
}

// AssignAs sends the ordered unit to an incident on behalf of by, whose
// desk may be bound to one agency's units. A diversion is one command:
// the release and the new assignment are journaled together.
func (e *Engine) AssignAs(ctx context.Context, incidentID string, o UnitOrder, by Author, key, fingerprint string) (*AssignResult, error) {
	reason, err := optionalReason(o.Reason)
	if err != nil {
		return nil, err
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*AssignResult, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		u, err := e.controlledUnit(o.UnitID, by)
		if err != nil {
			return nil, err
		}
		switch {
		case u.IncidentID == inc.ID:
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is already on %s", u.Callsign, inc.Number).Because(cc112.RUnitNotAvailable)
		case o.Divert && u.IncidentID != "":
			if err := e.release(tx, e.incidents[u.IncidentID], u, reason, by, inc.ID); err != nil {
				return nil, err
			}
		case u.Status == cc112.UnitOffduty && u.OutOfService != "":
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is out of service (%s)", u.Callsign, u.OutOfService).Because(cc112.RUnitNotAvailable)
		case u.Status != cc112.UnitAvailable:
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is %s, not available", u.Callsign, u.Status).Because(cc112.RUnitNotAvailable)
		case !e.onShift(u.ID, tx.Now()):
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is off shift: no roster shift covers now", u.Callsign).Because(cc112.RUnitNotAvailable)
		}
		eta, method := e.predictETA(u, inc.Location)
		tx.Emit(cc112.EvUnitAssigned, cc112.UnitAssignedPayload{IncidentID: inc.ID, UnitID: u.ID, PredictedETAS: eta, ETAMethod: method})
		return &AssignResult{Incident: e.incidents[inc.ID].Clone(), Assigned: []string{u.ID}, Missing: []cc112.Need{}}, nil
	})
}

// ReleaseUnit takes one unit off an open incident, which keeps its other
// units; the last one needs a reason (the incident then waits for a unit
// again).
func (e *Engine) ReleaseUnit(ctx context.Context, incidentID, unitID, reason string, by Author, key, fingerprint string) (*cc112.Incident, error) {
	reason, err := optionalReason(reason)
	if err != nil {
		return nil, err
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		u, err := e.controlledUnit(unitID, by)
		if err != nil {
			return nil, err
		}
		if err := e.release(tx, inc, u, reason, by, ""); err != nil {
			return nil, err
		}
		return e.incidents[inc.ID].Clone(), nil
	})
}

// release emits the release of a unit working inc (to: the incident it is
// diverted to, if any).
func (e *Engine) release(tx *Tx, inc *cc112.Incident, u *cc112.Unit, reason string, by Author, to string) error {
	if u.IncidentID != inc.ID {
		return cc112.Errorf(cc112.EConflict, "unit %s is not on %s", u.Callsign, inc.Number)
	}
	if reason == "" && activeUnits(inc) == 1 {
		return cc112.Errorf(cc112.EInvalid, "reason is required: %s is the last unit on %s, which will wait for a unit again", u.Callsign, inc.Number)
	}
	tx.Emit(cc112.EvUnitReleased, cc112.UnitReleasedPayload{IncidentID: inc.ID, UnitID: u.ID, Reason: reason,
		By: by.Username, Role: by.Role, DivertedTo: to})
	return nil
}

// SetUnitStatusAs records a unit's status change; by names the dispatcher
// who set it on the crew's behalf (nil: the crew itself), journaled so.
func (e *Engine) SetUnitStatusAs(ctx context.Context, unitID string, status cc112.UnitStatus, by *Author, key, fingerprint string) (*cc112.Unit, error) {
	return e.ChangeUnitStatus(ctx, unitID, status, nil, by, key, fingerprint)
}

// SetUnitStatusTo is SetUnitStatus with the hospital a transporting unit
// goes to (transporting and at_hospital only; nil keeps the one given
// before).
func (e *Engine) SetUnitStatusTo(ctx context.Context, unitID string, status cc112.UnitStatus, hospital *cc112.Hospital, key, fingerprint string) (*cc112.Unit, error) {
	return e.ChangeUnitStatus(ctx, unitID, status, hospital, nil, key, fingerprint)
}

// ChangeUnitStatus is every status change: the crew's own (by nil) or a
// dispatcher's on its behalf, with a hospital for a transport.
func (e *Engine) ChangeUnitStatus(ctx context.Context, unitID string, status cc112.UnitStatus, hospital *cc112.Hospital, by *Author, key, fingerprint string) (*cc112.Unit, error) {
	if hospital != nil {
		if status != cc112.UnitTransporting && status != cc112.UnitAtHospital {
			return nil, cc112.Errorf(cc112.EInvalid, "hospital goes with transporting or at_hospital, not %s", status)
		}
		if err := cc112.CheckText("hospital", hospital.Name, maxAddress); err != nil {
			return nil, err
		}
		if err := cc112.CheckPoint(hospital.Location); err != nil {
			return nil, err
		}
	}
	return Run(ctx, e, key, fingerprint, func(tx *Tx) (*cc112.Unit, error) {
		var on Author
		if by != nil {
			on = *by
		}
		u, err := e.controlledUnit(unitID, on)
		if err != nil {
			return nil, err
		}
		if err := e.checkUnitTransition(u, status); err != nil {
			return nil, err
		}
		newHospital := hospital != nil && (u.Hospital == nil || *u.Hospital != *hospital)
		if status != u.Status || newHospital { // a repeated tap changes nothing
			p := cc112.UnitStatusPayload{UnitID: u.ID, Status: status, Hospital: hospital}
			if by != nil {
				p.By, p.Role, p.OnBehalf = by.Username, by.Role, true
			}
			tx.Emit(cc112.EvUnitStatus, p)
		}
		uc := *u
		return &uc, nil
	})
}

// SetUnitService takes a free unit out of service (off duty, with the
// reason) or puts it back (available). A unit on an incident is refused:
// release it first.
func (e *Engine) SetUnitService(ctx context.Context, unitID string, inService bool, reason string, by Author, key, fingerprint string) (*cc112.Unit, error) {
	reason, err := optionalReason(reason)
	if err != nil {
		return nil, err
	}
	if !inService && reason == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "reason is required to put a unit out of service")
	}
	return Run(ctx, e, key, fingerprint, func(tx *Tx) (*cc112.Unit, error) {
		u, err := e.controlledUnit(unitID, by)
		if err != nil {
			return nil, err
		}
		switch {
		case u.IncidentID != "":
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is on an incident: release it first", u.Callsign)
		case !inService && u.OutOfService != "":
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is already out of service (%s)", u.Callsign, u.OutOfService)
		case inService && u.Status == cc112.UnitAvailable:
			return nil, cc112.Errorf(cc112.EConflict, "unit %s is already in service", u.Callsign)
		}
		tx.Emit(cc112.EvUnitService, cc112.UnitServicePayload{UnitID: u.ID, InService: inService, Reason: reason,
			By: by.Username, Role: by.Role})
		uc := *e.units[u.ID]
		return &uc, nil
	})
}

// controlledUnit finds a unit a command acts on; a desk bound to one
// agency may act on that agency's units only.
func (e *Engine) controlledUnit(id string, by Author) (*cc112.Unit, error) {
	u, ok := e.units[id]
	switch {
	case strings.TrimSpace(id) == "":
		return nil, cc112.Errorf(cc112.EInvalid, "unit_id is required")
	case !ok:
		return nil, cc112.Errorf(cc112.ENotFound, "unit %q not found", id)
	case by.Agency != "" && u.Agency != by.Agency:
		return nil, cc112.Errorf(cc112.EForbidden, "unit %s belongs to %s: this desk controls %s units only", u.Callsign, u.Agency, by.Agency)
	}
	return u, nil
}

// optionalReason checks a reason that may be empty.
func optionalReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	return reason, cc112.CheckLines("reason", reason, maxDisposition)
}

func activeUnits(inc *cc112.Incident) int {
	n := 0
	for _, a := range inc.Assignments {
		if a.Active() {
			n++
		}
	}
	return n
}

// applyReleased clears one unit's assignment and frees it; an incident
// left without units goes back to the queue as waiting (new), keeping its
// first clocks.
func (e *Engine) applyReleased(at time.Time, p cc112.UnitReleasedPayload) error {
	inc, u, err := e.appliedPair(p.IncidentID, p.UnitID)
	if err != nil {
		return err
	}
	_, a := e.activeAssignment(u)
	if u.IncidentID != inc.ID || a == nil || !inc.Active() {
		return fmt.Errorf("unit %s is not working incident %s", u.ID, inc.ID)
	}
	a.ClearedAt = &at
	u.Status, u.StatusAt, u.IncidentID, u.StatusBy = cc112.UnitAvailable, at, "", ""
	ev := "released"
	if p.DivertedTo != "" {
		ev = "diverted"
	}
	inc.Changes = append(inc.Changes, cc112.Change{At: at, Event: ev, By: p.By, Role: p.Role, Reason: p.Reason,
		UnitID: u.ID, Callsign: u.Callsign})
	if activeUnits(inc) == 0 {
		inc.Status = cc112.IncidentNew
	}
	e.changedUnit(cc112.LiveUnitUpdated, u)
	e.changedIncident(cc112.LiveIncidentUpdated, inc)
	return nil
}

// applyService puts a free unit out of service (off duty, with the
// reason) or back (available).
func (e *Engine) applyService(at time.Time, p cc112.UnitServicePayload) error {
	u, err := e.appliedUnit(p.UnitID)
	if err != nil {
		return err
	}
	if u.IncidentID != "" {
		return fmt.Errorf("unit %s is on incident %s", u.ID, u.IncidentID)
	}
	u.StatusAt, u.StatusBy = at, p.By
	u.OffShift = p.Shift && !p.InService
	if p.InService {
		u.Status, u.OutOfService = cc112.UnitAvailable, ""
	} else {
		u.Status, u.OutOfService = cc112.UnitOffduty, p.Reason
	}
	e.changedUnit(cc112.LiveUnitUpdated, u)
	return nil
}
