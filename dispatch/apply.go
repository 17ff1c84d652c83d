package dispatch

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"cc112"
	"cc112/geo"
)

// LivePayloads gives the type of the data of each of the engine's live
// events (cc112.LiveEvents): a standby's live feed decodes what it relays
// with it, to give each viewer its view.
var LivePayloads = map[string]func() any{
	cc112.LiveIncidentCreated: func() any { return new(cc112.Incident) },
	cc112.LiveIncidentUpdated: func() any { return new(cc112.Incident) },
	cc112.LiveUnitUpdated:     func() any { return new(cc112.Unit) },
	cc112.LiveUnitMoved:       func() any { return new(cc112.Unit) },
	cc112.LiveUnitRetired:     func() any { return new(cc112.Unit) },
	cc112.LiveCameraUpdated:   func() any { return new(cc112.Camera) },
}

// cameraRecord is a camera with its RTSP URLs, which cc112.Camera hides
// from JSON so that they never reach a client.
type cameraRecord struct {
	cc112.Camera
	RTSPURL    string `json:"rtsp_url,omitempty"`
	SubRTSPURL string `json:"sub_rtsp_url,omitempty"`
	ONVIFURL   string `json:"onvif_url,omitempty"`
}

func newCameraRecord(c cc112.Camera) cameraRecord {
	return cameraRecord{Camera: c, RTSPURL: c.RTSPURL, SubRTSPURL: c.SubRTSPURL, ONVIFURL: c.ONVIFURL}
}

func (r *cameraRecord) camera() cc112.Camera {
	c := r.Camera
	c.RTSPURL, c.SubRTSPURL, c.ONVIFURL = r.RTSPURL, r.SubRTSPURL, r.ONVIFURL
	return c
}

