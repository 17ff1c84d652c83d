package callcenter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// Call statuses: active while the call-taker works it, linked once it made
// or joined an incident, closed when it ended without one (or was closed).
const (
	CallActive = "active"
	CallLinked = "linked"
	CallClosed = "closed"
)

// CallChannels are the ways a call reaches the center.
var CallChannels = []string{"phone", "sms", "web", "social", "walkin"}

// Call is one report being taken, with who calls and where they are.
type Call struct {
	ID        string    `json:"id"`
	Phone     string    `json:"phone"` // E.164
	Name      string    `json:"name,omitempty"`
	NIK       string    `json:"nik,omitempty"`
	Channel   string    `json:"channel"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	Location  *Location `json:"location,omitempty"`
	// AMLLocation is an AML fix farther from the hand-placed Location than
	// its accuracy radius: kept beside the pin, never over it, and flagged
	// LocationConflict until the call-taker sets the location again.
	AMLLocation      *Location  `json:"aml_location,omitempty"`
	LocationConflict bool       `json:"location_conflict,omitempty"`
	IncidentID       string     `json:"incident_id,omitempty"`
	LinkedAt         *time.Time `json:"linked_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	Reason           string     `json:"reason,omitempty"`
}

func (c *Call) clone() *Call {
	v := *c
	if c.Location != nil {
		l := *c.Location
		v.Location = &l
	}
	if c.AMLLocation != nil {
		l := *c.AMLLocation
		v.AMLLocation = &l
	}
	return &v
}

// Location is where a caller is and how we know: source is aml, manual (a
// pin on the map) or address (typed by the call-taker).
type Location struct {
	Lat        float64   `json:"lat"`
	Lon        float64   `json:"lon"`
	RadiusM    float64   `json:"radius_m"`
	Source     string    `json:"source"`
	Method     string    `json:"method,omitempty"` // AML: gnss, wifi, cell, hybrid
	Confidence int       `json:"confidence,omitempty"`
	Address    string    `json:"address,omitempty"`
	At         time.Time `json:"at"`          // when the position was taken
	ReceivedAt time.Time `json:"received_at"` // when it reached us
	// AML: how old the fix was when it reached us, and whether that is
	// older than OldFix (a phone's cached position from before the call,
	// perhaps): kept for the call-taker to judge, never refused.
	AgeS int64 `json:"age_s,omitempty"`
	Old  bool  `json:"old,omitempty"`
}

// OldFix is the age from which an AML fix is flagged old. Handsets send
// AML within about 20 s of dialling, with a fix taken for the call.
const OldFix = 10 * time.Minute

// Point is the location as a geo.Point.
func (l *Location) Point() geo.Point { return geo.Point{Lat: l.Lat, Lon: l.Lon} }

// NewCall is what the call-taker types when a call comes in.
type NewCall struct {
	Phone   string `json:"phone"`
	Name    string `json:"name"`
	NIK     string `json:"nik"`
	Channel string `json:"channel"`
}

const (
	maxName    = 200
	maxAddress = 300
	maxReason  = 500
)

// validate normalises the phone and NIK and checks the rest.
func (n *NewCall) validate() error {
	var err error
	if n.Phone, err = NormalizePhone(n.Phone); err != nil {
		return err
	}
	if n.NIK = strings.TrimSpace(n.NIK); n.NIK != "" {
		if n.NIK, err = CheckNIK(n.NIK); err != nil {
			return err
		}
	}
	n.Name = strings.TrimSpace(n.Name)
	if err := cc112.CheckText("name", n.Name, maxName); err != nil {
		return err
	}
	if n.Channel == "" {
		n.Channel = "phone"
	}
	if !slices.Contains(CallChannels, n.Channel) {
		return cc112.Errorf(cc112.EInvalid, "unknown channel %q (one of %s)", n.Channel, strings.Join(CallChannels, ", "))
	}
	return nil
}

