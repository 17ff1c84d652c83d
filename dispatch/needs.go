package dispatch

import (
	"slices"

	"cc112"
	"cc112/geo"
)

// Needs: what an incident asks for (its category's plan plus the extra
// needs of its alarm level), what its units already cover, and which
// available units to send for the rest.
//
// A need names a unit type or a capability. A unit fills at most one of
// each need's count, but every need it answers: a fire engine carrying a
// pump and a ladder counts once towards "2 × fire", once towards
// "2 × pump" and once towards "1 × ladder". Needs of the same type (or
// capability) are summed first, so that level 2's "fire × 2" on top of the
// plan's "fire × 2" asks for four engines, not the same two again.

// needFilled reports whether u answers n: its type, or a capability it
// carries.
func needFilled(n cc112.Need, u *cc112.Unit) bool {
	if n.Capability != "" {
		return slices.Contains(u.Capabilities, n.Capability)
	}
	return u.Type == n.Type
}

// sameNeed reports whether a and b ask for the same thing (counts aside).
func sameNeed(a, b cc112.Need) bool { return a.Type == b.Type && a.Capability == b.Capability }

// needsOf is everything inc asks for at its alarm level, in plan order
// (level 2's and 3's extra needs after the plan's), equal needs summed.
func (e *Engine) needsOf(inc *cc112.Incident) []cc112.Need {
	lines := slices.Clone(e.cfg.Plan[inc.Category])
	levels := e.cfg.Alarms[inc.Category]
	for l := 2; l <= min(inc.AlarmLevel, MaxAlarmLevel); l++ {
		lines = append(lines, levels[l-2]...)
	}
	out := make([]cc112.Need, 0, len(lines))
	for _, n := range lines {
		if k := slices.IndexFunc(out, func(o cc112.Need) bool { return sameNeed(o, n) }); k >= 0 {
			out[k].Count += n.Count
		} else if n.Count > 0 {
			out = append(out, n)
		}
	}
	return out
}

// shortfall is what inc asks for beyond the units working it now, in plan
// order: each need less the active units that answer it.
func (e *Engine) shortfall(inc *cc112.Incident) []cc112.Need {
	out := []cc112.Need{}
	for _, need := range e.needsOf(inc) {
		have := 0
		for _, a := range inc.Assignments {
			if u := e.units[a.UnitID]; a.Active() && u != nil && needFilled(need, u) {
				have++
			}
		}
		if need.Count > have {
			need.Count -= have
			out = append(out, need)
		}
	}
	return out
}

// dispatchable reports whether u may be sent now: available and, when it
// has a roster, on shift.
func (e *Engine) dispatchable(u *cc112.Unit) bool {
	return u.Status == cc112.UnitAvailable && e.onShiftNow(u.ID, e.cfg.Clock.Now)
}

// fill chooses the units to send to p for the needs short (a shortfall),
// among the dispatchable units accept takes (nil: all), and returns them
// with the needs each fills, and what nobody can fill.
//
// Greedy by scarcity: the need with the fewest candidates in the whole
// fleet is filled first, each time with its nearest candidates; a unit
// chosen counts towards every need it answers. Filling the scarce need
// first matters because its few candidates are often the ones that answer
// several needs (the one aerial ladder is also a pump): taken first, it
// covers the common need too, and no extra engine is sent for it; the
// common needs, with many candidates, are then topped up with the nearest.
// Ties keep plan order, and candidates are ranked by ETA: the same state
// gives the same answer. The picks are returned in plan order (by the
// first need each fills): for a plan by type only, where no unit answers
// two needs, the units and their order are the nearest of each need in
// turn, as before capabilities.
func (e *Engine) fill(p geo.Point, short []cc112.Need, accept func(u *cc112.Unit) bool, withRoute bool) (picks []Recommendation, missing []cc112.Need) {
	left := make([]int, len(short))
	supply := make([]int, len(short))
	for k, n := range short {
		left[k] = n.Count
	}
	for _, u := range e.units {
		if !e.dispatchable(u) || (accept != nil && !accept(u)) {
			continue
		}
		for k, n := range short {
			if needFilled(n, u) {
				supply[k]++
			}
		}
	}
	order := make([]int, len(short))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return supply[a] - supply[b] })
	chosen := map[string]bool{}
	first := map[string]int{} // the first need in plan order each pick fills
	for _, k := range order {
		if left[k] <= 0 {
			continue
		}
		need := short[k]
		recs := e.rank(p, left[k], func(u *cc112.Unit) bool {
			return !chosen[u.ID] && needFilled(need, u) && e.dispatchable(u) && (accept == nil || accept(u))
		}, withRoute)
		for _, r := range recs {
			chosen[r.UnitID] = true
			u := e.units[r.UnitID]
			first[r.UnitID] = len(short)
			for j, n := range short {
				if left[j] > 0 && needFilled(n, u) {
					first[r.UnitID] = min(first[r.UnitID], j)
					left[j]--
					r.Fills = append(r.Fills, cc112.Need{Type: n.Type, Capability: n.Capability, Count: 1})
				}
			}
			picks = append(picks, r)
		}
	}
	// Sent in plan order: scarcity decides who goes, not the order.
	slices.SortStableFunc(picks, func(a, b Recommendation) int { return first[a.UnitID] - first[b.UnitID] })
	missing = []cc112.Need{}
	for k, n := range short {
		if left[k] > 0 {
			n.Count = left[k]
			missing = append(missing, n)
		}
	}
	return picks, missing
}

// PlanAnswer is what the incident's needs ask for now and whom to send:
// the units auto-assignment would send, each with the needs it fills, and
// the needs nobody available can fill.
type PlanAnswer struct {
	AlarmLevel int              `json:"alarm_level"`
	Needs      []cc112.Need     `json:"needs"`
	Short      []cc112.Need     `json:"short"`
	Picks      []Recommendation `json:"picks"`
	Missing    []cc112.Need     `json:"missing"`
}

// RecommendPlan answers which units would fill what the incident still
// needs (its plan and alarm level less the units on it); with opts.Route
// each pick has its route.
func (e *Engine) RecommendPlan(incidentID string, opts RecommendOpts) (*PlanAnswer, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	inc, ok := e.incidents[incidentID]
	if !ok {
		return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", incidentID)
	}
	ans := &PlanAnswer{AlarmLevel: max(inc.AlarmLevel, 1), Needs: e.needsOf(inc), Short: []cc112.Need{},
		Picks: []Recommendation{}, Missing: []cc112.Need{}}
	if !inc.Active() {
		return ans, nil
	}
	ans.Short = e.shortfall(inc)
	picks, missing := e.fill(inc.Location, ans.Short, nil, opts.Route)
	ans.Picks, ans.Missing = append(ans.Picks, picks...), missing
	return ans, nil
}
