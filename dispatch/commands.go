package dispatch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"time"

	"cc112"
	"cc112/geo"
)

// NewIncident is what a call-taker records.
type NewIncident struct {
	Category    cc112.Category `json:"category"`
	Priority    int            `json:"priority"`
	Location    *geo.Point     `json:"location"`
	Address     string         `json:"address"`
	Description string         `json:"description"`
	Caller      *cc112.Caller  `json:"caller"`
	Source      string         `json:"source"`
	// CallID links the incident to a 112 call (callcenter fills caller and
	// location from it); the engine alone does not know calls.
	CallID string `json:"call_id,omitempty"`
	// CallReceivedAt is set by the call center (never by a client): when
	// the call was answered, where the response clock starts.
	CallReceivedAt *time.Time `json:"-"`
	// ConfirmOutOfArea is the reason a location outside the service area
	// is meant; By (set by the server, never by a client) is who gave it.
	ConfirmOutOfArea string `json:"confirm_out_of_area,omitempty"`
	By               Author `json:"-"`
}

// Limits on free text, so that one request cannot bloat the state.
const (
	maxAddress     = 300
	maxDescription = 4000
	maxName        = 200
	maxDisposition = 1000
)

// Validate checks a new incident and fills defaults.
func (n *NewIncident) Validate(plan cc112.ResponsePlan) error {
	if n.Category == "" {
		return cc112.Errorf(cc112.EInvalid, "category is required")
	}
	if _, ok := plan[n.Category]; !ok {
		return cc112.Errorf(cc112.EInvalid, "unknown category %q", n.Category)
	}
	if n.Priority == 0 {
		n.Priority = 2
	}
	if n.Priority < cc112.MinPriority || n.Priority > cc112.MaxPriority {
		return cc112.Errorf(cc112.EInvalid, "priority must be %d (highest) to %d, got %d", cc112.MinPriority, cc112.MaxPriority, n.Priority)
	}
	if n.Location == nil {
		return cc112.Errorf(cc112.EInvalid, "location {lat, lon} is required")
	}
	if err := cc112.CheckPoint(*n.Location); err != nil {
		return err
	}
	if n.Source == "" {
		n.Source = "phone"
	}
	if !oneOf(n.Source, cc112.Channels) {
		return cc112.Errorf(cc112.EInvalid, "unknown source %q (one of %s)", n.Source, strings.Join(cc112.Channels, ", "))
	}
	if err := cc112.CheckText("address", n.Address, maxAddress); err != nil {
		return err
	}
	if err := cc112.CheckLines("description", n.Description, maxDescription); err != nil {
		return err
	}
	if n.Caller != nil {
		if err := checkCaller(n.Caller); err != nil {
			return err
		}
		if n.Caller.Empty() {
			n.Caller = nil
		}
	}
	return nil
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// NewID returns a random id with a prefix, e.g. "inc_3f9a0c1b2d4e".
func NewID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// CreateIncident records a new incident. key and fingerprint make retries
// idempotent (both may be empty).
func (e *Engine) CreateIncident(ctx context.Context, n NewIncident, key, fingerprint string) (*cc112.Incident, error) {
	if n.CallID != "" {
		return nil, cc112.Errorf(cc112.EInvalid, "call_id needs the call center, which is not configured")
	}
	if err := n.Validate(e.plan()); err != nil {
		return nil, err
	}
	return Run(ctx, e, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		return tx.CreateIncident(n)
	})
}

// CreateIncident validates and records a new incident inside a command, so
// that an extension (the call center) can create it in the same journal
// batch as its own events. It returns a copy.
func (tx *Tx) CreateIncident(n NewIncident) (*cc112.Incident, error) {
	e := tx.e
	if err := n.Validate(e.cfg.Plan); err != nil {
		return nil, err
	}
	out, err := e.checkArea(*n.Location, n.ConfirmOutOfArea, n.By, tx.Now())
	if err != nil {
		return nil, err
	}
	district := ""
	if e.cfg.Districts != nil {
		district = e.cfg.Districts.Locate(*n.Location)
	}
	inc := &cc112.Incident{
		ID: NewID("inc"), Category: n.Category, Priority: n.Priority, Status: cc112.IncidentNew,
		Location: *n.Location, District: district, Address: n.Address, Description: n.Description,
		Caller: n.Caller, Source: n.Source, ReceivedAt: tx.Now(), Assignments: []*cc112.Assignment{},
		OutOfArea: out,
	}
	if n.CallID != "" || !n.Caller.Empty() {
		inc.Callers = 1
	}
	if n.CallReceivedAt != nil && !n.CallReceivedAt.After(inc.ReceivedAt) {
		t := *n.CallReceivedAt
		inc.CallReceivedAt = &t
	}
	inc.Number = e.numbers.Next(inc.ReceivedAt)
	tx.Emit(cc112.EvIncidentCreated, inc)
	return e.incidents[inc.ID].Clone(), nil
}