// StartCall records a new call. An AML that arrived for the number shortly
// before is attached at once.
func (s *Service) StartCall(ctx context.Context, n NewCall, key, fp string) (*Call, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	return dispatch.Run(ctx, s.eng, key, fp, func(tx *dispatch.Tx) (*Call, error) {
		c := &Call{ID: dispatch.NewID("call"), Phone: n.Phone, Name: n.Name, NIK: n.NIK, Channel: n.Channel,
			Status: CallActive, StartedAt: tx.Now()}
		tx.Emit(cc112.EvCallStarted, c)
		return s.calls[c.ID].clone(), nil
	})
}

// Call returns one call.
func (s *Service) Call(id string) (*Call, error) {
	var c *Call
	s.eng.Read(func() {
		if v, ok := s.calls[id]; ok {
			c = v.clone()
		}
	})
	if c == nil {
		return nil, cc112.Errorf(cc112.ENotFound, "call %q not found", id)
	}
	return c, nil
}

// Calls pages through calls by status (active, linked, closed or all),
// newest first.
func (s *Service) Calls(status string, req cc112.PageRequest) (cc112.Page[*Call], error) {
	if status == "" {
		status = CallActive
	}
	if !slices.Contains([]string{CallActive, CallLinked, CallClosed, "all"}, status) {
		return cc112.Page[*Call]{}, cc112.Errorf(cc112.EInvalid, "status must be active, linked, closed or all, got %q", status)
	}
	p, err := cc112.NewNewest(req, func(c *Call) cc112.PageKey { return cc112.PageKey{At: c.StartedAt, ID: c.ID} })
	if err != nil {
		return cc112.Page[*Call]{}, err
	}
	var page cc112.Page[*Call]
	s.eng.Read(func() {
		for _, c := range s.calls {
			if status == "all" || c.Status == status {
				p.Offer(c)
			}
		}
		page = p.Page((*Call).clone)
	})
	return page, nil
}

// AMLResult says what became of an AML report: attached to a call, or kept
// for a call that has not been typed in yet.
type AMLResult struct {
	Status string `json:"status"` // attached, conflict (kept beside a hand-placed pin), stale or pending
	Call   *Call  `json:"call,omitempty"`
	Phone  string `json:"phone"`
}

// maxPendingAML bounds the AMLs waiting for their call.
const maxPendingAML = 10_000

// AttachAML attaches an AML report to the open call from its number that
// started within AMLWindow (the newest). With no such call it is kept for
// PendingAML: phones send AML seconds after dialling, often before the
// call-taker has typed the number. A position older than the call's
// current AML is not taken. An old fix is kept, flagged with its age (the
// call-taker judges it); only one from the future is refused.
func (s *Service) AttachAML(ctx context.Context, a AML) (*AMLResult, error) {
	now := s.now()
	if a.At.After(now.Add(10 * time.Minute)) {
		return nil, cc112.Errorf(cc112.EInvalid, "AML: time of positioning %s is in the future", a.At.Format(time.RFC3339))
	}
	loc := Location{Lat: a.Location.Lat, Lon: a.Location.Lon, RadiusM: a.RadiusM, Source: "aml",
		Method: a.Method, Confidence: a.Confidence, At: a.At}
	return dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (*AMLResult, error) {
		loc.ReceivedAt = tx.Now()
		if age := loc.ReceivedAt.Sub(loc.At); age > 0 {
			loc.AgeS, loc.Old = int64(age/time.Second), age > OldFix
		}
		c := s.callFor(a.Phone, tx.Now())
		if c == nil {
			if len(s.pendingAML) >= maxPendingAML {
				return nil, cc112.Errorf(cc112.EUnavailable, "AML: too many reports without a call; try again later")
			}
			tx.Emit(cc112.EvAMLPending, amlPendingPayload{Phone: a.Phone, Location: loc})
			return &AMLResult{Status: "pending", Phone: a.Phone}, nil
		}
		if c.Location != nil && c.Location.Source == "aml" && c.Location.At.After(loc.At) ||
			c.AMLLocation != nil && c.AMLLocation.At.After(loc.At) {
			return &AMLResult{Status: "stale", Call: c.clone(), Phone: a.Phone}, nil
		}
		// A pin placed by hand is the call-taker's judgement: a fix that
		// disagrees beyond its own accuracy asks before it moves it.
		if c.Location != nil && c.Location.Source != "aml" && geo.Haversine(c.Location.Point(), loc.Point()) > loc.RadiusM {
			tx.Emit(cc112.EvCallLocated, locatedPayload{CallID: c.ID, Location: loc, Conflict: true})
			return &AMLResult{Status: "conflict", Call: c.clone(), Phone: a.Phone}, nil
		}
		tx.Emit(cc112.EvCallLocated, locatedPayload{CallID: c.ID, Location: loc})
		return &AMLResult{Status: "attached", Call: c.clone(), Phone: a.Phone}, nil
	})
}

