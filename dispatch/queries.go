package dispatch

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/route"
)

// IncidentFilter selects incidents by state: "active" (default), "closed", "all".
type IncidentFilter string

// IncidentsInMemory lists the incidents the engine holds, highest priority
// first, then newest first: every open one ("active": the queue, whole),
// and the closed ones not yet archived ("closed", "all": not the whole
// history, which IncidentsReceived and SearchIncidents read).
func (e *Engine) IncidentsInMemory(filter IncidentFilter) ([]*cc112.Incident, error) {
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

// Incident returns one incident, from the archive when the engine let it
// go.
func (e *Engine) Incident(id string) (*cc112.Incident, error) {
	e.mu.RLock()
	inc, ok := e.incidents[id]
	if ok {
		inc = inc.Clone()
	}
	e.mu.RUnlock()
	if ok {
		return inc, nil
	}
	inc, err := e.archived(context.Background(), id)
	if err != nil {
		return nil, err
	}
	if inc == nil {
		return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", id)
	}
	return inc, nil
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

// Recommendation is a unit ranked by estimated travel time.
type Recommendation struct {
	UnitID    string         `json:"unit_id"`
	Callsign  string         `json:"callsign"`
	Type      cc112.UnitType `json:"type"`
	Agency    string         `json:"agency"`
	ETAS      float64        `json:"eta_s"`
	DistanceM float64        `json:"distance_m"`
	// Method is "road" (drive time on the road network) or "straight"
	// (no network, or a point off it).
	Method string `json:"method"`
	// PositionAgeS is the age of the fix the unit is ranked from; Stale
	// flags one older than the engine's PositionStale (or none at all).
	PositionAgeS *float64 `json:"position_age_s,omitempty"`
	Stale        bool     `json:"stale,omitempty"`
	// DivertFrom is set on a busy unit offered because it would arrive at
	// least DivertGain before the best available one: the lower-priority
	// incident it is en route to or on scene at.
	DivertFrom     string           `json:"divert_from,omitempty"`
	DivertPriority int              `json:"divert_priority,omitempty"`
	DivertStatus   cc112.UnitStatus `json:"divert_status,omitempty"`
	// Route is the way there (asked with ?route=1).
	Route *route.LineString `json:"route,omitempty"`
	// Fills are the needs of the incident this unit would fill, one of
	// each (RecommendPlan, auto-assignment).
	Fills []cc112.Need `json:"fills,omitempty"`
}

// DivertGain is how much sooner a busy unit must arrive than the best
// available one to be offered for diversion.
const DivertGain = 2 * time.Minute

// RecommendOpts asks for more than the ranking.
type RecommendOpts struct {
	Route    bool   // each recommendation's route
	Callsign string // only units whose callsign contains it (the console's type-ahead)
	// Capability keeps only units that carry it (pump, ladder, …).
	Capability string
}

// Recommend ranks available units for an incident by ETA; typ "" means any
// type. The incident may be closed (the answer is then only informative).
// Busy units working a lower-priority incident are added, flagged, when
// they would arrive DivertGain before the best available unit.
func (e *Engine) Recommend(incidentID string, typ cc112.UnitType, limit int, opts ...RecommendOpts) ([]Recommendation, error) {
	if typ != "" && !typ.Valid() {
		return nil, cc112.Errorf(cc112.EInvalid, "unknown unit type %q", typ)
	}
	if limit <= 0 || limit > 100 {
		return nil, cc112.Errorf(cc112.EInvalid, "limit must be 1 to 100")
	}
	var o RecommendOpts
	for _, x := range opts {
		o.Route = o.Route || x.Route
		if x.Callsign != "" {
			o.Callsign = x.Callsign
		}
		if x.Capability != "" {
			o.Capability = x.Capability
		}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	inc, ok := e.incidents[incidentID]
	if !ok {
		return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", incidentID)
	}
	callsign := strings.ToLower(strings.TrimSpace(o.Callsign))
	named := func(u *cc112.Unit) bool {
		return (callsign == "" || strings.Contains(strings.ToLower(u.Callsign), callsign)) &&
			(o.Capability == "" || slices.Contains(u.Capabilities, o.Capability))
	}
	recs := e.rank(inc.Location, limit, func(u *cc112.Unit) bool {
		return e.dispatchable(u) && (typ == "" || u.Type == typ) && named(u)
	}, o.Route)
	if !inc.Active() {
		return recs, nil
	}
	busy := e.rank(inc.Location, limit, func(u *cc112.Unit) bool {
		if (u.Status != cc112.UnitEnroute && u.Status != cc112.UnitOnscene) || (typ != "" && u.Type != typ) || !named(u) {
			return false
		}
		other := e.incidents[u.IncidentID]
		return other != nil && other.ID != inc.ID && other.Active() && other.Priority > inc.Priority
	}, o.Route)
	best := math.Inf(1)
	if len(recs) > 0 {
		best = recs[0].ETAS
	}
	for _, b := range busy {
		if b.ETAS+DivertGain.Seconds() > best {
			break
		}
		u := e.units[b.UnitID]
		b.DivertFrom, b.DivertPriority, b.DivertStatus = u.IncidentID, e.incidents[u.IncidentID].Priority, u.Status
		recs = append(recs, b)
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].ETAS < recs[j].ETAS })
	return recs, nil
}

// rank orders the units accept takes by their ETA to p: by road when the
// engine has a network and p is on it, else by the straight line (the
// spatial index visits cells nearest first and stops once no farther unit
// can beat the k-th best). Caller holds the lock.
func (e *Engine) rank(p geo.Point, limit int, accept func(u *cc112.Unit) bool, withRoute bool) []Recommendation {
	now := e.cfg.Clock.Now()
	rec := func(u *cc112.Unit, eta, dist float64, method string, line [][2]float64) Recommendation {
		r := Recommendation{UnitID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency,
			ETAS: math.Round(eta), DistanceM: math.Round(dist), Method: method, Stale: u.PositionAt.IsZero()}
		if !u.PositionAt.IsZero() {
			age := math.Round(now.Sub(u.PositionAt).Seconds())
			r.PositionAgeS, r.Stale = &age, now.Sub(u.PositionAt) > e.cfg.PositionStale
		}
		if withRoute {
			r.Route = route.Line(line)
		}
		return r
	}
	if e.fleet != nil {
		res, ok := e.fleet.Nearest(p, now, limit, func(id string) (string, bool) {
			u := e.units[id]
			if u == nil || !accept(u) {
				return "", false
			}
			return string(u.Type), true
		}, withRoute)
		if ok {
			out := make([]Recommendation, len(res))
			for k, r := range res {
				out[k] = rec(e.units[r.ID], r.ETAS, r.DistanceM, r.Method, r.Geometry)
			}
			return out
		}
	}
	score := func(id string, distM float64) (float64, bool) {
		u := e.units[id]
		if u == nil || !accept(u) {
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
		out[k] = rec(u, h.Score, h.DistanceM, route.Straight, [][2]float64{{u.Location.Lon, u.Location.Lat}, {p.Lon, p.Lat}})
	}
	return out
}

// predictETA is the travel time the recommender would give unit u to p,
// rounded like a recommendation's; caller holds the lock.
func (e *Engine) predictETA(u *cc112.Unit, p geo.Point) (float64, string) {
	if e.cfg.Roads != nil {
		r := e.cfg.Roads.Route(u.Location, p, string(u.Type), e.cfg.Clock.Now())
		return math.Round(r.ETAS), r.Method
	}
	eta, _ := e.cfg.ETA.ETA(u.Location, p, string(u.Type))
	return math.Round(eta), route.Straight
}

// RouteAnswer is GET /api/v1/route's answer.
type RouteAnswer struct {
	DurationS float64           `json:"duration_s"`
	DistanceM float64           `json:"distance_m"`
	Method    string            `json:"method"`
	Geometry  *route.LineString `json:"geometry"`
}

// Route is the drive between two points for a unit type ("" any), now.
func (e *Engine) Route(from, to geo.Point, typ cc112.UnitType) (RouteAnswer, error) {
	if typ != "" && !typ.Valid() {
		return RouteAnswer{}, cc112.Errorf(cc112.EInvalid, "unknown unit type %q", typ)
	}
	var r route.Result
	if e.cfg.Roads != nil {
		r = e.cfg.Roads.Route(from, to, string(typ), e.cfg.Clock.Now())
	} else {
		eta, d := e.cfg.ETA.ETA(from, to, string(typ))
		r = route.Result{ETAS: eta, DistanceM: d, Method: route.Straight,
			Geometry: [][2]float64{{from.Lon, from.Lat}, {to.Lon, to.Lat}}}
	}
	return RouteAnswer{DurationS: math.Round(r.ETAS), DistanceM: math.Round(r.DistanceM), Method: r.Method,
		Geometry: route.Line(r.Geometry)}, nil
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
	plan := e.plan()
	out := make(cc112.ResponsePlan, len(plan))
	for cat, needs := range plan {
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