// checkArea refuses a location farther than the margin beyond the service
// area (a typo, a missing minus sign) unless a reason confirms it, and
// returns the confirmation to journal (nil inside the area).
func (e *Engine) checkArea(p geo.Point, reason string, by Author, at time.Time) (*cc112.OutOfArea, error) {
	d, out := e.OutsideArea(p)
	if !out {
		return nil, nil
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, cc112.Errorf(cc112.EOutOfArea,
			"location %.5f, %.5f is %.1f km outside the city's service area: check it (a missing minus sign? swapped lat and lon?) or, if it is meant, give confirm_out_of_area with the reason",
			p.Lat, p.Lon, d/1000)
	}
	if err := cc112.CheckLines("confirm_out_of_area", reason, maxDisposition); err != nil {
		return nil, err
	}
	return &cc112.OutOfArea{At: at, Reason: reason, By: by.Username, Role: by.Role, DistanceM: math.Round(d)}, nil
}

// LinkCaller counts one more call for an active incident (a duplicate
// report linked to it) inside a command and returns a copy of it.
func (tx *Tx) LinkCaller(incidentID, callID string) (*cc112.Incident, error) {
	inc, err := tx.activeIncident(incidentID)
	if err != nil {
		return nil, err
	}
	tx.Emit(cc112.EvCallerLinked, cc112.CallerLinkedPayload{IncidentID: inc.ID, CallID: callID})
	return inc.Clone(), nil
}

// AssignResult is the answer to an assignment: the incident as it now is,
// the units sent, and what the response plan asked for but nobody could take.
type AssignResult struct {
	Incident *cc112.Incident `json:"incident"`
	Assigned []string        `json:"assigned"`
	Missing  []cc112.Need    `json:"missing"`
}

// Assign sends one available unit to an incident (the crew-less form of
// AssignAs, for the simulator and tests).
func (e *Engine) Assign(ctx context.Context, incidentID, unitID, key, fingerprint string) (*AssignResult, error) {
	return e.AssignAs(ctx, incidentID, UnitOrder{UnitID: unitID}, Author{}, key, fingerprint)
}

// AutoAssign sends the nearest available units the incident needs (its
// category's plan and alarm level, by type or capability: needs.go), less
// those already working it, in one command. Partial plans are sent and the
// unmet needs reported; nothing available is a conflict.
func (e *Engine) AutoAssign(ctx context.Context, incidentID, key, fingerprint string) (*AssignResult, error) {
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*AssignResult, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		res := &AssignResult{Assigned: []string{}}
		picks, missing := e.fill(inc.Location, e.shortfall(inc), nil, false)
		for _, r := range picks {
			tx.Emit(cc112.EvUnitAssigned, cc112.UnitAssignedPayload{
				IncidentID: inc.ID, UnitID: r.UnitID, PredictedETAS: r.ETAS, ETAMethod: r.Method,
			})
			res.Assigned = append(res.Assigned, r.UnitID)
		}
		res.Missing = missing
		if len(res.Assigned) == 0 {
			if len(res.Missing) == 0 {
				return nil, cc112.Errorf(cc112.EConflict, "the response plan for %s is already covered", inc.Category)
			}
			return nil, cc112.Errorf(cc112.EConflict, "no available units for the %s response plan", inc.Category).Because(cc112.RNoUnitsAvailable)
		}
		res.Incident = inc.Clone()
		return res, nil
	})
}

