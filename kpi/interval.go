// Package kpi measures response times against the city's target
// (DESIGN.md §3): per incident the processing (received → first dispatch),
// where received is the call's answer for an incident made from a call,
// turnout (first dispatch → first en route), travel (first en route → first
// on scene) and response (received → first unit on scene) intervals, and
// over a set of incidents their nearest-rank percentiles, mean and share
// within target. Incidents with a missing or out-of-order timestamp are
// counted as such and kept out of that interval's figures, never used and
// never dropped silently. Pure Go: no HTTP, no storage.
package kpi

import (
	"time"

	"cc112"
)

// Interval names one measured interval.
type Interval int

// The intervals, in the order of the timeline.
const (
	Processing Interval = iota // received → first dispatch
	Turnout                    // first dispatch → first en route
	Travel                     // first en route → first on scene
	Response                   // received → first unit on scene
	numIntervals
)

// IntervalNames are the stable codes of the intervals (JSON, CSV).
var IntervalNames = [numIntervals]string{"processing", "turnout", "travel", "response"}

// State says whether an interval's value can be used.
type State uint8

// States of an interval.
const (
	// OK: both timestamps present and in order; Seconds holds the value.
	OK State = iota
	// Missing: the incident is closed but a timestamp was never recorded
	// (a unit that never reported en route, a cancelled call).
	Missing
	// OutOfOrder: both timestamps present but the end is before the start
	// (a clock error, a status tapped late, dirty imported data).
	OutOfOrder
	// Pending: the incident is still open and has not reached the end yet.
	Pending
)

var stateNames = [...]string{"ok", "missing", "out_of_order", "pending"}

func (s State) String() string { return stateNames[s] }

// Value is one interval of one incident.
type Value struct {
	Seconds float64
	State   State
}

// Timeline is what the intervals are computed from: the incident's first
// dispatch, first en route and first on scene (cc112.Incident keeps them).
type Timeline struct {
	Received   time.Time
	Dispatched *time.Time
	Enroute    *time.Time
	Onscene    *time.Time
	// Open: the incident is still active, so an absent timestamp is not
	// missing yet but pending.
	Open bool
}

// Measure computes the four intervals of a timeline.
func Measure(t Timeline) [numIntervals]Value {
	recv := &t.Received
	if t.Received.IsZero() {
		recv = nil
	}
	return [numIntervals]Value{
		Processing: between(recv, t.Dispatched, t.Open),
		Turnout:    between(t.Dispatched, t.Enroute, t.Open),
		Travel:     between(t.Enroute, t.Onscene, t.Open),
		Response:   between(recv, t.Onscene, t.Open),
	}
}

func between(from, to *time.Time, open bool) Value {
	switch {
	case to == nil && open:
		return Value{State: Pending}
	case to == nil || from == nil:
		return Value{State: Missing}
	case to.Before(*from):
		return Value{Seconds: to.Sub(*from).Seconds(), State: OutOfOrder}
	}
	return Value{Seconds: to.Sub(*from).Seconds(), State: OK}
}

// Record is one incident as the metrics see it.
type Record struct {
	ID       string
	Number   string
	Category string
	Priority int
	District string
	// Agencies of the units assigned to the incident, each once, in order
	// of assignment. An incident answered by police and an ambulance counts
	// for both agencies in a breakdown by agency.
	Agencies   []string
	ReceivedAt time.Time
	Values     [numIntervals]Value
	Open       bool
	Imported   bool
	// Cancelled: closed as no response (cc112.Incident.Cancelled); the
	// reports and the export leave it out.
	Cancelled bool
	// ClosedBeforeReceived flags a closing time before the call: not an
	// interval of the target, but dirty data a supervisor should see.
	ClosedBeforeReceived bool
}

// FromIncident builds the record of an incident. Imported incidents are
// recognised by their source "import".
func FromIncident(inc *cc112.Incident) Record {
	r := Record{
		ID: inc.ID, Number: inc.Number, Category: string(inc.Category), Priority: inc.Priority,
		District: inc.District, ReceivedAt: inc.ReceivedAt, Open: inc.Active(), Imported: inc.Source == cc112.ImportSource,
		Cancelled: inc.Cancelled,
	}
	for _, a := range inc.Assignments {
		if !contains(r.Agencies, a.Agency) {
			r.Agencies = append(r.Agencies, a.Agency)
		}
	}
	r.Values = Measure(Timeline{
		Received: inc.ClockStart(), Dispatched: inc.DispatchedAt, Enroute: inc.EnrouteAt, Onscene: inc.OnsceneAt, Open: r.Open,
	})
	r.ClosedBeforeReceived = inc.ClosedAt != nil && inc.ClosedAt.Before(inc.ReceivedAt)
	return r
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Flags lists what is wrong or special about a record, for the CSV export:
// e.g. "turnout:missing travel:out_of_order imported".
func (r *Record) Flags() []string {
	var out []string
	for k, v := range r.Values {
		if v.State != OK {
			out = append(out, IntervalNames[k]+":"+v.State.String())
		}
	}
	if r.ClosedBeforeReceived {
		out = append(out, "closed_before_received")
	}
	if r.Open {
		out = append(out, "open")
	}
	if r.Imported {
		out = append(out, "imported")
	}
	return out
}
