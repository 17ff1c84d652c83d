package dispatch

import (
	"context"
	"sort"
	"time"

	"cc112"
	"cc112/geo"
)

// State is the core's state as an extension reads it while the engine's
// lock is held (in ReadState, or in a command through Tx.State): the alert
// timers are computed from it. The incidents and units are the engine's
// own: read them there, never keep or change them.
type State struct{ e *Engine }

// ReadState runs fn under the read lock with the core's state.
func (e *Engine) ReadState(fn func(s State)) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	fn(State{e})
}

// State is the core's state as the command sees it.
func (tx *Tx) State() State { return State{tx.e} }

// ActiveIncidents lists the open incidents by id.
func (s State) ActiveIncidents() []*cc112.Incident {
	out := make([]*cc112.Incident, 0, len(s.e.index.active))
	for _, en := range s.e.index.active {
		out = append(out, en.inc)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Incident is one incident, nil when unknown.
func (s State) Incident(id string) *cc112.Incident { return s.e.incidents[id] }

// Units lists every unit by id.
func (s State) Units() []*cc112.Unit {
	out := make([]*cc112.Unit, 0, len(s.e.units))
	for _, u := range s.e.units {
		out = append(out, u)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Plan is the response plan in force.
func (s State) Plan() cc112.ResponsePlan { return s.e.cfg.Plan }

// District names the kecamatan of p ("" outside or without districts).
func (s State) District(p geo.Point) string {
	if s.e.cfg.Districts == nil {
		return ""
	}
	return s.e.cfg.Districts.Locate(p)
}

// Every runs fn at once and then every tick (1 s when not positive) until
// ctx ends: the loop of the timers an extension checks against the
// injected clock (the clock decides what is due; tick only how often to
// look).
func Every(ctx context.Context, tick time.Duration, fn func()) {
	if tick <= 0 {
		tick = time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
