package dispatch

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"cc112"
)

// The city's configuration in the engine: agencies, stations, units and
// the plans (cfg.Plan and cfg.Alarms), changed live by city.changed.

// CityEdit is what an admin asks to change: entries to add or replace
// (by code, id or category) and keys to remove. A unit's status, position
// and incident are the engine's; an edit changes its callsign, type,
// agency, station and capabilities.
type CityEdit struct {
	Agencies       []cc112.Agency
	RemoveAgencies []string
	Stations       []cc112.Station
	RemoveStations []string
	Units          []cc112.Unit
	RetireUnits    []string
	Plans          []cc112.CategoryPlan
	RemovePlans    []cc112.Category
	// Reason is why (journaled with the change).
	Reason string
}

// City is the city's configuration in force, each list sorted by key.
func (e *Engine) City() cc112.City {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.city()
}

// CityKnown reports whether the journal holds a city.changed: the city
// has been seeded or edited (a journal from before city packs has units
// only).
func (e *Engine) CityKnown() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cityKnown
}

// city is City; the caller holds mu.
func (e *Engine) city() cc112.City {
	c := cc112.City{Agencies: []cc112.Agency{}, Stations: []cc112.Station{}, Units: []cc112.Unit{},
		Plans: cc112.CityPlans(e.cfg.Plan, e.cfg.Alarms)}
	for _, k := range slices.Sorted(maps.Keys(e.agencies)) {
		c.Agencies = append(c.Agencies, e.agencies[k])
	}
	for _, k := range slices.Sorted(maps.Keys(e.stations)) {
		c.Stations = append(c.Stations, e.stations[k])
	}
	for _, k := range slices.Sorted(maps.Keys(e.units)) {
		u := *e.units[k]
		u.Capabilities = slices.Clone(u.Capabilities)
		c.Units = append(c.Units, u)
	}
	return c
}

// ChangeCity applies an admin's edit as one city.changed event, by names
// who. The whole city after the edit is checked (cc112.City.Check): a
// problem it did not have before refuses the edit, every such problem
// named. Retiring a unit on an incident is a conflict; an unknown key to
// remove is not found. dryRun answers the change without making it (the
// diff of a pack). An edit that changes nothing journals nothing.
func (e *Engine) ChangeCity(ctx context.Context, by string, ed CityEdit, dryRun bool, key, fingerprint string) (cc112.CityChangedPayload, error) {
	if dryRun {
		key = ""
	}
	return Run(ctx, e, key, fingerprint, func(tx *Tx) (cc112.CityChangedPayload, error) {
		p, err := e.cityChange(tx.Now(), by, ed)
		if err != nil || dryRun || p.Empty() {
			return p, err
		}
		tx.Emit(cc112.EvCityChanged, p)
		return p, nil
	})
}

// ReplaceCity makes the city next (a pack loaded into a running city):
// entries next lacks are removed, units retired. See ChangeCity.
func (e *Engine) ReplaceCity(ctx context.Context, by string, next cc112.City, dryRun bool, key, fingerprint string) (cc112.CityChangedPayload, error) {
	ed := CityEdit{Agencies: next.Agencies, Stations: next.Stations, Units: next.Units, Plans: next.Plans}
	e.mu.RLock()
	for code := range e.agencies {
		if !slices.ContainsFunc(next.Agencies, func(a cc112.Agency) bool { return a.Code == code }) {
			ed.RemoveAgencies = append(ed.RemoveAgencies, code)
		}
	}
	for id := range e.stations {
		if !slices.ContainsFunc(next.Stations, func(s cc112.Station) bool { return s.ID == id }) {
			ed.RemoveStations = append(ed.RemoveStations, id)
		}
	}
	for id := range e.units {
		if !slices.ContainsFunc(next.Units, func(u cc112.Unit) bool { return u.ID == id }) {
			ed.RetireUnits = append(ed.RetireUnits, id)
		}
	}
	for cat := range e.cfg.Plan {
		if !slices.ContainsFunc(next.Plans, func(p cc112.CategoryPlan) bool { return p.Category == cat }) {
			ed.RemovePlans = append(ed.RemovePlans, cat)
		}
	}
	e.mu.RUnlock()
	return e.ChangeCity(ctx, by, ed, dryRun, key, fingerprint)
}