// callFor is the open call from phone that AML may still attach to.
func (s *Service) callFor(phone string, now time.Time) *Call {
	c := s.calls[s.activeByPhone[phone]]
	if c == nil || c.Status == CallClosed || now.Sub(c.StartedAt) > s.cfg.AMLWindow {
		return nil
	}
	return c
}

// ManualLocation is a pin the call-taker drops or an address they type.
type ManualLocation struct {
	Lat     *float64 `json:"lat"`
	Lon     *float64 `json:"lon"`
	RadiusM *float64 `json:"radius_m"`
	Source  string   `json:"source"`
	Address string   `json:"address"`
}

// SetLocation records where the call-taker says the caller is.
func (s *Service) SetLocation(ctx context.Context, callID string, m ManualLocation, key, fp string) (*Call, error) {
	if m.Source != "manual" && m.Source != "address" {
		return nil, cc112.Errorf(cc112.EInvalid, `source must be "manual" or "address"`)
	}
	p, err := cc112.PointOf(m.Lat, m.Lon)
	if err != nil {
		return nil, err
	}
	m.Address = strings.TrimSpace(m.Address)
	if err := cc112.CheckText("address", m.Address, maxAddress); err != nil {
		return nil, err
	}
	if m.Source == "address" && m.Address == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "address is required when source is address")
	}
	radius := 0.0
	if m.RadiusM != nil {
		radius = *m.RadiusM
		if radius < 0 || radius > maxAMLRadius {
			return nil, cc112.Errorf(cc112.EInvalid, "radius_m must be 0 to %d", maxAMLRadius)
		}
	}
	return dispatch.Run(ctx, s.eng, key, fp, func(tx *dispatch.Tx) (*Call, error) {
		c, err := s.openCall(callID)
		if err != nil {
			return nil, err
		}
		loc := Location{Lat: p.Lat, Lon: p.Lon, RadiusM: radius, Source: m.Source, Address: m.Address,
			At: tx.Now(), ReceivedAt: tx.Now()}
		tx.Emit(cc112.EvCallLocated, locatedPayload{CallID: c.ID, Location: loc})
		return c.clone(), nil
	})
}

// openCall is a call that may still change; caller holds the engine's lock.
func (s *Service) openCall(id string) (*Call, error) {
	c, ok := s.calls[id]
	if !ok {
		return nil, cc112.Errorf(cc112.ENotFound, "call %q not found", id)
	}
	if c.Status == CallClosed {
		return nil, cc112.Errorf(cc112.EConflict, "call %s is closed", id)
	}
	return c, nil
}

// unlinkedCall is an open call that has no incident yet.
func (s *Service) unlinkedCall(id string) (*Call, error) {
	c, err := s.openCall(id)
	if err != nil {
		return nil, err
	}
	if c.IncidentID != "" {
		return nil, cc112.Errorf(cc112.EConflict, "call %s is already linked to incident %s", id, c.IncidentID)
	}
	return c, nil
}

// CloseCall ends a call that made no incident (a prank, a dropped line,
// advice given) with a reason.
func (s *Service) CloseCall(ctx context.Context, callID, reason, key, fp string) (*Call, error) {
	reason = strings.TrimSpace(reason)
	if err := cc112.CheckLines("reason", reason, maxReason); err != nil {
		return nil, err
	}
	return dispatch.Run(ctx, s.eng, key, fp, func(tx *dispatch.Tx) (*Call, error) {
		c, err := s.openCall(callID)
		if err != nil {
			return nil, err
		}
		tx.Emit(cc112.EvCallClosed, closedPayload{CallID: c.ID, Reason: reason})
		return c.clone(), nil
	})
}