// activeIncident is the open incident id inside a command; an archived
// one (read by RunOn) is closed, as it was before it left memory.
func (tx *Tx) activeIncident(id string) (*cc112.Incident, error) {
	inc, ok := tx.incident(id)
	if !ok {
		return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", id)
	}
	if !inc.Active() {
		return nil, cc112.Errorf(cc112.EConflict, "incident %s is closed", inc.Number).Because(cc112.RIncidentClosed)
	}
	return inc, nil
}

// SetUnitStatus records a unit's status change (en route, on scene,
// transporting, at hospital, available, off duty) as its crew reports it.
func (e *Engine) SetUnitStatus(ctx context.Context, unitID string, status cc112.UnitStatus, key, fingerprint string) (*cc112.Unit, error) {
	return e.SetUnitStatusAs(ctx, unitID, status, nil, key, fingerprint)
}

// CloseIncident closes an incident with a disposition and frees its units.
func (e *Engine) CloseIncident(ctx context.Context, incidentID, disposition, key, fingerprint string) (*cc112.Incident, error) {
	disposition = strings.TrimSpace(disposition)
	if disposition == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "disposition is required")
	}
	if err := cc112.CheckLines("disposition", disposition, maxDisposition); err != nil {
		return nil, err
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		tx.Emit(cc112.EvIncidentClosed, cc112.IncidentClosedPayload{IncidentID: inc.ID, Disposition: disposition})
		return inc.Clone(), nil
	})
}

// Author is who makes a change to an incident, as the record shows it.
type Author struct {
	Username string
	Role     string
	// Agency binds a dispatcher's desk to one agency's units (empty: any).
	Agency string
}

// AddNote adds a note to an open incident's narrative (a closed one is
// read-only until reopened) and returns the incident.
func (e *Engine) AddNote(ctx context.Context, incidentID, text string, internal bool, by Author, key, fingerprint string) (*cc112.Incident, error) {
	text, err := cc112.CheckNote(text)
	if err != nil {
		return nil, err
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		n := cc112.Note{ID: NewID("note"), Author: by.Username, Role: by.Role, Text: text, Internal: internal, At: tx.Now()}
		tx.Emit(cc112.EvIncidentNoted, cc112.IncidentNotedPayload{IncidentID: inc.ID, Note: n})
		return e.incidents[inc.ID].Clone(), nil
	})
}

// IncidentEdit is a PATCH of an incident: the fields to change, each
// absent (nil) when unchanged. A caller replaces the whole caller; an empty
// one ({}) removes it.
type IncidentEdit struct {
	Category    *cc112.Category `json:"category"`
	Priority    *int            `json:"priority"`
	Location    *geo.Point      `json:"location"`
	Address     *string         `json:"address"`
	Description *string         `json:"description"`
	Caller      *cc112.Caller   `json:"caller"`
	// ConfirmOutOfArea is the reason a new location outside the service
	// area is meant.
	ConfirmOutOfArea string `json:"confirm_out_of_area"`
}

// validate checks the given fields by the rules of a new incident.
func (ed *IncidentEdit) validate(plan cc112.ResponsePlan) error {
	if ed.Category != nil {
		if _, ok := plan[*ed.Category]; !ok {
			return cc112.Errorf(cc112.EInvalid, "unknown category %q", *ed.Category)
		}
	}
	if ed.Priority != nil && (*ed.Priority < cc112.MinPriority || *ed.Priority > cc112.MaxPriority) {
		return cc112.Errorf(cc112.EInvalid, "priority must be %d (highest) to %d, got %d", cc112.MinPriority, cc112.MaxPriority, *ed.Priority)
	}
	if ed.Location != nil {
		if err := cc112.CheckPoint(*ed.Location); err != nil {
			return err
		}
	}
	if ed.Address != nil {
		if err := cc112.CheckText("address", *ed.Address, maxAddress); err != nil {
			return err
		}
	}
	if ed.Description != nil {
		if err := cc112.CheckLines("description", *ed.Description, maxDescription); err != nil {
			return err
		}
	}
	if ed.Caller != nil {
		return checkCaller(ed.Caller)
	}
	return nil
}

// checkCaller holds a caller's fields to the text rule.
func checkCaller(c *cc112.Caller) error {
	for _, f := range []struct{ name, v string }{
		{"caller.name", c.Name}, {"caller.phone", c.Phone}, {"caller.nik", c.NIK},
	} {
		if err := cc112.CheckText(f.name, f.v, maxName); err != nil {
			return err
		}
	}
	return nil
}