// cityChange checks an edit against the state and returns its event.
// Caller holds mu.
func (e *Engine) cityChange(now time.Time, by string, ed CityEdit) (cc112.CityChangedPayload, error) {
	cur := e.city()
	next := cur
	var err error
	if next.Agencies, err = editList(cur.Agencies, ed.Agencies, ed.RemoveAgencies, func(a cc112.Agency) string { return a.Code }, "agency"); err != nil {
		return cc112.CityChangedPayload{}, err
	}
	if next.Stations, err = editList(cur.Stations, ed.Stations, ed.RemoveStations, func(s cc112.Station) string { return s.ID }, "station"); err != nil {
		return cc112.CityChangedPayload{}, err
	}
	for _, id := range ed.RetireUnits {
		if u, ok := e.units[id]; ok && u.IncidentID != "" {
			return cc112.CityChangedPayload{}, cc112.Errorf(cc112.EConflict,
				"unit %s is on incident %s: release it before retiring it", u.Callsign, u.IncidentID)
		}
	}
	stationAt := map[string]cc112.Station{}
	for _, s := range next.Stations {
		stationAt[s.ID] = s
	}
	units := make([]cc112.Unit, len(ed.Units))
	for i, u := range ed.Units {
		if old, ok := e.units[u.ID]; ok { // an edit: the engine keeps the unit's work state
			o := *old
			o.Callsign, o.Type, o.Agency, o.Station, o.Capabilities = u.Callsign, u.Type, u.Agency, u.Station, slices.Clone(u.Capabilities)
			units[i] = o
			continue
		}
		n := cc112.Unit{ID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency, Station: u.Station,
			Capabilities: slices.Clone(u.Capabilities), Status: cc112.UnitAvailable, StatusAt: now, PositionAt: now, Location: u.Location}
		if n.Location == (cc112.Unit{}).Location {
			n.Location = stationAt[u.Station].Location
		}
		units[i] = n
	}
	if next.Units, err = editList(cur.Units, units, ed.RetireUnits, func(u cc112.Unit) string { return u.ID }, "unit"); err != nil {
		return cc112.CityChangedPayload{}, err
	}
	if next.Plans, err = editList(cur.Plans, ed.Plans, catStrings(ed.RemovePlans), func(p cc112.CategoryPlan) string { return string(p.Category) }, "plan"); err != nil {
		return cc112.CityChangedPayload{}, err
	}
	if err := e.newProblems(cur, next); err != nil {
		return cc112.CityChangedPayload{}, err
	}
	return cc112.CityChangedPayload{
		By:       by,
		Reason:   ed.Reason,
		Agencies: edits(cur.Agencies, next.Agencies, func(a cc112.Agency) string { return a.Code }, reflect.DeepEqual),
		Stations: edits(cur.Stations, next.Stations, func(s cc112.Station) string { return s.ID }, reflect.DeepEqual),
		Units:    edits(cur.Units, next.Units, func(u cc112.Unit) string { return u.ID }, sameUnit),
		Plans:    edits(cur.Plans, next.Plans, func(p cc112.CategoryPlan) string { return string(p.Category) }, samePlan),
	}, nil
}

// plan is the response plan in force, for reads outside the write lock
// (not under it: RLock would deadlock). A city.changed replaces the map,
// never changes it, so the caller may keep reading it.
func (e *Engine) plan() cc112.ResponsePlan {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cfg.Plan
}

// ServiceArea is where the city's stations must lie, and how far beyond
// it they may.
func (e *Engine) ServiceArea() (cc112.CityArea, float64) {
	if e.cfg.Area == nil {
		return nil, e.cfg.AreaMargin
	}
	return e.cfg.Area, e.cfg.AreaMargin
}

// newProblems refuses the problems next has and cur had not: an old
// journal's units with no stations yet do not block an unrelated edit.
func (e *Engine) newProblems(cur, next cc112.City) error {
	area, _ := e.ServiceArea()
	had := map[string]bool{}
	for _, p := range cur.Check(area, e.cfg.AreaMargin) {
		had[p.String()] = true
	}
	var out []cc112.CityProblem
	for _, p := range next.Check(area, e.cfg.AreaMargin) {
		if !had[p.String()] {
			out = append(out, p)
		}
	}
	return cc112.CityProblems(out)
}

func catStrings(cats []cc112.Category) []string {
	out := make([]string, len(cats))
	for i, c := range cats {
		out[i] = string(c)
	}
	return out
}

// editList replaces or adds set in list (by key) and removes the keys of
// remove, which must exist.
func editList[T any](list, set []T, remove []string, key func(T) string, kind string) ([]T, error) {
	out := slices.Clone(list)
	for _, v := range set {
		if i := slices.IndexFunc(out, func(o T) bool { return key(o) == key(v) }); i >= 0 {
			out[i] = v
		} else {
			out = append(out, v)
		}
	}
	for _, k := range remove {
		i := slices.IndexFunc(out, func(o T) bool { return key(o) == k })
		if i < 0 {
			return nil, cc112.Errorf(cc112.ENotFound, "%s %q not found", kind, k)
		}
		out = slices.Delete(out, i, i+1)
	}
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return out, nil
}