// CreateIncident makes an incident from a call, in one command: the
// incident takes the call's caller and location (the body's location, when
// given, wins: the call-taker may know better), and the call is linked.
func (s *Service) CreateIncident(ctx context.Context, n dispatch.NewIncident, key, fp string) (*cc112.Incident, error) {
	return dispatch.Run(ctx, s.eng, key, fp, func(tx *dispatch.Tx) (*cc112.Incident, error) {
		c, err := s.unlinkedCall(n.CallID)
		if err != nil {
			return nil, err
		}
		if n.Location == nil {
			if c.Location == nil {
				return nil, cc112.Errorf(cc112.EInvalid, "call %s has no location yet: pin it on the map or give location", c.ID)
			}
			p := c.Location.Point()
			n.Location = &p
			if n.Address == "" {
				n.Address = c.Location.Address
			}
		}
		caller := cc112.Caller{Name: c.Name, Phone: c.Phone, NIK: c.NIK}
		if n.Caller != nil { // typed after the call started: fills the gaps
			if caller.Name == "" {
				caller.Name = strings.TrimSpace(n.Caller.Name)
			}
			if nik := strings.TrimSpace(n.Caller.NIK); caller.NIK == "" && nik != "" {
				if caller.NIK, err = CheckNIK(nik); err != nil {
					return nil, err
				}
			}
		}
		n.Caller = &caller
		started := c.StartedAt
		n.CallReceivedAt = &started
		if n.Source == "" {
			n.Source = c.Channel
		}
		inc, err := tx.CreateIncident(n)
		if err != nil {
			return nil, err
		}
		tx.Emit(cc112.EvCallLinked, linkedPayload{CallID: c.ID, IncidentID: inc.ID})
		return inc, nil
	})
}

// LinkCall links a call to an existing active incident instead of making a
// second one: the incident counts one more caller.
func (s *Service) LinkCall(ctx context.Context, incidentID, callID, key, fp string) (*cc112.Incident, error) {
	if callID == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "call_id is required")
	}
	return dispatch.RunOn(ctx, s.eng, []string{incidentID}, key, fp, func(tx *dispatch.Tx) (*cc112.Incident, error) {
		c, err := s.unlinkedCall(callID)
		if err != nil {
			return nil, err
		}
		inc, err := tx.LinkCaller(incidentID, c.ID)
		if err != nil {
			return nil, err
		}
		tx.Emit(cc112.EvCallLinked, linkedPayload{CallID: c.ID, IncidentID: inc.ID})
		return inc, nil
	})
}

// MergeIncident merges a duplicate incident into another open one
// (dispatch's merge: callers, notes and units move) and points the calls
// linked to the duplicate to the incident that survives, in one command: a
// call-taker who opens one of them finds the incident still worked.
func (s *Service) MergeIncident(ctx context.Context, incidentID, into string, by dispatch.Author, key, fp string) (*cc112.Incident, error) {
	return dispatch.RunOn(ctx, s.eng, []string{incidentID, into}, key, fp, func(tx *dispatch.Tx) (*cc112.Incident, error) {
		moved := slices.Clone(s.byIncident[incidentID])
		inc, err := tx.MergeIncident(incidentID, into, by)
		if err != nil {
			return nil, err
		}
		for _, id := range moved {
			tx.Emit(cc112.EvCallLinked, linkedPayload{CallID: id, IncidentID: inc.ID, MergedFrom: incidentID})
		}
		return inc, nil
	})
}

type locatedPayload struct {
	CallID   string   `json:"call_id"`
	Location Location `json:"location"`
	// Conflict: an AML fix kept beside a hand-placed pin, not over it.
	Conflict bool `json:"conflict,omitempty"`
}

type linkedPayload struct {
	CallID     string `json:"call_id"`
	IncidentID string `json:"incident_id"`
	// MergedFrom: the call was linked to this duplicate, merged into
	// IncidentID; the call keeps its status and the time it was linked.
	MergedFrom string `json:"merged_from,omitempty"`
}

