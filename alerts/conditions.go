package alerts

import (
	"sort"
	"time"

	"cc112"
	"cc112/geo"
)

// city is what the timers are computed from: the core's state at one
// instant (dispatch.State under the engine's lock).
type city struct {
	incidents []*cc112.Incident // active, by id
	units     []*cc112.Unit     // by id
	plan      cc112.ResponsePlan
	locate    func(geo.Point) string
}

// condition is one thing that needs a dispatcher, with the instant its
// timer runs out. The instant comes from times the journal holds and the
// thresholds only, so a restarted leader finds the same conditions due at
// the same instants.
type condition struct {
	cc112.Alert // Kind, Severity, Key, the subject and DueAt
}

// conditions lists every condition that holds in c (due or not), by key.
func (cfg *Config) conditions(c city) map[string]condition {
	out := map[string]condition{}
	add := func(a cc112.Alert) { out[a.Key] = condition{a} }
	for _, inc := range c.incidents {
		working := 0
		var lastCleared time.Time
		for _, a := range inc.Assignments {
			if !a.Active() {
				if a.ClearedAt.After(lastCleared) {
					lastCleared = *a.ClearedAt
				}
				continue
			}
			working++
			switch {
			case a.Status == cc112.UnitDispatched && a.AcknowledgedAt == nil:
				add(cc112.Alert{Kind: cc112.AlertUnacknowledged, Severity: cc112.SeverityWarning,
					Key: key(cc112.AlertUnacknowledged, inc.ID, a.UnitID), IncidentID: inc.ID, UnitID: a.UnitID,
					DueAt: a.DispatchedAt.Add(cfg.Unacknowledged)})
			case a.Status == cc112.UnitEnroute && a.EnrouteAt != nil && a.PredictedETAS > 0:
				allowed := time.Duration(cfg.EnrouteFactor * a.PredictedETAS * float64(time.Second))
				add(cc112.Alert{Kind: cc112.AlertEnrouteLate, Severity: cc112.SeverityWarning,
					Key: key(cc112.AlertEnrouteLate, inc.ID, a.UnitID), IncidentID: inc.ID, UnitID: a.UnitID,
					DueAt: a.EnrouteAt.Add(allowed.Truncate(time.Millisecond))})
			case a.Status == cc112.UnitOnscene && a.OnsceneAt != nil:
				add(cc112.Alert{Kind: cc112.AlertOnsceneLong, Severity: cc112.SeverityInfo,
					Key: key(cc112.AlertOnsceneLong, inc.ID, a.UnitID), IncidentID: inc.ID, UnitID: a.UnitID,
					DueAt: a.OnsceneAt.Add(cfg.onscene(inc.Category))})
			}
		}
		if working == 0 {
			// Waiting since it came in, or since its last unit left.
			since, wait, sev := inc.ReceivedAt, cfg.Unassigned, cc112.SeverityWarning
			if lastCleared.After(since) {
				since = lastCleared
			}
			if inc.Priority == cc112.MinPriority {
				wait, sev = cfg.UnassignedP1, cc112.SeverityCritical
			}
			add(cc112.Alert{Kind: cc112.AlertUnassigned, Severity: sev, Key: key(cc112.AlertUnassigned, inc.ID),
				IncidentID: inc.ID, DueAt: since.Add(wait)})
		}
	}
	for _, a := range cfg.noUnitOfType(c) {
		add(a)
	}
	for _, a := range cfg.coverageLow(c) {
		add(a)
	}
	return out
}

func (cfg *Config) onscene(cat cc112.Category) time.Duration {
	if d, ok := cfg.Onscene[cat]; ok {
		return d
	}
	return cfg.OnsceneDefault
}