// edits lists what changed from cur to next, by key.
func edits[T any](cur, next []T, key func(T) string, same func(a, b any) bool) []cc112.Edit[T] {
	var out []cc112.Edit[T]
	old := map[string]T{}
	for _, v := range cur {
		old[key(v)] = v
	}
	for _, v := range next {
		if o, ok := old[key(v)]; !ok {
			out = append(out, cc112.Edit[T]{After: &v})
		} else if !same(o, v) {
			out = append(out, cc112.Edit[T]{Before: &o, After: &v})
		}
		delete(old, key(v))
	}
	for _, k := range slices.Sorted(maps.Keys(old)) {
		o := old[k]
		out = append(out, cc112.Edit[T]{Before: &o})
	}
	return out
}

// sameUnit compares what an admin edits of a unit.
func sameUnit(a, b any) bool {
	x, y := a.(cc112.Unit), b.(cc112.Unit)
	return x.Callsign == y.Callsign && x.Type == y.Type && x.Agency == y.Agency && x.Station == y.Station &&
		slices.Equal(x.Capabilities, y.Capabilities)
}

// samePlan compares plans, an empty level and a missing one alike.
func samePlan(a, b any) bool {
	x, y := a.(cc112.CategoryPlan), b.(cc112.CategoryPlan)
	for l := range x.Levels {
		if !slices.Equal(x.Levels[l], y.Levels[l]) {
			return false
		}
	}
	return x.Category == y.Category
}

// applyCityChanged folds a city.changed into the state.
func (e *Engine) applyCityChanged(at time.Time, p cc112.CityChangedPayload) error {
	e.cityKnown = true
	for _, c := range p.Agencies {
		if c.After != nil {
			e.agencies[c.After.Code] = *c.After
		} else if c.Before != nil {
			delete(e.agencies, c.Before.Code)
		}
	}
	for _, c := range p.Stations {
		if c.After != nil {
			e.stations[c.After.ID] = *c.After
		} else if c.Before != nil {
			delete(e.stations, c.Before.ID)
		}
	}
	if len(p.Plans) > 0 { // new maps: a caller may hold the old ones (State.Plan)
		plan, alarms := maps.Clone(e.cfg.Plan), maps.Clone(e.cfg.Alarms)
		if alarms == nil {
			alarms = cc112.AlarmLevels{}
		}
		for _, c := range p.Plans {
			if c.After == nil {
				delete(plan, c.Before.Category)
				delete(alarms, c.Before.Category)
				continue
			}
			one, extra := cc112.PlansOf([]cc112.CategoryPlan{*c.After})
			plan[c.After.Category] = one[c.After.Category]
			delete(alarms, c.After.Category)
			if a, ok := extra[c.After.Category]; ok {
				alarms[c.After.Category] = a
			}
		}
		e.cfg.Plan, e.cfg.Alarms = plan, alarms
	}
	for _, c := range p.Units {
		if err := e.applyUnitEdit(at, c); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) applyUnitEdit(at time.Time, c cc112.Edit[cc112.Unit]) error {
	switch {
	case c.After == nil && c.Before != nil: // retired
		u, err := e.appliedUnit(c.Before.ID)
		if err != nil {
			return err
		}
		if u.IncidentID != "" {
			return fmt.Errorf("unit %q retired while on incident %q", u.ID, u.IncidentID)
		}
		delete(e.units, u.ID)
		delete(e.posLogged, u.ID)
		e.unitIndex.Remove(u.ID)
		if e.fleet != nil {
			e.fleet.Remove(u.ID)
		}
		e.changedUnit(cc112.LiveUnitRetired, u)
	case c.Before == nil && c.After != nil: // added
		u := *c.After
		if _, dup := e.units[u.ID]; dup {
			return fmt.Errorf("unit %q added twice", u.ID)
		}
		if u.StatusAt.IsZero() {
			u.StatusAt = at
		}
		e.units[u.ID] = &u
		e.placeUnit(&u)
		e.changedUnit(cc112.LiveUnitUpdated, &u)
	case c.After != nil: // edited
		u, err := e.appliedUnit(c.After.ID)
		if err != nil {
			return err
		}
		u.Callsign, u.Type, u.Agency, u.Station = c.After.Callsign, c.After.Type, c.After.Agency, c.After.Station
		u.Capabilities = slices.Clone(c.After.Capabilities)
		e.changedUnit(cc112.LiveUnitUpdated, u)
	}
	return nil
}
