// Package route answers drive times on a roads.Graph: one search from an
// incident over the reverse graph ranks every candidate unit at once
// (Fleet.Nearest), and a single route between two points (Router.Route).
// Points are snapped onto segments; a point too far from a road, or on a
// part of the graph that cannot reach the destination, gets the
// straight-line model instead and is marked "straight".
package route

import (
	"math"
	"sync"
	"time"

	"cc112/geo"
	"cc112/roads"
)

// Methods of an answer.
const (
	Road     = "road"
	Straight = "straight"
)

// Options tune a Router; zero fields take the defaults.
type Options struct {
	// SnapM is how far from the nearest road a point may be (250 m).
	SnapM float64
	// AccessKMH is the speed of the stretch between a point and its road
	// (10 km/h: a yard, a gang, a car park).
	AccessKMH float64
	// Emergency is the speed factor of each unit type over ordinary
	// traffic; a type missing gets 1.
	Emergency map[string]float64
	// Hours are the time-of-day factors; the zero value means free flow.
	Hours Hours
	// Straight is the fallback model.
	Straight geo.ETAModel
	// Location is the zone of Hours (WIB).
	Location *time.Location
}

// Router answers travel times on one graph. Safe for concurrent use.
type Router struct {
	g      *roads.Graph
	opt    Options
	emMax  float64 // the largest emergency factor: the search's stop bound
	vmax   float64 // the straight model's fastest speed and its detour:
	detour float64 // a lower bound of any straight-line ETA
	pool   sync.Pool
}

// New builds a router.
func New(g *roads.Graph, opt Options) *Router {
	if opt.SnapM <= 0 {
		opt.SnapM = 250
	}
	if opt.AccessKMH <= 0 {
		opt.AccessKMH = 10
	}
	if opt.Hours == (Hours{}) {
		opt.Hours, _ = ParseHours("")
	}
	if opt.Straight.Detour == 0 {
		opt.Straight = geo.DefaultETAModel()
	}
	if opt.Location == nil {
		opt.Location = time.FixedZone("WIB", 7*3600)
	}
	r := &Router{g: g, opt: opt, emMax: 1, detour: math.Max(1, opt.Straight.Detour), vmax: opt.Straight.DefaultSpeed}
	for _, f := range opt.Emergency {
		r.emMax = math.Max(r.emMax, f)
	}
	for _, v := range opt.Straight.Speeds {
		r.vmax = math.Max(r.vmax, v)
	}
	if r.vmax <= 0 {
		r.vmax = 200 / 3.6 // a model without speeds: no pruning worth the name, but a correct bound
	}
	r.pool.New = func() any { return newSearch(g.Nodes()) }
	return r
}

// Graph is the router's graph.
func (r *Router) Graph() *roads.Graph { return r.g }

// Snap places p on the road, if one is near enough.
func (r *Router) Snap(p geo.Point) (roads.Snap, bool) { return r.g.Snap(p, r.opt.SnapM) }

func (r *Router) emergency(typ string) float64 {
	if f, ok := r.opt.Emergency[typ]; ok && f > 0 {
		return f
	}
	return 1
}

// weights are the edge time multipliers of one hour (1/factor per class).
func (r *Router) weights(at time.Time) *[roads.NumClasses]float64 {
	var w [roads.NumClasses]float64
	h := r.opt.Hours[at.In(r.opt.Location).Hour()]
	for c, f := range h {
		w[c] = 1 / f
	}
	return &w
}

// Result is one answer: a unit's (or a point's) way to the destination.
type Result struct {
	ID        string
	ETAS      float64
	DistanceM float64
	Method    string
	// Geometry is the route from the start to the destination (road
	// answers, when asked for), as [lon, lat] pairs of GeoJSON.
	Geometry [][2]float64
}

// Route is the drive from one point to another for a unit type at a time.
func (r *Router) Route(from, to geo.Point, typ string, at time.Time) Result {
	straight := func() Result {
		eta, d := r.opt.Straight.ETA(from, to, typ)
		return Result{ETAS: eta, DistanceM: d, Method: Straight,
			Geometry: [][2]float64{{from.Lon, from.Lat}, {to.Lon, to.Lat}}}
	}
	dst, ok1 := r.Snap(to)
	src, ok2 := r.Snap(from)
	if !ok1 || !ok2 {
		return straight()
	}
	t := []target{{snap: src, pos: from, onRoad: true, live: true}}
	attached := map[int32][]int32{}
	for _, en := range entries(src) {
		attached[en.node] = append(attached[en.node], 0)
	}
	res, _ := r.search(to, dst, at, 1, t, attached, func(int32) (string, bool) { return typ, true }, true)
	if len(res) == 0 || res[0].Method != Road {
		return straight()
	}
	return res[0]
}

// target is a point that may be ranked: a unit's position, snapped.
type target struct {
	id     string
	pos    geo.Point
	snap   roads.Snap
	onRoad bool
	live   bool
}

// entry is a way onto the graph from a snapped point: reach node, after
// frac of edge (edge -1: the point is at the node).
type entry struct {
	node, edge int32
	frac       float64
}

// entries are the ways a unit at s drives onto the graph: the node at the
// end of each edge it may drive along, after the part of it still ahead.
func entries(s roads.Snap) []entry { return ends(s, false) }

// seeds are the nodes a destination at s is reached from: the node at the
// start of each edge that passes it, with the part of it up to s.
func seeds(s roads.Snap) []entry { return ends(s, true) }

func ends(s roads.Snap, from bool) []entry {
	switch {
	case s.T <= 0:
		return []entry{{s.A, -1, 0}}
	case s.T >= 1:
		return []entry{{s.B, -1, 0}}
	}
	var out []entry
	if s.Fwd >= 0 { // A→B
		if from {
			out = append(out, entry{s.A, s.Fwd, s.T})
		} else {
			out = append(out, entry{s.B, s.Fwd, 1 - s.T})
		}
	}
	if s.Back >= 0 { // B→A
		if from {
			out = append(out, entry{s.B, s.Back, 1 - s.T})
		} else {
			out = append(out, entry{s.A, s.Back, s.T})
		}
	}
	return out
}

// LineString is a route as GeoJSON.
type LineString struct {
	Type        string       `json:"type"`
	Coordinates [][2]float64 `json:"coordinates"`
}

// Line wraps coordinates as a LineString (nil for none).
func Line(coords [][2]float64) *LineString {
	if len(coords) == 0 {
		return nil
	}
	return &LineString{Type: "LineString", Coordinates: coords}
}
