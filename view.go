package cc112

import "strings"

// Personal data (a caller's or reporter's name, phone number, NIK, a
// complaint's own words) reaches only those who may see it. Each resource
// that carries some has a method For(Viewer) that returns its view for one
// viewer, as a value of its own type: the REST handlers and the live feed
// call the same methods, so a field added to a resource is decided where
// the resource is, not by its JSON name (docs/security.md).

// Sight is how much personal data a kind of viewer sees.
type Sight uint8

// The sights. The zero value sees nothing: a viewer nobody set up fails
// closed.
const (
	// SeeNone is the operational picture only (police, admins): no caller
	// or reporter data of any kind, no calls, no complaints.
	SeeNone Sight = iota
	// SeeCallers sees calls and incidents' callers but not the complaint
	// desk (call-takers).
	SeeCallers
	// SeeAll sees everything (dispatchers and supervisors).
	SeeAll
	// SeeUnit is a field unit: the callback number of the incidents it is
	// assigned to, nothing else.
	SeeUnit
	// SeeAgency is an agency's complaint team: the complaints forwarded to
	// its agency, nothing else.
	SeeAgency
)

// Viewer is who looks at a resource, as far as personal data goes.
type Viewer struct {
	Sight  Sight
	UnitID string // SeeUnit: which unit
	Agency string // SeeAgency: which agency
}

// Everyone is the viewer who sees everything (no access control, the relay
// between instances).
var Everyone = Viewer{Sight: SeeAll}

// Key names the viewer's view: viewers with the same key see the same of
// every resource ("all", "callers", "none", "unit:U12", "agency:dkp").
func (v Viewer) Key() string {
	switch v.Sight {
	case SeeAll:
		return "all"
	case SeeCallers:
		return "callers"
	case SeeUnit:
		return "unit:" + v.UnitID
	case SeeAgency:
		return "agency:" + v.Agency
	}
	return "none"
}

// ViewAll is the name of a resource's whole view in Viewed.View.
const ViewAll = "all"

// Viewed is a resource with personal data, as the live feed holds it.
// ViewName names the view v gets among the resource's few ("": none at
// all, not even that it exists; ViewAll: the resource unchanged), cheaply,
// so that the feed encodes each view once and shares it between viewers;
// View returns that view (the resource's For).
type Viewed interface {
	ViewName(v Viewer) string
	View(v Viewer) any
}

// SeesInternal reports whether v reads the center's own words: internal
// notes and the reasons given for locations outside the service area.
func (v Viewer) SeesInternal() bool { return v.Sight == SeeAll || v.Sight == SeeCallers }

// SeesPhones reports whether v sees the caller's phone of the incidents it
// may see (a unit: the callback number of those it works).
func (v Viewer) SeesPhones() bool { return v.SeesInternal() || v.Sight == SeeUnit }

// WholeOrHidden is the ViewName of a resource a viewer sees whole or not
// at all.
func WholeOrHidden(sees bool) string {
	if sees {
		return ViewAll
	}
	return ""
}

// For returns the incident as v may see it: whole for call-takers,
// dispatchers and supervisors; for a unit assigned to it, with the
// caller's phone (to call back) but not the name or NIK; for police and
// admins without the caller; not at all (nil) for agency teams and units
// not assigned to it, whose REST answers hold no incidents either. Internal
// notes and the reason given for a location outside the service area are
// the command center's own words: units, police and admins get the
// incident without them (that the location was confirmed, and how far out,
// they do see: a crew must know the address is meant). The result may
// share memory with i: do not change it.
func (i *Incident) For(v Viewer) *Incident {
	name := i.ViewName(v)
	switch name {
	case ViewAll:
		return i
	case "":
		return nil
	}
	c := *i
	caller, internal, _ := strings.Cut(name, "+")
	switch caller {
	case "callback":
		c.Caller = nil
		if i.Caller.Phone != "" {
			c.Caller = &Caller{Phone: i.Caller.Phone}
		}
	case "no-caller":
		c.Caller = nil
	}
	if internal == viewNoInternal || caller == viewNoInternal {
		c.Notes = publicNotes(i.Notes)
		if i.OutOfArea != nil {
			c.OutOfArea = &OutOfArea{At: i.OutOfArea.At, DistanceM: i.OutOfArea.DistanceM}
			c.Changes = withoutAreaReasons(i.Changes)
		}
	}
	return &c
}

