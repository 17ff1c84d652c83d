package dispatch

import (
	"math"
	"sort"

	"cc112"
	"cc112/geo"
)

// IncidentFilter selects incidents by state: "active" (default), "closed", "all".
type IncidentFilter string

// Incidents lists incidents, highest priority first, then newest first.
func (e *Engine) Incidents(filter IncidentFilter) ([]*cc112.Incident, error) {
	switch filter {
	case "", "active", "closed", "all":
	default:
		return nil, cc112.Errorf(cc112.EInvalid, "status must be active, closed or all, got %q", filter)
	}
	e.mu.RLock()
	if filter == "" || filter == "active" { // the queue, without walking the history
		out := make([]*cc112.Incident, 0, len(e.index.active))
		for _, en := range e.index.active {
			out = append(out, en.inc.Clone())
		}
		e.mu.RUnlock()
		SortIncidents(out)
		return out, nil
	}
	out := make([]*cc112.Incident, 0, len(e.incidents))
	for _, inc := range e.incidents {
		switch {
		case filter == "all",
			filter == "closed" && !inc.Active(),
			(filter == "" || filter == "active") && inc.Active():
			out = append(out, inc.Clone())
		}
	}
	e.mu.RUnlock()
	SortIncidents(out)
	return out, nil
}

// SortIncidents orders a queue: priority 1 first, then newest first.
func SortIncidents(list []*cc112.Incident) {
	sort.Slice(list, func(a, b int) bool {
		x, y := list[a], list[b]
		if x.Priority != y.Priority {
			return x.Priority < y.Priority
		}
		if !x.ReceivedAt.Equal(y.ReceivedAt) {
			return x.ReceivedAt.After(y.ReceivedAt)
		}
		return x.ID < y.ID
	})
}

// Incident returns one incident.
func (e *Engine) Incident(id string) (*cc112.Incident, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	inc, ok := e.incidents[id]
	if !ok {
		return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", id)
	}
	return inc.Clone(), nil
}

// Units lists all units by callsign.
func (e *Engine) Units() []cc112.Unit {
	e.mu.RLock()
	out := make([]cc112.Unit, 0, len(e.units))
	for _, u := range e.units {
		out = append(out, *u)
	}
	e.mu.RUnlock()
	sort.Slice(out, func(a, b int) bool { return out[a].Callsign < out[b].Callsign })
	return out
}

// Unit returns one unit.
func (e *Engine) Unit(id string) (cc112.Unit, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	u, ok := e.units[id]
	if !ok {
		return cc112.Unit{}, cc112.Errorf(cc112.ENotFound, "unit %q not found", id)
	}
	return *u, nil
}