type closedPayload struct {
	CallID string `json:"call_id"`
	Reason string `json:"reason,omitempty"`
}

type amlPendingPayload struct {
	Phone    string   `json:"phone"`
	Location Location `json:"location"`
}

func (s *Service) applyCallStarted(at time.Time, c Call, changed changedFunc) error {
	if _, dup := s.calls[c.ID]; dup {
		return fmt.Errorf("call %q exists", c.ID)
	}
	if l, ok := s.pendingAML[c.Phone]; ok {
		delete(s.pendingAML, c.Phone)
		if at.Sub(l.ReceivedAt) <= s.cfg.PendingAML {
			c.Location = &l
		}
	}
	s.calls[c.ID] = &c
	s.activeByPhone[c.Phone] = c.ID
	changed(cc112.LiveCallCreated, func() any { return c.clone() })
	return nil
}

func (s *Service) applyCallLocated(at time.Time, p locatedPayload, changed changedFunc) error {
	c, ok := s.calls[p.CallID]
	if !ok {
		return fmt.Errorf("unknown call %q", p.CallID)
	}
	l := p.Location
	switch {
	case p.Conflict:
		c.AMLLocation, c.LocationConflict = &l, true
	case l.Source == "aml":
		c.Location, c.AMLLocation, c.LocationConflict = &l, nil, false
	default: // the call-taker chose: the conflict is settled, the fix kept
		c.Location, c.LocationConflict = &l, false
	}
	changed(cc112.LiveCallUpdated, func() any { return c.clone() })
	return nil
}

func (s *Service) applyCallLinked(at time.Time, p linkedPayload, changed changedFunc) error {
	c, ok := s.calls[p.CallID]
	if !ok {
		return fmt.Errorf("unknown call %q", p.CallID)
	}
	if p.MergedFrom != "" {
		s.byIncident[p.MergedFrom] = slices.DeleteFunc(s.byIncident[p.MergedFrom], func(id string) bool { return id == c.ID })
		if len(s.byIncident[p.MergedFrom]) == 0 {
			delete(s.byIncident, p.MergedFrom)
		}
		c.IncidentID = p.IncidentID
	} else {
		c.IncidentID, c.Status, c.LinkedAt = p.IncidentID, CallLinked, timePtr(at)
	}
	s.byIncident[c.IncidentID] = append(s.byIncident[c.IncidentID], c.ID)
	changed(cc112.LiveCallUpdated, func() any { return c.clone() })
	return nil
}

func (s *Service) applyCallClosed(at time.Time, p closedPayload, changed changedFunc) error {
	c, ok := s.calls[p.CallID]
	if !ok {
		return fmt.Errorf("unknown call %q", p.CallID)
	}
	c.Status, c.ClosedAt, c.Reason = CallClosed, timePtr(at), p.Reason
	if s.activeByPhone[c.Phone] == c.ID {
		delete(s.activeByPhone, c.Phone)
	}
	changed(cc112.LiveCallUpdated, func() any { return c.clone() })
	return nil
}

// applyAMLPending keeps the newest AML per number and forgets the expired
// ones, so that the map stays small.
func (s *Service) applyAMLPending(at time.Time, p amlPendingPayload, _ changedFunc) error {
	for phone, l := range s.pendingAML {
		if at.Sub(l.ReceivedAt) > s.cfg.PendingAML {
			delete(s.pendingAML, phone)
		}
	}
	s.pendingAML[p.Phone] = p.Location
	return nil
}

// For returns the call as v may see it: call-takers, dispatchers and
// supervisors see it whole; nobody else sees calls at all (nil).
func (c *Call) For(v cc112.Viewer) *Call {
	if v.Sight == cc112.SeeAll || v.Sight == cc112.SeeCallers {
		return c
	}
	return nil
}

// ViewName and View implement cc112.Viewed: whole or not at all.
func (c *Call) ViewName(v cc112.Viewer) string { return cc112.WholeOrHidden(c.For(v) != nil) }
func (c *Call) View(v cc112.Viewer) any        { return c.For(v) }