// registerCore registers the core's event types.
func (e *Engine) registerCore(r *Registry) {
	Handle(r, cc112.EvIncidentCreated, func(_ *Fold, inc cc112.Incident) error { return e.applyIncidentCreated(&inc) })
	Handle(r, cc112.EvUnitAssigned, func(f *Fold, p cc112.UnitAssignedPayload) error { return e.applyAssigned(f.At, p) })
	Handle(r, cc112.EvUnitStatus, func(f *Fold, p cc112.UnitStatusPayload) error { return e.applyUnitStatus(f.At, p) })
	Handle(r, cc112.EvUnitReleased, func(f *Fold, p cc112.UnitReleasedPayload) error { return e.applyReleased(f.At, p) })
	Handle(r, cc112.EvUnitService, func(f *Fold, p cc112.UnitServicePayload) error { return e.applyService(f.At, p) })
	Handle(r, cc112.EvUnitRelocated, func(f *Fold, p cc112.UnitRelocatedPayload) error { return e.applyRelocated(p) })
	Handle(r, cc112.EvIncidentAlarm, func(f *Fold, p cc112.IncidentAlarmPayload) error { return e.applyAlarm(f.At, p) })
	Handle(r, cc112.EvRosterSet, func(f *Fold, p cc112.RosterSetPayload) error { return e.applyRoster(f.At, p) })
	Handle(r, cc112.EvIncidentClosed, func(f *Fold, p cc112.IncidentClosedPayload) error { return e.applyClosed(f.At, p) })
	Handle(r, cc112.EvCallerLinked, func(_ *Fold, p cc112.CallerLinkedPayload) error {
		inc, err := e.appliedIncident(p.IncidentID)
		if err != nil {
			return err
		}
		inc.Callers++
		e.changedIncident(cc112.LiveIncidentUpdated, inc)
		return nil
	})
	Handle(r, cc112.EvIncidentNoted, func(_ *Fold, p cc112.IncidentNotedPayload) error {
		inc, err := e.appliedIncident(p.IncidentID)
		if err != nil {
			return err
		}
		inc.Notes = append(inc.Notes, p.Note)
		e.changedIncident(cc112.LiveIncidentUpdated, inc)
		return nil
	})
	Handle(r, cc112.EvIncidentCancelled, func(f *Fold, p cc112.IncidentCancelledPayload) error { return e.applyCancelled(f.At, p) })
	Handle(r, cc112.EvIncidentReopened, func(f *Fold, p cc112.IncidentReopenedPayload) error { return e.applyReopened(f.At, p) })
	Handle(r, cc112.EvIncidentEdited, func(f *Fold, p cc112.IncidentEditedPayload) error { return e.applyEdited(f.At, p) })
	Handle(r, cc112.EvIncidentMerged, func(f *Fold, p cc112.IncidentMergedPayload) error { return e.applyMerged(f.At, p) })
	Handle(r, cc112.EvAssignmentAcknowledged, func(f *Fold, p cc112.AssignmentAcknowledgedPayload) error {
		return e.applyAcknowledged(f.At, p)
	})
	Handle(r, cc112.EvUnitMoved, func(f *Fold, p cc112.UnitMovedPayload) error {
		u, err := e.appliedUnit(p.UnitID)
		if err != nil {
			return err
		}
		// A standby may hold a newer live fix (FollowPosition) than this
		// journal sample: keep it.
		if !(e.mode == following && f.At.Before(u.PositionAt)) {
			e.moveUnit(u, f.At, p)
		}
		e.posLogged[u.ID] = loggedFix{At: f.At, Pos: journaledPosition(f.At, p)}
		return nil
	})
	Handle(r, cc112.EvUnitRegistered, func(f *Fold, u cc112.Unit) error {
		if u.StatusAt.IsZero() {
			u.StatusAt = f.At
		}
		if old, ok := e.units[u.ID]; ok && old.IncidentID != "" {
			return fmt.Errorf("unit %q re-registered while assigned", u.ID)
		}
		e.units[u.ID] = &u
		e.logRegistered(&u)
		e.placeUnit(&u)
		e.changedUnit(cc112.LiveUnitUpdated, &u)
		return nil
	})
	Handle(r, cc112.EvCameraRegistered, func(_ *Fold, c cameraRecord) error {
		c.Camera.RTSPURL, c.Camera.SubRTSPURL, c.Camera.ONVIFURL = "", "", "" // as from the journal: the record keeps them
		e.cameras[c.ID] = &c
		e.camIndex.Set(c.ID, c.Location)
		e.changedCamera(&c)
		return nil
	})
	Handle(r, cc112.EvCameraStatus, func(f *Fold, p cc112.CameraStatusPayload) error {
		c, ok := e.cameras[p.CameraID]
		if !ok {
			return fmt.Errorf("unknown camera %q", p.CameraID)
		}
		c.Status = p.Status
		at := f.At
		c.StatusAt = &at
		e.changedCamera(c)
		return nil
	})
	Handle(r, cc112.EvCityChanged, func(f *Fold, p cc112.CityChangedPayload) error { return e.applyCityChanged(f.At, p) })
	Handle(r, cc112.EvIncidentImported, func(_ *Fold, p cc112.IncidentImportedPayload) error { return e.applyImported(p) })
	Handle(r, cc112.EvIncidentArchived, func(_ *Fold, p cc112.IncidentDocumentPayload) error { return e.applyArchived(p) })
	Handle(r, cc112.EvIncidentRestored, func(_ *Fold, p cc112.IncidentDocumentPayload) error { return e.applyRestored(p) })
	Handle(r, cc112.EvRosterArchived, func(_ *Fold, p cc112.RosterArchivedPayload) error { return e.applyRosterArchived(p) })
	Handle(r, cc112.EvCommandKey, func(f *Fold, p keyPayload) error {
		e.applyKey(f.At, p)
		return nil
	})
	// The seqs of a command the journal could not store: nothing to apply.
	Handle(r, cc112.EvJournalRefused, func(*Fold, struct{}) error { return nil })
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
	e.index.add(inc)
	e.changedIncident(cc112.LiveIncidentCreated, inc)
	return nil
}

