package dispatch

import (
	"encoding/json"
	"fmt"
	"time"

	"cc112"
)

// LivePayloads gives the type of the data of each of the engine's live
// events (cc112.LiveEvents): a standby's live feed decodes what it relays
// with it, to give each viewer its view.
var LivePayloads = map[string]func() any{
	cc112.LiveIncidentCreated: func() any { return new(cc112.Incident) },
	cc112.LiveIncidentUpdated: func() any { return new(cc112.Incident) },
	cc112.LiveUnitUpdated:     func() any { return new(cc112.Unit) },
	cc112.LiveUnitMoved:       func() any { return new(cc112.Unit) },
	cc112.LiveCameraUpdated:   func() any { return new(cc112.Camera) },
}

// cameraRecord is a camera with its RTSP URLs, which cc112.Camera hides
// from JSON so that they never reach a client.
type cameraRecord struct {
	cc112.Camera
	RTSPURL    string `json:"rtsp_url,omitempty"`
	SubRTSPURL string `json:"sub_rtsp_url,omitempty"`
}

func newCameraRecord(c cc112.Camera) cameraRecord {
	return cameraRecord{Camera: c, RTSPURL: c.RTSPURL, SubRTSPURL: c.SubRTSPURL}
}

func (r *cameraRecord) camera() cc112.Camera {
	c := r.Camera
	c.RTSPURL, c.SubRTSPURL = r.RTSPURL, r.SubRTSPURL
	return c
}

func decode[T any](ev cc112.Event) (T, error) {
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		return v, fmt.Errorf("decode %s payload: %w", ev.Type, err)
	}
	return v, nil
}

// apply changes the state by one event. It is deterministic: the same
// events in the same order give the same state, which is what replay needs.
// Errors mean a journal this binary does not understand.
func (e *Engine) apply(ev cc112.Event) error {
	switch ev.Type {
	case cc112.EvIncidentCreated:
		inc, err := decode[cc112.Incident](ev)
		if err != nil {
			return err
		}
		return e.applyIncidentCreated(&inc)
	case cc112.EvUnitAssigned:
		p, err := decode[cc112.UnitAssignedPayload](ev)
		if err != nil {
			return err
		}
		return e.applyAssigned(ev.At, p)
	case cc112.EvUnitStatus:
		p, err := decode[cc112.UnitStatusPayload](ev)
		if err != nil {
			return err
		}
		return e.applyUnitStatus(ev.At, p)
	case cc112.EvIncidentClosed:
		p, err := decode[cc112.IncidentClosedPayload](ev)
		if err != nil {
			return err
		}
		return e.applyClosed(ev.At, p)
	case cc112.EvCallerLinked:
		p, err := decode[cc112.CallerLinkedPayload](ev)
		if err != nil {
			return err
		}
		inc, ok := e.incidents[p.IncidentID]
		if !ok {
			return fmt.Errorf("unknown incident %q", p.IncidentID)
		}
		inc.Callers++
		e.publish(cc112.LiveIncidentUpdated, inc.Clone())
		return nil
	case cc112.EvUnitMoved:
		p, err := decode[cc112.UnitMovedPayload](ev)
		if err != nil {
			return err
		}
		u, ok := e.units[p.UnitID]
		if !ok {
			return fmt.Errorf("unknown unit %q", p.UnitID)
		}
		// A standby may hold a newer live fix (FollowPosition) than this
		// journal sample: keep it.
		if !(e.followed && ev.At.Before(u.PositionAt)) {
			e.moveUnit(u, ev.At, p)
		}
		e.posLogged[u.ID] = ev.At
		return nil
	case cc112.EvUnitRegistered:
		u, err := decode[cc112.Unit](ev)
		if err != nil {
			return err
		}
		if u.StatusAt.IsZero() {
			u.StatusAt = ev.At
		}
		if old, ok := e.units[u.ID]; ok && old.IncidentID != "" {
			return fmt.Errorf("unit %q re-registered while assigned", u.ID)
		}
		e.units[u.ID] = &u
		e.unitIndex.Set(u.ID, u.Location)
		e.publish(cc112.LiveUnitUpdated, u)
		return nil
	case cc112.EvCameraRegistered:
		c, err := decode[cameraRecord](ev)
		if err != nil {
			return err
		}
		e.cameras[c.ID] = &c
		e.camIndex.Set(c.ID, c.Location)
		e.publish(cc112.LiveCameraUpdated, c.Camera)
		return nil
	case cc112.EvCameraStatus:
		p, err := decode[cc112.CameraStatusPayload](ev)
		if err != nil {
			return err
		}
		c, ok := e.cameras[p.CameraID]
		if !ok {
			return fmt.Errorf("unknown camera %q", p.CameraID)
		}
		c.Status = p.Status
		at := ev.At
		c.StatusAt = &at
		e.publish(cc112.LiveCameraUpdated, c.Camera)
		return nil
	case cc112.EvIncidentImported:
		if p := e.takeImporting(); p != nil {
			return e.applyImported(*p)
		}
		p, err := decode[cc112.IncidentImportedPayload](ev)
		if err != nil {
			return err
		}
		return e.applyImported(p)
	case cc112.EvCommandKey:
		p, err := decode[keyPayload](ev)
		if err != nil {
			return err
		}
		e.applyKey(ev.At, p)
		return nil
	}
	if a, ok := e.appliers[ev.Type]; ok {
		return a(ev, e.publish)
	}
	if ev.Type == cc112.EvJournalRefused {
		return nil // seqs of a command the journal could not store
	}
	return fmt.Errorf("unknown event type %q (journal written by a newer dispatchd?)", ev.Type)
}