// EditIncident changes an open incident's category, priority, location,
// address, description or caller (a closed one is read-only until
// reopened). Only fields that differ are journaled, with who changed them;
// an edit that changes nothing journals nothing.
func (e *Engine) EditIncident(ctx context.Context, incidentID string, ed IncidentEdit, by Author, key, fingerprint string) (*EditResult, error) {
	if (ed == IncidentEdit{ConfirmOutOfArea: ed.ConfirmOutOfArea}) {
		return nil, cc112.Errorf(cc112.EInvalid, "nothing to change: give one or more of category, priority, location, address, description, caller")
	}
	if err := ed.validate(e.plan()); err != nil {
		return nil, err
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*EditResult, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		p := cc112.IncidentEditedPayload{IncidentID: inc.ID, By: by.Username, Role: by.Role}
		changed := false
		if ed.Category != nil && *ed.Category != inc.Category {
			p.Category, changed = ed.Category, true
		}
		if ed.Priority != nil && *ed.Priority != inc.Priority {
			p.Priority, changed = ed.Priority, true
		}
		if ed.Location != nil && *ed.Location != inc.Location {
			if p.OutOfArea, err = e.checkArea(*ed.Location, ed.ConfirmOutOfArea, by, tx.Now()); err != nil {
				return nil, err
			}
			p.Location, changed = ed.Location, true
			if e.cfg.Districts != nil {
				if d := e.cfg.Districts.Locate(*ed.Location); d != inc.District {
					p.District = &d
				}
			}
		}
		if ed.Address != nil && *ed.Address != inc.Address {
			p.Address, changed = ed.Address, true
		}
		if ed.Description != nil && *ed.Description != inc.Description {
			p.Description, changed = ed.Description, true
		}
		if ed.Caller != nil {
			cur := cc112.Caller{}
			if inc.Caller != nil {
				cur = *inc.Caller
			}
			if *ed.Caller != cur {
				p.Caller, changed = ed.Caller, true
			}
		}
		if changed {
			tx.Emit(cc112.EvIncidentEdited, p)
		}
		res := &EditResult{Incident: e.incidents[inc.ID].Clone()}
		if p.Category != nil {
			res.PlanMissing = e.shortfall(e.incidents[inc.ID])
		}
		return res, nil
	})
}

// EditResult is the answer to an edit: the incident as it now is and, when
// its category changed, what the new category's response plan asks for
// beyond the units on it now (the console offers to send them: auto
// assignment sends exactly that).
type EditResult struct {
	*cc112.Incident
	PlanMissing []cc112.Need `json:"plan_missing,omitempty"`
}

// MergeIncident merges the duplicate incident into another open one: its
// callers, notes and units move there, and it is closed pointing to it.
func (e *Engine) MergeIncident(ctx context.Context, incidentID, into string, by Author, key, fingerprint string) (*cc112.Incident, error) {
	return RunOn(ctx, e, []string{incidentID, into}, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		return tx.MergeIncident(incidentID, into, by)
	})
}

// MergeIncident emits the merge of a duplicate into another open incident
// and returns the target as it now is (for an extension that moves its
// own records in the same command: the call center's calls).
func (tx *Tx) MergeIncident(incidentID, into string, by Author) (*cc112.Incident, error) {
	e := tx.e
	into = strings.TrimSpace(into)
	switch {
	case into == "":
		return nil, cc112.Errorf(cc112.EInvalid, "into is required: the id of the incident this one duplicates")
	case into == incidentID:
		return nil, cc112.Errorf(cc112.EInvalid, "an incident cannot be merged into itself")
	}
	dup, err := tx.activeIncident(incidentID)
	if err != nil {
		return nil, err
	}
	target, ok := tx.incident(into)
	switch {
	case !ok:
		return nil, cc112.Errorf(cc112.EInvalid, "into: incident %q not found", into)
	case !target.Active():
		return nil, cc112.Errorf(cc112.EConflict, "incident %s is closed: merge into an open incident (or reopen it first)", target.Number).Because(cc112.RIncidentClosed)
	}
	tx.Emit(cc112.EvIncidentMerged, cc112.IncidentMergedPayload{IncidentID: dup.ID, Into: target.ID, By: by.Username, Role: by.Role})
	return e.incidents[target.ID].Clone(), nil
}