func (e *Engine) applyAssigned(at time.Time, p cc112.UnitAssignedPayload) error {
	inc, u, err := e.appliedPair(p.IncidentID, p.UnitID)
	if err != nil {
		return err
	}
	if u.Status != cc112.UnitAvailable || !inc.Active() {
		return fmt.Errorf("unit %s is %s, incident %s is %s", u.ID, u.Status, inc.ID, inc.Status)
	}
	u.Status, u.StatusAt, u.IncidentID, u.StatusBy, u.Post = cc112.UnitDispatched, at, inc.ID, "", nil
	inc.Assignments = append(inc.Assignments, &cc112.Assignment{
		UnitID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency,
		Status: cc112.UnitDispatched, DispatchedAt: at,
		PredictedETAS: p.PredictedETAS, ETAMethod: p.ETAMethod,
	})
	if inc.DispatchedAt == nil {
		inc.DispatchedAt = &at
	}
	advance(inc, cc112.IncidentDispatched)
	e.changedUnit(cc112.LiveUnitUpdated, u)
	e.changedIncident(cc112.LiveIncidentUpdated, inc)
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
	u, err := e.appliedUnit(p.UnitID)
	if err != nil {
		return err
	}
	if err := e.checkUnitTransition(u, p.Status); err != nil {
		return err
	}
	inc, a := e.activeAssignment(u)
	u.Status, u.StatusAt, u.StatusBy, u.OutOfService, u.OffShift = p.Status, at, "", "", false
	if p.OnBehalf {
		u.StatusBy = p.By
	}
	switch p.Status {
	case cc112.UnitTransporting, cc112.UnitAtHospital:
		if p.Hospital != nil {
			h := *p.Hospital
			u.Hospital = &h
		}
	default:
		u.Hospital = nil
	}
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
		case cc112.UnitTransporting, cc112.UnitAtHospital:
			a.Status = p.Status
		case cc112.UnitAvailable:
			a.ClearedAt = &at
			u.IncidentID = ""
		}
		e.changedIncident(cc112.LiveIncidentUpdated, inc)
	}
	e.changedUnit(cc112.LiveUnitUpdated, u)
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
	switch to {
	case cc112.UnitAvailable:
		return nil
	case cc112.UnitOffduty:
		return cc112.Errorf(cc112.EConflict, "unit %s is on an incident: clear it (available) before going off duty", u.Callsign)
	}
	if to.WorkRank() < u.Status.WorkRank() {
		return cc112.Errorf(cc112.EConflict, "unit %s is already %s: it cannot go back to %s", u.Callsign, u.Status, to)
	}
	return nil
}

func (e *Engine) applyClosed(at time.Time, p cc112.IncidentClosedPayload) error {
	inc, err := e.closingIncident(p.IncidentID, at, p.Disposition)
	if err != nil {
		return err
	}
	e.changedIncident(cc112.LiveIncidentUpdated, inc)
	return nil
}

// closingIncident closes an active incident, as a closing and a cancel both
// do: its units are released and it takes the disposition.
func (e *Engine) closingIncident(id string, at time.Time, disposition string) (*cc112.Incident, error) {
	inc, err := e.appliedIncident(id)
	if err != nil {
		return nil, err
	}
	if !inc.Active() {
		return nil, fmt.Errorf("incident %s already closed", inc.ID)
	}
	e.releaseUnits(inc, at)
	inc.Status, inc.ClosedAt, inc.Disposition = cc112.IncidentClosed, &at, disposition
	return inc, nil
}

// releaseUnits ends every assignment still active on a closing incident.
// Units that have not arrived are freed, arrived ones return to service:
// either way every unit still on the incident becomes available.
func (e *Engine) releaseUnits(inc *cc112.Incident, at time.Time) {
	for _, a := range inc.Assignments {
		if !a.Active() {
			continue
		}
		a.ClearedAt = &at
		if u := e.units[a.UnitID]; u != nil && u.IncidentID == inc.ID {
			u.Status, u.StatusAt, u.IncidentID, u.StatusBy = cc112.UnitAvailable, at, "", ""
			e.changedUnit(cc112.LiveUnitUpdated, u)
		}
	}
}