func (e *Engine) applyIncidentCreated(inc *cc112.Incident) error {
	if _, dup := e.incidents[inc.ID]; dup {
		return fmt.Errorf("incident %q exists", inc.ID)
	}
	if inc.Assignments == nil {
		inc.Assignments = []*cc112.Assignment{}
	}
	counted := e.numbers.Count(inc.ReceivedAt)
	if inc.Number == "" { // journaled before numbers were
		inc.Number = counted
	}
	e.incidents[inc.ID] = inc
	e.touched(inc)
	e.publish(cc112.LiveIncidentCreated, inc.Clone())
	return nil
}

func (e *Engine) applyAssigned(at time.Time, p cc112.UnitAssignedPayload) error {
	inc, ok := e.incidents[p.IncidentID]
	if !ok {
		return fmt.Errorf("unknown incident %q", p.IncidentID)
	}
	u, ok := e.units[p.UnitID]
	if !ok {
		return fmt.Errorf("unknown unit %q", p.UnitID)
	}
	if u.Status != cc112.UnitAvailable || !inc.Active() {
		return fmt.Errorf("unit %s is %s, incident %s is %s", u.ID, u.Status, inc.ID, inc.Status)
	}
	u.Status, u.StatusAt, u.IncidentID = cc112.UnitDispatched, at, inc.ID
	inc.Assignments = append(inc.Assignments, &cc112.Assignment{
		UnitID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency,
		Status: cc112.UnitDispatched, DispatchedAt: at,
	})
	if inc.DispatchedAt == nil {
		inc.DispatchedAt = &at
	}
	advance(inc, cc112.IncidentDispatched)
	e.touched(inc)
	e.publish(cc112.LiveUnitUpdated, *u)
	e.publish(cc112.LiveIncidentUpdated, inc.Clone())
	return nil
}

// incidentRank orders incident statuses so that an incident only moves forward.
var incidentRank = map[cc112.IncidentStatus]int{
	cc112.IncidentNew: 0, cc112.IncidentDispatched: 1, cc112.IncidentEnroute: 2,
	cc112.IncidentOnscene: 3, cc112.IncidentClosed: 4,
}

func advance(inc *cc112.Incident, to cc112.IncidentStatus) {
	if incidentRank[to] > incidentRank[inc.Status] {
		inc.Status = to
	}
}

func (e *Engine) activeAssignment(u *cc112.Unit) (*cc112.Incident, *cc112.Assignment) {
	inc := e.incidents[u.IncidentID]
	if inc == nil {
		return nil, nil
	}
	for k := len(inc.Assignments) - 1; k >= 0; k-- {
		if a := inc.Assignments[k]; a.UnitID == u.ID && a.Active() {
			return inc, a
		}
	}
	return inc, nil
}