// Cameras lists all cameras by id, without their RTSP URLs.
func (e *Engine) Cameras() []cc112.Camera {
	e.mu.RLock()
	out := make([]cc112.Camera, 0, len(e.cameras))
	for _, c := range e.cameras {
		out = append(out, c.Camera)
	}
	e.mu.RUnlock()
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Camera returns one camera with its RTSP URLs (for the prober and the
// relay; handlers must not send the URLs to clients).
func (e *Engine) Camera(id string) (cc112.Camera, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c, ok := e.cameras[id]
	if !ok {
		return cc112.Camera{}, cc112.Errorf(cc112.ENotFound, "camera %q not found", id)
	}
	return c.camera(), nil
}

// NearCamera is a camera with its distance from a point.
type NearCamera struct {
	cc112.Camera
	DistanceM float64 `json:"distance_m"`
}

// NearestCameras returns up to limit cameras nearest to p.
func (e *Engine) NearestCameras(p geo.Point, limit int, filter func(cc112.Camera) bool) []NearCamera {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var keep func(string) bool
	if filter != nil {
		keep = func(id string) bool { return filter(e.cameras[id].Camera) }
	}
	e.searchMu.Lock()
	hits := e.camIndex.Nearest(p, limit, keep)
	e.searchMu.Unlock()
	out := make([]NearCamera, len(hits))
	for k, h := range hits {
		out[k] = NearCamera{Camera: e.cameras[h.ID].Camera, DistanceM: math.Round(h.DistanceM)}
	}
	return out
}

// Recommendation is an available unit ranked by estimated travel time.
type Recommendation struct {
	UnitID    string         `json:"unit_id"`
	Callsign  string         `json:"callsign"`
	Type      cc112.UnitType `json:"type"`
	Agency    string         `json:"agency"`
	ETAS      float64        `json:"eta_s"`
	DistanceM float64        `json:"distance_m"`
	Method    string         `json:"method"`
}

// Recommend ranks available units for an incident by ETA; typ "" means any
// type. The incident may be closed (the answer is then only informative).
func (e *Engine) Recommend(incidentID string, typ cc112.UnitType, limit int) ([]Recommendation, error) {
	if typ != "" && !typ.Valid() {
		return nil, cc112.Errorf(cc112.EInvalid, "unknown unit type %q", typ)
	}
	if limit <= 0 || limit > 100 {
		return nil, cc112.Errorf(cc112.EInvalid, "limit must be 1 to 100")
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	inc, ok := e.incidents[incidentID]
	if !ok {
		return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", incidentID)
	}
	return e.recommend(inc.Location, typ, limit, nil), nil
}

// recommend is the ranking itself; caller holds the lock. The spatial index
// visits cells nearest first and stops once no farther unit can beat the
// k-th best ETA.
func (e *Engine) recommend(p geo.Point, typ cc112.UnitType, limit int, skip map[string]bool) []Recommendation {
	score := func(id string, distM float64) (float64, bool) {
		u := e.units[id]
		if u == nil || u.Status != cc112.UnitAvailable || (typ != "" && u.Type != typ) || skip[id] {
			return 0, false
		}
		eta, _ := e.cfg.ETA.ETA(u.Location, p, string(u.Type))
		return eta, true
	}
	e.searchMu.Lock()
	hits := e.unitIndex.Best(p, limit, score, e.cfg.ETA.MinETA)
	e.searchMu.Unlock()
	out := make([]Recommendation, len(hits))
	for k, h := range hits {
		u := e.units[h.ID]
		out[k] = Recommendation{
			UnitID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency,
			ETAS: math.Round(h.Score), DistanceM: math.Round(h.DistanceM), Method: "straight",
		}
	}
	return out
}

// predictETA is the travel time the recommender would give unit u to p,
// rounded like a recommendation's; caller holds the lock.
func (e *Engine) predictETA(u *cc112.Unit, p geo.Point) (float64, string) {
	eta, _ := e.cfg.ETA.ETA(u.Location, p, string(u.Type))
	return math.Round(eta), "straight"
}

// Snapshot is the whole live state at one moment.
type Snapshot struct {
	Incidents []*cc112.Incident
	Units     []cc112.Unit
	Cameras   []cc112.Camera
}

// Snapshot copies the active incidents, units and cameras. during, when not
// nil, runs while the state cannot change: the live feed reads its sequence
// number there so that snapshot and seq agree.
func (e *Engine) Snapshot(during func()) Snapshot {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s := Snapshot{Units: make([]cc112.Unit, 0, len(e.units)), Cameras: make([]cc112.Camera, 0, len(e.cameras))}
	for _, en := range e.index.active {
		s.Incidents = append(s.Incidents, en.inc.Clone())
	}
	for _, u := range e.units {
		s.Units = append(s.Units, *u)
	}
	for _, c := range e.cameras {
		s.Cameras = append(s.Cameras, c.Camera)
	}
	if during != nil {
		during()
	}
	s.Sort()
	return s
}

// Sort puts a snapshot in the order the API lists: incidents most urgent
// first, units by callsign, cameras by id.
func (s *Snapshot) Sort() {
	SortIncidents(s.Incidents)
	sort.Slice(s.Units, func(a, b int) bool { return s.Units[a].Callsign < s.Units[b].Callsign })
	sort.Slice(s.Cameras, func(a, b int) bool { return s.Cameras[a].ID < s.Cameras[b].ID })
}

// Plan is a copy of the response plan in force (the console shows which
// units a category needs).
func (e *Engine) Plan() cc112.ResponsePlan {
	out := make(cc112.ResponsePlan, len(e.cfg.Plan))
	for cat, needs := range e.cfg.Plan {
		out[cat] = append([]cc112.Need(nil), needs...)
	}
	return out
}

// OutsideArea is how far p lies beyond the service area's districts, in
// metres, and whether that is beyond the margin: a new incident there must
// be confirmed with a reason. Without a service area nothing is outside.
func (e *Engine) OutsideArea(p geo.Point) (beyondM float64, out bool) {
	if e.cfg.Area == nil {
		return 0, false
	}
	d := e.cfg.Area.Beyond(p)
	return d, d > e.cfg.AreaMargin
}

// District names the kecamatan of p as incidents get it ("" outside).
func (e *Engine) District(p geo.Point) string {
	if e.cfg.Districts == nil {
		return ""
	}
	return e.cfg.Districts.Locate(p)
}