func (e *Engine) applyCancelled(at time.Time, p cc112.IncidentCancelledPayload) error {
	inc, err := e.closingIncident(p.IncidentID, at, cc112.CancelledPrefix+p.Reason)
	if err != nil {
		return err
	}
	inc.Cancelled = true
	inc.Changes = append(inc.Changes, cc112.Change{At: at, Event: "cancelled", By: p.By, Role: p.Role, Reason: p.Reason})
	e.changedIncident(cc112.LiveIncidentUpdated, inc)
	return nil
}

// applyReopened makes a closed incident active again, without units: it
// goes back to the queue as new. Its clocks keep their first values (the
// response is measured from the first call to the first arrival); the
// closing it undoes stays in its record.
func (e *Engine) applyReopened(at time.Time, p cc112.IncidentReopenedPayload) error {
	inc, err := e.appliedIncident(p.IncidentID)
	if err != nil {
		return err
	}
	if inc.Active() || inc.ClosedAt == nil {
		return fmt.Errorf("incident %s is not closed", inc.ID)
	}
	if !inc.Cancelled { // a cancel is in the record already
		inc.Changes = append(inc.Changes, cc112.Change{At: *inc.ClosedAt, Event: "closed", Reason: inc.Disposition})
	}
	inc.Changes = append(inc.Changes, cc112.Change{At: at, Event: "reopened", By: p.By, Role: p.Role, Reason: p.Reason})
	inc.Status, inc.ClosedAt, inc.Disposition, inc.Cancelled = cc112.IncidentNew, nil, "", false
	e.changedIncident(cc112.LiveIncidentUpdated, inc)
	return nil
}

// applyEdited changes the fields the edit names and records each change,
// from the value it replaces (the caller's by name only: personal data).
func (e *Engine) applyEdited(at time.Time, p cc112.IncidentEditedPayload) error {
	inc, err := e.appliedIncident(p.IncidentID)
	if err != nil {
		return err
	}
	if !inc.Active() {
		return fmt.Errorf("incident %s is closed", inc.ID)
	}
	var fields []cc112.FieldChange
	set := func(field string, cur *string, to *string) {
		if to != nil {
			fields = append(fields, cc112.FieldChange{Field: field, From: *cur, To: *to})
			*cur = *to
		}
	}
	if p.Category != nil {
		fields = append(fields, cc112.FieldChange{Field: "category", From: string(inc.Category), To: string(*p.Category)})
		inc.Category = *p.Category
	}
	if p.Priority != nil {
		fields = append(fields, cc112.FieldChange{Field: "priority", From: strconv.Itoa(inc.Priority), To: strconv.Itoa(*p.Priority)})
		inc.Priority = *p.Priority
	}
	if p.Location != nil {
		fields = append(fields, cc112.FieldChange{Field: "location", From: pointText(inc.Location), To: pointText(*p.Location)})
		inc.Location = *p.Location
	}
	set("district", &inc.District, p.District)
	set("address", &inc.Address, p.Address)
	set("description", &inc.Description, p.Description)
	if p.Caller != nil {
		fields = append(fields, cc112.FieldChange{Field: "caller"})
		inc.Caller = nil
		if !p.Caller.Empty() {
			c := *p.Caller
			inc.Caller = &c
		}
	}
	ch := cc112.Change{At: at, Event: "edited", By: p.By, Role: p.Role, Fields: fields}
	if p.OutOfArea != nil {
		o := *p.OutOfArea
		inc.OutOfArea, ch.Reason = &o, cc112.OutOfAreaPrefix+o.Reason
	}
	inc.Changes = append(inc.Changes, ch)
	e.changedIncident(cc112.LiveIncidentUpdated, inc)
	return nil
}