// checkReason checks the reason a cancel or a reopening must give.
func checkReason(reason string) (string, error) {
	reason, err := optionalReason(reason)
	if err == nil && reason == "" {
		err = cc112.Errorf(cc112.EInvalid, "reason is required")
	}
	return reason, err
}

// CancelIncident closes an open incident as no response (a false alarm, a
// duplicate, a caller who called back): its units are released and told
// (unit.updated), its disposition is "cancelled: reason".
func (e *Engine) CancelIncident(ctx context.Context, incidentID, reason string, by Author, key, fingerprint string) (*cc112.Incident, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		tx.Emit(cc112.EvIncidentCancelled, cc112.IncidentCancelledPayload{IncidentID: inc.ID, Reason: reason, By: by.Username, Role: by.Role})
		return e.incidents[inc.ID].Clone(), nil
	})
}

// ReopenIncident makes a closed (or cancelled) incident active again. The
// imported history is not reopened: it is a record of another system.
func (e *Engine) ReopenIncident(ctx context.Context, incidentID, reason string, by Author, key, fingerprint string) (*cc112.Incident, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*cc112.Incident, error) {
		if doc := tx.archived[incidentID]; doc != nil && doc.Source != cc112.ImportSource {
			e.restore(tx, doc)
		}
		inc, ok := tx.incident(incidentID) // imported history: refused below, left archived
		switch {
		case !ok:
			return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", incidentID)
		case inc.Active():
			return nil, cc112.Errorf(cc112.EConflict, "incident %s is not closed: only a closed incident can be reopened", inc.Number)
		case inc.Source == cc112.ImportSource:
			return nil, cc112.Errorf(cc112.EConflict, "incident %s is imported history: it cannot be reopened", inc.Number)
		}
		tx.Emit(cc112.EvIncidentReopened, cc112.IncidentReopenedPayload{IncidentID: inc.ID, Reason: reason, By: by.Username, Role: by.Role})
		return e.incidents[inc.ID].Clone(), nil
	})
}

// Position is a fix reported by a field unit.
type Position struct {
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Heading  *float64 `json:"heading"`
	Speed    *float64 `json:"speed"`
	Accuracy *float64 `json:"accuracy"`
}

// Validate checks a fix: lat and lon required, heading 0–360, speed and
// accuracy not negative.
func (p *Position) Validate() (geo.Point, error) {
	pt, err := cc112.PointOf(p.Lat, p.Lon)
	if err != nil {
		return pt, err
	}
	if p.Heading != nil && (math.IsNaN(*p.Heading) || *p.Heading < 0 || *p.Heading > 360) {
		return pt, cc112.Errorf(cc112.EInvalid, "heading must be 0 to 360 degrees")
	}
	if p.Speed != nil && (math.IsNaN(*p.Speed) || *p.Speed < 0 || *p.Speed > 150) {
		return pt, cc112.Errorf(cc112.EInvalid, "speed must be 0 to 150 m/s")
	}
	if p.Accuracy != nil && (math.IsNaN(*p.Accuracy) || *p.Accuracy < 0) {
		return pt, cc112.Errorf(cc112.EInvalid, "accuracy must not be negative")
	}
	return pt, nil
}

// UpdatePosition moves a unit. Positions are a stream: memory and the live
// feed change at once; the journal gets a sample at most every
// PositionSample per unit, without waiting for it.
func (e *Engine) UpdatePosition(ctx context.Context, unitID string, p Position) (*cc112.Unit, error) {
	pt, err := p.Validate()
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.refuse(); err != nil {
		return nil, err
	}
	u, ok := e.units[unitID]
	if !ok {
		return nil, cc112.Errorf(cc112.ENotFound, "unit %q not found", unitID)
	}
	now := e.now()
	mp := cc112.UnitMovedPayload{UnitID: u.ID, Location: pt, Heading: p.Heading, Speed: p.Speed, Accuracy: p.Accuracy}
	e.moveUnit(u, now, mp)
	e.changedUnit(cc112.LiveUnitMoved, u)
	e.settle()
	if e.posSink != nil {
		e.posSink(PositionFix{UnitID: u.ID, At: now, Location: pt, Heading: p.Heading, Speed: p.Speed, Accuracy: p.Accuracy})
	}
	if now.Sub(e.posLogged[u.ID].At) >= e.cfg.PositionSample {
		e.posLogged[u.ID] = loggedFix{At: now, Pos: journaledPosition(now, mp)}
		raw, _ := json.Marshal(mp)
		e.seq++
		e.appendAsync([]cc112.Event{{Seq: e.seq, Type: cc112.EvUnitMoved, At: now, Data: raw}})
	}
	uc := *u
	return &uc, nil
}