// viewNoInternal marks the views without internal notes and out-of-area
// reasons.
const viewNoInternal = "no-internal"

// ViewName implements Viewed: the caller part of the view ("callback",
// "no-caller") and, when the incident has internal notes or an out-of-area
// reason the viewer may not read, "no-internal", joined by "+".
func (i *Incident) ViewName(v Viewer) string {
	var name string
	if v.SeesInternal() { // and callers: everything
		return ViewAll
	}
	switch v.Sight {
	case SeeAgency:
		return ""
	case SeeUnit:
		switch {
		case !i.assigned(v.UnitID):
			return ""
		case i.Caller.Empty() || (i.Caller.Name == "" && i.Caller.NIK == ""):
			name = ViewAll // nothing but the callback number to show
		default:
			name = "callback"
		}
	default:
		name = "no-caller"
		if i.Caller.Empty() {
			name = ViewAll
		}
	}
	if !i.hasInternalNotes() && i.OutOfArea == nil {
		return name
	}
	if name == ViewAll {
		return viewNoInternal
	}
	return name + "+" + viewNoInternal
}

func (i *Incident) hasInternalNotes() bool {
	for _, n := range i.Notes {
		if n.Internal {
			return true
		}
	}
	return false
}

// withoutAreaReasons is changes with the reasons of out-of-area
// confirmations left out (the change itself stays).
func withoutAreaReasons(changes []Change) []Change {
	out := make([]Change, len(changes))
	for k, c := range changes {
		if strings.HasPrefix(c.Reason, OutOfAreaPrefix) {
			c.Reason = ""
		}
		out[k] = c
	}
	return out
}

// publicNotes is notes without the internal ones.
func publicNotes(notes []Note) []Note {
	out := make([]Note, 0, len(notes))
	for _, n := range notes {
		if !n.Internal {
			out = append(out, n)
		}
	}
	return out
}

// View implements Viewed.
func (i *Incident) View(v Viewer) any { return i.For(v) }

// assigned reports whether unit works the incident now.
func (i *Incident) assigned(unit string) bool {
	for _, a := range i.Assignments {
		if a.UnitID == unit && a.Active() {
			return true
		}
	}
	return false
}

// IncidentsFor returns the incidents v may see, as it may see them.
func IncidentsFor(list []*Incident, v Viewer) []*Incident {
	out := make([]*Incident, 0, len(list))
	for _, inc := range list {
		if view := inc.For(v); view != nil {
			out = append(out, view)
		}
	}
	return out
}

// For returns the message as v may see it: whole for dispatchers and
// supervisors (the center's desk), whole for a unit it is to or from, not at
// all for anyone else (call-takers, police, agencies, admins): messages are
// operational talk, not the shared picture.
func (m *Message) For(v Viewer) *Message {
	if m.ViewName(v) == "" {
		return nil
	}
	return m
}

// ViewName implements Viewed.
func (m *Message) ViewName(v Viewer) string {
	return WholeOrHidden(v.Sight == SeeAll || (v.Sight == SeeUnit && m.Reaches(v.UnitID)))
}

// View implements Viewed.
func (m *Message) View(v Viewer) any { return m.For(v) }

// ViewName implements Viewed: the alert is the center's (those who see
// everything); the unit learns of it by SMS.
func (a *AckOverdue) ViewName(v Viewer) string { return WholeOrHidden(v.Sight == SeeAll) }

// View implements Viewed.
func (a *AckOverdue) View(v Viewer) any {
	if a.ViewName(v) == "" {
		return nil
	}
	return a
}

// ViewName implements Viewed: alerts are the command center's working
// signals, seen whole by call-takers, dispatchers and supervisors; police,
// admins, units and agency teams get none (they have no alert route
// either), so an alert about an incident they may not see tells them
// nothing (docs/security.md).
func (a *Alert) ViewName(v Viewer) string {
	return WholeOrHidden(v.Sight == SeeAll || v.Sight == SeeCallers)
}

// For returns the alert as v may see it: whole or nil.
func (a *Alert) For(v Viewer) *Alert {
	if a.ViewName(v) == "" {
		return nil
	}
	return a
}

// View implements Viewed.
func (a *Alert) View(v Viewer) any { return a.For(v) }