// applyMerged moves a duplicate's callers, notes and working units to the
// incident it duplicates, keeping each unit's times (the target's first
// clocks take the earliest), and closes the duplicate as cancelled (it is
// no response of its own) pointing to the target.
func (e *Engine) applyMerged(at time.Time, p cc112.IncidentMergedPayload) error {
	dup, ok := e.incidents[p.IncidentID]
	into, ok2 := e.incidents[p.Into]
	switch {
	case !ok || !ok2:
		return fmt.Errorf("unknown incident %q or %q", p.IncidentID, p.Into)
	case dup == into || !dup.Active() || !into.Active():
		return fmt.Errorf("incident %s cannot be merged into %s", dup.ID, into.ID)
	}
	kept := dup.Assignments[:0:0]
	for _, a := range dup.Assignments {
		if !a.Active() {
			kept = append(kept, a)
			continue
		}
		into.Assignments = append(into.Assignments, a)
		into.DispatchedAt = earliest(into.DispatchedAt, &a.DispatchedAt)
		into.EnrouteAt = earliest(into.EnrouteAt, a.EnrouteAt)
		into.OnsceneAt = earliest(into.OnsceneAt, a.OnsceneAt)
		advance(into, cc112.IncidentStatus(a.Status))
		if u := e.units[a.UnitID]; u != nil && u.IncidentID == dup.ID {
			u.IncidentID = into.ID
			e.changedUnit(cc112.LiveUnitUpdated, u)
		}
	}
	dup.Assignments = kept
	into.Callers += dup.Callers
	into.Notes = append(into.Notes, dup.Notes...)
	sort.SliceStable(into.Notes, func(x, y int) bool { return into.Notes[x].At.Before(into.Notes[y].At) })
	into.Changes = append(into.Changes, cc112.Change{At: at, Event: "merged", By: p.By, Role: p.Role, Reason: "from " + dup.Number})
	dup.Changes = append(dup.Changes, cc112.Change{At: at, Event: "merged", By: p.By, Role: p.Role, Reason: "into " + into.Number})
	dup.Status, dup.ClosedAt, dup.Disposition, dup.Cancelled, dup.MergedInto = cc112.IncidentClosed, &at, "merged into "+into.Number, true, into.ID
	e.changedIncident(cc112.LiveIncidentUpdated, dup)
	e.changedIncident(cc112.LiveIncidentUpdated, into)
	return nil
}

// earliest is the earlier of cur and t (nil: absent).
func earliest(cur, t *time.Time) *time.Time {
	if t == nil || (cur != nil && !t.Before(*cur)) {
		return cur
	}
	v := *t
	return &v
}

func pointText(p geo.Point) string {
	return strconv.FormatFloat(p.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(p.Lon, 'f', 6, 64)
}

func (e *Engine) moveUnit(u *cc112.Unit, at time.Time, p cc112.UnitMovedPayload) {
	u.Location, u.PositionAt = p.Location, at
	u.Heading, u.Speed, u.Accuracy = p.Heading, p.Speed, p.Accuracy
	e.placeUnit(u)
}

// placeUnit files a unit's position in the spatial index and, with a road
// network, snaps it to the road.
func (e *Engine) placeUnit(u *cc112.Unit) {
	e.unitIndex.Set(u.ID, u.Location)
	if e.fleet != nil {
		e.fleet.Set(u.ID, u.Location)
	}
}

// appliedIncident and appliedUnit find what an event names; a journal that
// names an unknown one is not one this engine wrote.
func (e *Engine) appliedIncident(id string) (*cc112.Incident, error) {
	if inc, ok := e.incidents[id]; ok {
		return inc, nil
	}
	return nil, fmt.Errorf("unknown incident %q", id)
}

// appliedPair finds the incident and the unit an event names.
func (e *Engine) appliedPair(incidentID, unitID string) (*cc112.Incident, *cc112.Unit, error) {
	inc, err := e.appliedIncident(incidentID)
	if err != nil {
		return nil, nil, err
	}
	u, err := e.appliedUnit(unitID)
	return inc, u, err
}

func (e *Engine) appliedUnit(id string) (*cc112.Unit, error) {
	if u, ok := e.units[id]; ok {
		return u, nil
	}
	return nil, fmt.Errorf("unknown unit %q", id)
}