// RegisterUnits adds units (the demo seed, an admin import). A unit that
// exists is replaced unless it is on an incident.
func (e *Engine) RegisterUnits(ctx context.Context, units []cc112.Unit) error {
	for _, u := range units {
		if u.ID == "" || !u.Type.Valid() || !u.Status.Valid() {
			return cc112.Errorf(cc112.EInvalid, "unit %q: id, a known type and a status are required", u.ID)
		}
		if err := cc112.CheckPoint(u.Location); err != nil {
			return err
		}
		if u.Status.Busy() || u.IncidentID != "" {
			return cc112.Errorf(cc112.EInvalid, "unit %q: a new unit cannot be on an incident", u.ID)
		}
	}
	_, err := e.exec(ctx, "", "", func(tx *Tx) (any, error) {
		for _, u := range units {
			if old, ok := e.units[u.ID]; ok && old.IncidentID != "" {
				return nil, cc112.Errorf(cc112.EConflict, "unit %s is on an incident", u.ID).Because(cc112.RUnitNotAvailable)
			}
		}
		for _, u := range units {
			u.PositionAt = tx.Now()
			tx.Emit(cc112.EvUnitRegistered, u)
		}
		return nil, nil
	})
	return err
}

// RegisterCameras adds or replaces cameras.
func (e *Engine) RegisterCameras(ctx context.Context, cams []cc112.Camera) error {
	_, err := e.registerCameras(ctx, cams, "", "")
	return err
}

// RegisterCamera adds or replaces one camera (an admin's POST). key makes a
// retry replay the first answer, and a reuse of the key for another camera
// a conflict, instead of an overwrite.
func (e *Engine) RegisterCamera(ctx context.Context, c cc112.Camera, key, fingerprint string) (cc112.Camera, error) {
	out, err := e.registerCameras(ctx, []cc112.Camera{c}, key, fingerprint)
	if err != nil {
		return cc112.Camera{}, err
	}
	return out[0], nil
}

// registerCameras returns the cameras as registered (status, district).
func (e *Engine) registerCameras(ctx context.Context, cams []cc112.Camera, key, fingerprint string) ([]cc112.Camera, error) {
	for _, c := range cams {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return Run(ctx, e, key, fingerprint, func(tx *Tx) ([]cc112.Camera, error) {
		out := make([]cc112.Camera, 0, len(cams))
		for _, c := range cams {
			if c.Status == "" {
				c.Status = cc112.CameraUnknown
			}
			if e.cfg.Districts != nil && c.District == "" {
				c.District = e.cfg.Districts.Locate(c.Location)
			}
			c.HasVideo = c.RTSPURL != "" || c.SubRTSPURL != ""
			c.PTZ = c.ONVIFURL != ""
			tx.Emit(cc112.EvCameraRegistered, newCameraRecord(c))
			out = append(out, c)
		}
		return out, nil
	})
}

// SetCameraStatus records a probe's verdict when it differs from the last.
func (e *Engine) SetCameraStatus(ctx context.Context, id string, status cc112.CameraStatus) error {
	if !status.Valid() {
		return cc112.Errorf(cc112.EInvalid, "unknown camera status %q", status)
	}
	_, err := e.exec(ctx, "", "", func(tx *Tx) (any, error) {
		c, ok := e.cameras[id]
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "camera %q not found", id)
		}
		if c.Status != status {
			tx.Emit(cc112.EvCameraStatus, cc112.CameraStatusPayload{CameraID: id, Status: status})
		}
		return nil, nil
	})
	return err
}