func (e *Engine) applyUnitStatus(at time.Time, p cc112.UnitStatusPayload) error {
	u, ok := e.units[p.UnitID]
	if !ok {
		return fmt.Errorf("unknown unit %q", p.UnitID)
	}
	if err := e.checkUnitTransition(u, p.Status); err != nil {
		return err
	}
	inc, a := e.activeAssignment(u)
	u.Status, u.StatusAt = p.Status, at
	if a != nil {
		switch p.Status {
		case cc112.UnitEnroute:
			a.Status, a.EnrouteAt = p.Status, &at
			if inc.EnrouteAt == nil {
				inc.EnrouteAt = &at
			}
			advance(inc, cc112.IncidentEnroute)
		case cc112.UnitOnscene:
			a.Status, a.OnsceneAt = p.Status, &at
			if inc.OnsceneAt == nil {
				inc.OnsceneAt = &at
			}
			advance(inc, cc112.IncidentOnscene)
		case cc112.UnitAvailable:
			a.ClearedAt = &at
			u.IncidentID = ""
		}
		e.touched(inc)
		e.publish(cc112.LiveIncidentUpdated, inc.Clone())
	}
	e.publish(cc112.LiveUnitUpdated, *u)
	return nil
}

// checkUnitTransition holds the unit status rules: forward only while on an
// incident (skipping a step is allowed: a crew may forget to tap en route),
// available clears the unit from its incident, off duty only when free.
func (e *Engine) checkUnitTransition(u *cc112.Unit, to cc112.UnitStatus) error {
	if !to.Valid() {
		return cc112.Errorf(cc112.EInvalid, "unknown unit status %q", to)
	}
	if u.IncidentID == "" {
		switch to {
		case cc112.UnitAvailable, cc112.UnitOffduty:
			return nil
		}
		return cc112.Errorf(cc112.EConflict, "unit %s has no incident: it cannot be %s", u.Callsign, to)
	}
	rank := map[cc112.UnitStatus]int{cc112.UnitDispatched: 1, cc112.UnitEnroute: 2, cc112.UnitOnscene: 3}
	switch to {
	case cc112.UnitAvailable:
		return nil
	case cc112.UnitOffduty:
		return cc112.Errorf(cc112.EConflict, "unit %s is on an incident: clear it (available) before going off duty", u.Callsign)
	}
	if rank[to] < rank[u.Status] {
		return cc112.Errorf(cc112.EConflict, "unit %s is already %s: it cannot go back to %s", u.Callsign, u.Status, to)
	}
	return nil
}

func (e *Engine) applyClosed(at time.Time, p cc112.IncidentClosedPayload) error {
	inc, ok := e.incidents[p.IncidentID]
	if !ok {
		return fmt.Errorf("unknown incident %q", p.IncidentID)
	}
	if !inc.Active() {
		return fmt.Errorf("incident %s already closed", inc.ID)
	}
	// Units that have not arrived are freed, arrived ones return to service:
	// either way every unit still on the incident becomes available.
	for _, a := range inc.Assignments {
		if !a.Active() {
			continue
		}
		a.ClearedAt = &at
		if u := e.units[a.UnitID]; u != nil && u.IncidentID == inc.ID {
			u.Status, u.StatusAt, u.IncidentID = cc112.UnitAvailable, at, ""
			e.publish(cc112.LiveUnitUpdated, *u)
		}
	}
	inc.Status, inc.ClosedAt, inc.Disposition = cc112.IncidentClosed, &at, p.Disposition
	e.touched(inc)
	e.publish(cc112.LiveIncidentUpdated, inc.Clone())
	return nil
}

func (e *Engine) moveUnit(u *cc112.Unit, at time.Time, p cc112.UnitMovedPayload) {
	u.Location, u.PositionAt = p.Location, at
	u.Heading, u.Speed, u.Accuracy = p.Heading, p.Speed, p.Accuracy
	e.unitIndex.Set(u.ID, u.Location)
}