// noUnitOfType is one condition per unit type that an open incident still
// needs (its response plan less the units working it) and of which no
// unit is available in the city; it names the incident waiting longest.
// It is due when both became true: the incident came in and the type's
// last unit left available.
func (cfg *Config) noUnitOfType(c city) []cc112.Alert {
	available := map[cc112.UnitType]int{}
	lastLeft := map[cc112.UnitType]time.Time{}
	for _, u := range c.units {
		if u.Status == cc112.UnitAvailable {
			available[u.Type]++
		} else if u.StatusAt.After(lastLeft[u.Type]) {
			lastLeft[u.Type] = u.StatusAt
		}
	}
	first := map[cc112.UnitType]*cc112.Incident{}
	for _, inc := range c.incidents {
		have := map[cc112.UnitType]int{}
		for _, a := range inc.Assignments {
			if a.Active() {
				have[a.Type]++
			}
		}
		for _, need := range c.plan[inc.Category] {
			if have[need.Type] >= need.Count || available[need.Type] > 0 {
				continue
			}
			if f := first[need.Type]; f == nil || inc.ReceivedAt.Before(f.ReceivedAt) ||
				(inc.ReceivedAt.Equal(f.ReceivedAt) && inc.ID < f.ID) {
				first[need.Type] = inc
			}
		}
	}
	var out []cc112.Alert
	for _, t := range cc112.UnitTypes {
		inc := first[t]
		if inc == nil {
			continue
		}
		due := inc.ReceivedAt
		if lastLeft[t].After(due) {
			due = lastLeft[t]
		}
		out = append(out, cc112.Alert{Kind: cc112.AlertNoUnitType, Severity: cc112.SeverityCritical,
			Key: key(cc112.AlertNoUnitType, string(t)), IncidentID: inc.ID, UnitType: t, DueAt: due})
	}
	return out
}

// coverageLow is one condition per district group and agency with fewer
// units available in the group's kecamatan than its minimum.
func (cfg *Config) coverageLow(c city) []cc112.Alert {
	var out []cc112.Alert
	for _, row := range cfg.coverage(c) {
		if !row.Below {
			continue
		}
		out = append(out, cc112.Alert{Kind: cc112.AlertCoverageLow, Severity: cc112.SeverityWarning,
			Key: key(cc112.AlertCoverageLow, row.Group, row.Agency), Group: row.Group, Agency: row.Agency, DueAt: row.since})
	}
	return out
}

// CoverageRow is one agency in one district group: units available there
// now against the minimum the city set.
type CoverageRow struct {
	Group     string `json:"group"`
	Agency    string `json:"agency"`
	Available int    `json:"available"`
	Minimum   int    `json:"minimum"`
	Below     bool   `json:"below"`
	since     time.Time
}

// coverage counts, for every group and every agency that has units or a
// minimum there, the agency's available units inside the group, in the
// configured group order and by agency.
func (cfg *Config) coverage(c city) []CoverageRow {
	if len(cfg.Coverage) == 0 {
		return nil
	}
	groupOf := map[string]int{}
	for k, g := range cfg.Coverage {
		for _, d := range g.Districts {
			groupOf[d] = k
		}
	}
	type cell struct{ n int }
	cells := make([]map[string]*cell, len(cfg.Coverage))
	agencies := map[string]bool{}
	for k, g := range cfg.Coverage {
		cells[k] = map[string]*cell{}
		for a := range g.Minimum {
			agencies[a] = true
		}
	}
	for _, u := range c.units {
		agencies[u.Agency] = true
	}
	var changed = map[string]time.Time{} // agency → its latest unit status change
	for _, u := range c.units {
		if u.StatusAt.After(changed[u.Agency]) {
			changed[u.Agency] = u.StatusAt
		}
		if u.Status != cc112.UnitAvailable {
			continue
		}
		k, ok := groupOf[c.locate(u.Location)]
		if !ok {
			continue
		}
		if cells[k][u.Agency] == nil {
			cells[k][u.Agency] = &cell{}
		}
		cells[k][u.Agency].n++
	}
	names := make([]string, 0, len(agencies))
	for a := range agencies {
		names = append(names, a)
	}
	sort.Strings(names)
	var out []CoverageRow
	for k, g := range cfg.Coverage {
		for _, a := range names {
			n := 0
			if x := cells[k][a]; x != nil {
				n = x.n
			}
			min := g.Minimum[a]
			out = append(out, CoverageRow{Group: g.Name, Agency: a, Available: n, Minimum: min, Below: n < min, since: changed[a]})
		}
	}
	return out
}

// key names a condition: its kind and subject.
func key(kind cc112.AlertKind, parts ...string) string {
	k := string(kind)
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

// sortConditions orders conditions by due time, then key: alert ids are
// handed out in this order, the same on every instance.
func sortConditions(list []condition) {
	sort.Slice(list, func(a, b int) bool {
		if !list[a].DueAt.Equal(list[b].DueAt) {
			return list[a].DueAt.Before(list[b].DueAt)
		}
		return list[a].Key < list[b].Key
	})
}
