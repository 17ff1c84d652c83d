package citysim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"cc112"
	"cc112/city"
	"cc112/coverage"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/route"
)

// Config is one simulated run. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	Days     float64
	Seed     uint64
	Start    time.Time // the first simulated instant
	Workload Workload
	// City is the city pack: districts, agencies, stations, units and
	// response plans (city.Demo, or city.Load of a pack folder).
	City *city.Pack
	// Roads, when set, is the road network units are ranked and driven on.
	Roads  *route.Router
	Policy Policy
	// Fewer takes this many units out of the fleet (see ReduceFleet).
	Fewer int

	TargetS     float64 // the response target (444 s)
	ProcessingS float64 // mean call processing, call → first order
	TurnoutS    float64 // mean turnout, order → en route
	// OnSceneMin is the mean time on scene per category, in minutes.
	OnSceneMin map[cc112.Category]float64
	// Transport is the share of calls of a category whose patient an
	// ambulance takes to hospital.
	Transport   map[cc112.Category]float64
	HandoverMin float64 // mean hand-over time at the hospital
	Hospitals   []cc112.Hospital
	// P1 is the share of a category's calls given priority 1; the others
	// get LowPriority (2 when not given).
	P1          map[cc112.Category]float64
	LowPriority map[cc112.Category]int
	// OwnPosts keeps a redeployed unit to its own agency's stations; by
	// default it may wait at any station of the city (an ambulance at a
	// fire post).
	OwnPosts bool
	// Busy is MEXCLP's q, the chance a unit is busy, for coverage.
	Busy float64
	// KeepLog keeps the engine's journal in memory for Result.Events.
	KeepLog bool
	Log     *slog.Logger
}

// DefaultConfig returns the defaults: 30 days of Surabaya's 2025 workload
// on the demo city, closest-idle dispatching.
func DefaultConfig() Config {
	pack := city.Demo()
	return Config{
		Days: 30, Seed: 1, Start: time.Date(2025, 1, 1, 0, 0, 0, 0, cc112.WIB),
		Workload: NewWorkload("Surabaya 112, 2025", Surabaya2025),
		City:     pack, Policy: Closest{},
		TargetS: 444, ProcessingS: 60, TurnoutS: 60,
		OnSceneMin: map[cc112.Category]float64{
			cc112.CatMedical: 20, cc112.CatTrafficAccident: 30, cc112.CatFire: 60,
			cc112.CatOther: 45, cc112.CatFallenTree: 60, cc112.CatAnimal: 40,
		},
		Transport:   map[cc112.Category]float64{cc112.CatMedical: 0.7, cc112.CatTrafficAccident: 0.4},
		HandoverMin: 15, Busy: 0.3,
		Hospitals:   DemoHospitals(pack),
		P1:          map[cc112.Category]float64{cc112.CatFire: 1, cc112.CatTrafficAccident: 0.5, cc112.CatMedical: 0.4},
		LowPriority: map[cc112.Category]int{cc112.CatFallenTree: 3, cc112.CatAnimal: 3},
	}
}

// DemoHospitals are the demo city's ambulance stations that are hospitals
// (RSUD, RSU, RS): where patients are taken.
func DemoHospitals(pack *city.Pack) []cc112.Hospital {
	var out []cc112.Hospital
	for _, s := range pack.Stations {
		if s.Agency == "dinkes" && strings.HasPrefix(s.Name, "RS") {
			out = append(out, cc112.Hospital{Name: s.Name, Location: s.Location})
		}
	}
	return out
}

// ReduceFleet takes n units away: one at a time from the unit type that
// has the most units left, its highest-numbered unit (deterministic).
func ReduceFleet(units []cc112.Unit, n int) []cc112.Unit {
	out := slices.Clone(units)
	for range n {
		count := map[cc112.UnitType]int{}
		for _, u := range out {
			count[u.Type]++
		}
		var most cc112.UnitType
		for _, t := range cc112.UnitTypes {
			if count[t] > count[most] {
				most = t
			}
		}
		if count[most] <= 1 {
			break // never a type with no unit at all
		}
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].Type == most {
				out = slices.Delete(out, i, i+1)
				break
			}
		}
	}
	return out
}

// call is one generated call with everything random about it drawn up
// front, so that every policy meets the same calls (common random numbers).
type call struct {
	idx         int
	at          time.Time
	category    cc112.Category
	priority    int
	location    geo.Point
	processingS float64
	onSceneS    float64
	transport   bool
	handoverS   float64
}

// calls draws the arrival process: a Poisson process whose rate changes
// by the hour (sampled by thinning against the peak hour's rate).
func (c *Config) calls(rng *rand.Rand) []call {
	w := &c.Workload
	peak := 0.0
	for h := range 24 {
		peak = max(peak, w.RatePerHour(h))
	}
	cats := make([]cc112.Category, 0, len(w.PerYear))
	for cat := range w.PerYear {
		cats = append(cats, cat)
	}
	slices.Sort(cats)
	catTotal := 0.0
	for _, cat := range cats {
		catTotal += w.PerYear[cat]
	}
	districts := c.City.Districts.All()
	dw := make([]float64, len(districts))
	dTotal := 0.0
	for i, d := range districts {
		dw[i] = 1
		if w.Districts != nil {
			dw[i] = w.Districts[d.Name]
		}
		dTotal += dw[i]
	}
	end := c.Start.Add(time.Duration(c.Days * 24 * float64(time.Hour)))
	var out []call
	t := c.Start
	for {
		t = t.Add(time.Duration(rng.ExpFloat64() / peak * float64(time.Hour)))
		if !t.Before(end) {
			return out
		}
		if rng.Float64()*peak > w.RatePerHour(t.In(cc112.WIB).Hour()) {
			continue
		}
		cat := cats[pick(rng, len(cats), catTotal, func(i int) float64 { return w.PerYear[cats[i]] })]
		d := districts[pick(rng, len(districts), dTotal, func(i int) float64 { return dw[i] })]
		prio := c.LowPriority[cat]
		if prio == 0 {
			prio = 2
		}
		if rng.Float64() < c.P1[cat] {
			prio = cc112.MinPriority
		}
		onScene := c.OnSceneMin[cat]
		if onScene <= 0 {
			onScene = 30
		}
		out = append(out, call{
			idx: len(out), at: t.Truncate(time.Second), category: cat, priority: prio,
			location:    pointIn(rng, c.City.Districts, d),
			processingS: 30 + rng.ExpFloat64()*(c.ProcessingS-30),
			onSceneS:    erlang2(rng, onScene*60),
			transport:   rng.Float64() < c.Transport[cat],
			handoverS:   erlang2(rng, c.HandoverMin*60),
		})
	}
}

// pick draws an index with probability weight(i)/total.
func pick(rng *rand.Rand, n int, total float64, weight func(int) float64) int {
	x := rng.Float64() * total
	for i := range n {
		x -= weight(i)
		if x < 0 {
			return i
		}
	}
	return n - 1
}

// erlang2 is a positive duration with the given mean and a shape like
// service times have (no mass at zero, a long right tail).
func erlang2(rng *rand.Rand, mean float64) float64 {
	return (rng.ExpFloat64() + rng.ExpFloat64()) * mean / 2
}

// pointIn draws a point uniformly inside a district (its centroid when
// twenty tries miss).
func pointIn(rng *rand.Rand, ds *geo.Districts, d geo.District) geo.Point {
	b := d.Geometry.Bound()
	for range 20 {
		p := geo.Point{Lat: b.Min.Lat() + rng.Float64()*(b.Max.Lat()-b.Min.Lat()), Lon: b.Min.Lon() + rng.Float64()*(b.Max.Lon()-b.Min.Lon())}
		p = geo.Point{Lat: math.Round(p.Lat*1e6) / 1e6, Lon: math.Round(p.Lon*1e6) / 1e6}
		if ds.Locate(p) == d.Name {
			return p
		}
	}
	return d.Centroid
}

// Events of the loop, in time order (ties by the order they were queued).
type evKind int

const (
	evCall     evKind = iota // a call arrives: the incident is recorded
	evOrder                  // processing done: units are ordered
	evEnroute                // turnout done: the unit drives
	evArrive                 // the unit is on scene
	evCleared                // the work on scene is done
	evHospital               // the ambulance reached the hospital
	evHandover               // the patient is handed over: the unit is free
	evHome                   // the unit is back at its station
)

type simEvent struct {
	at   time.Time
	n    uint64
	kind evKind
	call int    // evCall, evOrder
	unit string // unit events
	gen  int    // the unit's assignment the event belongs to
}

type eventQueue []simEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].n < q[j].n
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// unitState is the simulator's side of a unit: where it drives, which
// assignment its queued events belong to, and its busy time.
type unitState struct {
	unit    cc112.Unit
	home    geo.Point
	gen     int
	call    int // the call it works, -1 when free
	from    geo.Point
	to      geo.Point
	t0, t1  time.Time // the current drive (t1 zero: standing at from)
	busyAt  time.Time // when the current assignment began
	busyFor time.Duration
	working bool
}

// at is where the unit is at t: along the straight line of its drive.
func (u *unitState) at(t time.Time) geo.Point {
	if u.t1.IsZero() || !t.Before(u.t1) {
		if u.t1.IsZero() {
			return u.from
		}
		return u.to
	}
	f := t.Sub(u.t0).Seconds() / u.t1.Sub(u.t0).Seconds()
	f = min(max(f, 0), 1)
	return geo.Point{
		Lat: math.Round((u.from.Lat+(u.to.Lat-u.from.Lat)*f)*1e6) / 1e6,
		Lon: math.Round((u.from.Lon+(u.to.Lon-u.from.Lon)*f)*1e6) / 1e6,
	}
}

type callState struct {
	call     call
	incident string
	ordered  bool // processing is over: its needs may be filled
	waiting  bool // in the queue of calls short of units
	working  int  // units assigned and not yet cleared
	closed   bool
}

type runner struct {
	cfg     Config
	ctx     context.Context
	eng     *dispatch.Engine
	clock   *simClock
	j       *memJournal
	q       eventQueue
	n       uint64
	seed    uint64
	calls   []callState
	units   map[string]*unitState
	order   []string // unit ids, sorted
	queue   []int    // calls short of units
	cov     map[cc112.UnitType]*coverage.Coverage
	diverts int
	refill  []int                              // calls that lost a unit to a diversion
	posts   map[cc112.UnitType][]coverage.Post // where a freed unit of a type may wait
	homes   map[string]coverage.Post           // each unit's own station
}

// withDefaults fills the zero fields from DefaultConfig.
func (cfg Config) withDefaults() Config {
	def := DefaultConfig()
	if cfg.Start.IsZero() {
		cfg.Start = def.Start
	}
	if cfg.City == nil {
		cfg.City = def.City
	}
	if cfg.Policy == nil {
		cfg.Policy = def.Policy
	}
	if cfg.Workload.PerYear == nil {
		cfg.Workload = def.Workload
	}
	if cfg.TargetS == 0 {
		cfg.TargetS = def.TargetS
	}
	if cfg.ProcessingS < 30 {
		cfg.ProcessingS = max(cfg.ProcessingS, def.ProcessingS)
	}
	if cfg.TurnoutS <= 0 {
		cfg.TurnoutS = def.TurnoutS
	}
	if cfg.OnSceneMin == nil {
		cfg.OnSceneMin = def.OnSceneMin
	}
	if cfg.Transport == nil {
		cfg.Transport = def.Transport
	}
	if cfg.HandoverMin <= 0 {
		cfg.HandoverMin = def.HandoverMin
	}
	if cfg.Hospitals == nil {
		cfg.Hospitals = DemoHospitals(cfg.City)
	}
	if cfg.P1 == nil {
		cfg.P1 = def.P1
	}
	if cfg.LowPriority == nil {
		cfg.LowPriority = def.LowPriority
	}
	if cfg.Busy <= 0 || cfg.Busy >= 1 {
		cfg.Busy = def.Busy
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return cfg
}

// Run simulates cfg and measures it.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Days <= 0 {
		return nil, errors.New("citysim: days must be positive")
	}
	cfg = cfg.withDefaults()
	r := &runner{cfg: cfg, ctx: ctx, clock: &simClock{t: cfg.Start}, j: &memJournal{keep: cfg.KeepLog}, seed: cfg.Seed, units: map[string]*unitState{}}
	eng, err := dispatch.New(ctx, dispatch.Config{
		Journal: r.j, Clock: r.clock, Districts: cfg.City.Districts, Area: cfg.City.Districts, AreaMargin: 2000,
		Roads: cfg.Roads, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, err
	}
	r.eng = eng
	fleet := ReduceFleet(cfg.City.Units, cfg.Fewer)
	// The city as dispatchd seeds it: one change with the pack's agencies,
	// stations, units and response plans.
	if _, err := eng.ChangeCity(ctx, "citysim", dispatch.CityEdit{Agencies: cfg.City.Agencies, Stations: cfg.City.Stations,
		Units: fleet, Plans: cfg.City.Plans}, false, "", ""); err != nil {
		return nil, err
	}
	if err := cfg.Workload.Validate(eng.Plan()); err != nil {
		return nil, err
	}
	for _, u := range fleet {
		r.units[u.ID] = &unitState{unit: u, home: u.Location, from: u.Location, call: -1}
		r.order = append(r.order, u.ID)
	}
	slices.Sort(r.order)
	r.cov = r.coverages()
	r.homes = map[string]coverage.Post{}
	byID := map[string]cc112.Station{}
	agencies := map[cc112.UnitType]map[string]bool{}
	for _, u := range fleet {
		if agencies[u.Type] == nil {
			agencies[u.Type] = map[string]bool{}
		}
		agencies[u.Type][u.Agency] = true
	}
	r.posts = map[cc112.UnitType][]coverage.Post{}
	for _, st := range cfg.City.Stations {
		byID[st.ID] = st
		for _, t := range cc112.UnitTypes {
			if !cfg.OwnPosts || agencies[t][st.Agency] {
				r.posts[t] = append(r.posts[t], coverage.Post{ID: st.ID, Name: st.Name, At: st.Location})
			}
		}
	}
	for _, u := range fleet {
		st, ok := byID[u.Station]
		if !ok {
			st = cc112.Station{ID: u.Station, Name: u.Station}
		}
		r.homes[u.ID] = coverage.Post{ID: st.ID, Name: st.Name, At: u.Location}
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x112))
	for _, c := range cfg.calls(rng) {
		r.calls = append(r.calls, callState{call: c})
		r.push(c.at, simEvent{kind: evCall, call: c.idx})
	}
	started := time.Now()
	for r.q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ev := heap.Pop(&r.q).(simEvent)
		r.clock.set(ev.at)
		if err := r.handle(ev); err != nil {
			return nil, fmt.Errorf("citysim: %s: %w", ev.at.Format(time.RFC3339), err)
		}
	}
	return r.result(time.Since(started))
}

func (r *runner) push(at time.Time, ev simEvent) {
	r.n++
	ev.at, ev.n = at, r.n
	heap.Push(&r.q, ev)
}

func secs(s float64) time.Duration { return time.Duration(math.Round(s)) * time.Second }

// coverage builds the per-type coverage measure from the kecamatan
// centroids weighted by the workload.
func (r *runner) coverages() map[cc112.UnitType]*coverage.Coverage {
	var pts []coverage.DemandPoint
	total := 0.0
	for _, d := range r.cfg.City.Districts.All() {
		w := 1.0
		if r.cfg.Workload.Districts != nil {
			w = r.cfg.Workload.Districts[d.Name]
		}
		pts = append(pts, coverage.DemandPoint{Name: d.Name, At: d.Centroid, Weight: w})
		total += w
	}
	for i := range pts {
		pts[i].Weight /= total
	}
	out := map[cc112.UnitType]*coverage.Coverage{}
	for _, t := range cc112.UnitTypes {
		out[t] = &coverage.Coverage{Points: pts, ETA: geo.DefaultETAModel(), BudgetS: r.cfg.TargetS - r.cfg.ProcessingS - r.cfg.TurnoutS, Busy: r.cfg.Busy}
	}
	return out
}

// drive is the travel time of a unit from one point to another now:
// by road when a network is loaded (the straight line off it).
func (r *runner) drive(typ cc112.UnitType, from, to geo.Point) float64 {
	if r.cfg.Roads != nil {
		return r.cfg.Roads.Route(from, to, string(typ), r.clock.Now()).ETAS
	}
	eta, _ := geo.DefaultETAModel().ETA(from, to, string(typ))
	return eta
}

// noise is the call's own random factor for one unit's drive and turnout
// (seeded by the call and the unit, so policies meet the same draws).
func (r *runner) noise(callIdx int, unitID string) *rand.Rand {
	h := uint64(14695981039346656037)
	for _, b := range []byte(unitID) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return rand.New(rand.NewPCG(r.seed^uint64(callIdx)<<20, h))
}

func (r *runner) handle(ev simEvent) error {
	now := ev.at
	if ev.kind >= evEnroute {
		u := r.units[ev.unit]
		if u == nil || u.gen != ev.gen {
			return nil // the unit was diverted or cleared: a stale event
		}
		return r.unitEvent(ev, u, now)
	}
	cs := &r.calls[ev.call]
	switch ev.kind {
	case evCall:
		c := cs.call
		loc := c.location
		inc, err := r.eng.CreateIncident(r.ctx, dispatch.NewIncident{
			Category: c.category, Priority: c.priority, Location: &loc, Source: "phone",
			Description: "Simulasi kota: panggilan 112",
		}, "", "")
		if err != nil {
			return err
		}
		cs.incident = inc.ID
		r.push(now.Add(secs(c.processingS)), simEvent{kind: evOrder, call: c.idx})
	case evOrder:
		cs.ordered = true
		if err := r.fill(ev.call); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) unitEvent(ev simEvent, u *unitState, now time.Time) error {
	if ev.kind == evHome {
		r.arrived(u, now)
		return nil
	}
	cs := &r.calls[u.call]
	switch ev.kind {
	case evEnroute:
		if _, err := r.eng.SetUnitStatus(r.ctx, u.unit.ID, cc112.UnitEnroute, "", ""); err != nil {
			return err
		}
		r.startDrive(u, cs.call.location, now, ev.unit, evArrive, cs.call.idx)
	case evArrive:
		r.arrived(u, now)
		if _, err := r.eng.SetUnitStatus(r.ctx, u.unit.ID, cc112.UnitOnscene, "", ""); err != nil {
			return err
		}
		r.push(now.Add(secs(cs.call.onSceneS)), simEvent{kind: evCleared, unit: u.unit.ID, gen: u.gen})
	case evCleared:
		if cs.call.transport && u.unit.Type == cc112.UnitAmbulance && len(r.cfg.Hospitals) > 0 {
			h := r.nearestHospital(cs.call.location)
			if _, err := r.eng.SetUnitStatusTo(r.ctx, u.unit.ID, cc112.UnitTransporting, &h, "", ""); err != nil {
				return err
			}
			r.startDrive(u, h.Location, now, ev.unit, evHospital, cs.call.idx)
			return nil
		}
		return r.free(u, now)
	case evHospital:
		r.arrived(u, now)
		if _, err := r.eng.SetUnitStatus(r.ctx, u.unit.ID, cc112.UnitAtHospital, "", ""); err != nil {
			return err
		}
		r.push(now.Add(secs(cs.call.handoverS)), simEvent{kind: evHandover, unit: u.unit.ID, gen: u.gen})
	case evHandover:
		return r.free(u, now)
	}
	return nil
}

// startDrive sets the unit driving to dest and queues its arrival.
func (r *runner) startDrive(u *unitState, dest geo.Point, now time.Time, id string, kind evKind, callIdx int) {
	from := u.at(now)
	s := r.drive(u.unit.Type, from, dest)
	if callIdx >= 0 {
		s *= math.Exp(0.15 * r.noise(callIdx, id+fmt.Sprint(kind)).NormFloat64())
	}
	d := secs(max(s, 1))
	u.from, u.to, u.t0, u.t1 = from, dest, now, now.Add(d)
	r.push(u.t1, simEvent{kind: kind, unit: id, gen: u.gen})
}

// arrived puts the unit at the end of its drive, in the engine too.
func (r *runner) arrived(u *unitState, now time.Time) {
	p := u.at(now)
	u.from, u.t1 = p, time.Time{}
	r.place(u.unit.ID, p)
}

func (r *runner) place(id string, p geo.Point) {
	lat, lon := p.Lat, p.Lon
	_, _ = r.eng.UpdatePosition(r.ctx, id, dispatch.Position{Lat: &lat, Lon: &lon})
}

func (r *runner) nearestHospital(p geo.Point) cc112.Hospital {
	best, bestD := r.cfg.Hospitals[0], math.Inf(1)
	for _, h := range r.cfg.Hospitals {
		if d := geo.Haversine(p, h.Location); d < bestD {
			best, bestD = h, d
		}
	}
	return best
}

// free ends a unit's assignment: it is available where it is and drives
// home; its call closes when no unit works it any more, and calls short of
// units get their chance at it.
func (r *runner) free(u *unitState, now time.Time) error {
	if _, err := r.eng.SetUnitStatus(r.ctx, u.unit.ID, cc112.UnitAvailable, "", ""); err != nil {
		return err
	}
	idx := u.call
	r.release(u, now)
	s := r.situation(nil, u.unit.Type, now)
	post := r.cfg.Policy.Post(s, coverage.IdleUnit{ID: u.unit.ID, Type: u.unit.Type, At: u.at(now)}, r.homes[u.unit.ID])
	r.startDrive(u, post.At, now, u.unit.ID, evHome, -1)
	cs := &r.calls[idx]
	cs.working--
	if cs.working == 0 {
		cs.closed = true
		r.dequeue(idx)
		if _, err := r.eng.CloseIncident(r.ctx, cs.incident, "Selesai (simulasi)", "", ""); err != nil {
			return err
		}
	}
	return r.serveQueue()
}

// release ends the unit's assignment in the simulator's books.
func (r *runner) release(u *unitState, now time.Time) {
	u.gen++
	u.call = -1
	if u.working {
		u.busyFor += now.Sub(u.busyAt)
		u.working = false
	}
}

func (r *runner) dequeue(idx int) {
	if i := slices.Index(r.queue, idx); i >= 0 {
		r.queue = slices.Delete(r.queue, i, i+1)
	}
	r.calls[idx].waiting = false
}

// serveQueue gives freed units to calls short of them: the most urgent
// first, then the oldest.
func (r *runner) serveQueue() error {
	if len(r.queue) == 0 {
		return nil
	}
	waiting := slices.Clone(r.queue)
	sort.SliceStable(waiting, func(i, j int) bool {
		a, b := r.calls[waiting[i]].call, r.calls[waiting[j]].call
		if a.priority != b.priority {
			return a.priority < b.priority
		}
		return a.idx < b.idx
	})
	for _, idx := range waiting {
		if err := r.fill(idx); err != nil {
			return err
		}
	}
	return nil
}

// syncPositions tells the engine where the driving units are now, so that
// its ranking sees the city as it is.
func (r *runner) syncPositions(now time.Time) {
	for _, id := range r.order {
		u := r.units[id]
		if !u.t1.IsZero() {
			r.place(id, u.at(now))
		}
	}
}

// fill asks the policy for the units the call's response plan still
// lacks and orders them; what stays short waits in the queue.
func (r *runner) fill(idx int) error {
	cs := &r.calls[idx]
	if cs.closed || !cs.ordered {
		return nil
	}
	now := r.clock.Now()
	inc, err := r.eng.Incident(cs.incident)
	if err != nil {
		return err
	}
	short := false
	synced := false
	for _, need := range shortfall(r.eng.Plan(), inc) {
		if !synced {
			r.syncPositions(now)
			synced = true
		}
		cands, err := r.eng.Recommend(inc.ID, need.Type, 100)
		if err != nil {
			return err
		}
		s := r.situation(inc, need.Type, now)
		orders := r.cfg.Policy.Pick(s, need, cands)
		for _, o := range orders {
			if err := r.assign(idx, inc, o, now); err != nil {
				return err
			}
		}
		if len(orders) < need.Count {
			short = true
		}
	}
	if short && !cs.waiting {
		cs.waiting = true
		r.queue = append(r.queue, idx)
	} else if !short && cs.waiting {
		r.dequeue(idx)
	}
	for len(r.refill) > 0 {
		old := r.refill[0]
		r.refill = r.refill[1:]
		if err := r.fill(old); err != nil {
			return err
		}
	}
	return nil
}

// situation is what a policy sees (inc nil: a post decision).
func (r *runner) situation(inc *cc112.Incident, typ cc112.UnitType, now time.Time) *Situation {
	s := &Situation{Incident: inc, TargetS: r.cfg.TargetS, TurnoutS: r.cfg.TurnoutS, Coverage: r.cov[typ], Posts: r.posts[typ]}
	if inc != nil {
		s.ElapsedS = now.Sub(inc.ReceivedAt).Seconds()
	}
	for _, id := range r.order {
		u := r.units[id]
		if u.unit.Type != typ || u.call >= 0 {
			continue
		}
		at := u.at(now)
		if !u.t1.IsZero() {
			at = u.to // counted at the post it drives to
		}
		s.Idle = append(s.Idle, coverage.IdleUnit{ID: id, Type: typ, At: at})
	}
	return s
}

// assign orders one unit (diverting it when the policy says so).
func (r *runner) assign(idx int, inc *cc112.Incident, o Order, now time.Time) error {
	u := r.units[o.UnitID]
	if u == nil {
		return fmt.Errorf("policy %s ordered unknown unit %q", r.cfg.Policy.Name(), o.UnitID)
	}
	order := dispatch.UnitOrder{UnitID: o.UnitID}
	if o.Divert {
		order.Divert, order.Reason = true, "Dialihkan ke kejadian prioritas lebih tinggi (simulasi)"
	}
	if _, err := r.eng.AssignAs(r.ctx, inc.ID, order, dispatch.Author{}, "", ""); err != nil {
		return fmt.Errorf("policy %s: %w", r.cfg.Policy.Name(), err)
	}
	turnout := r.cfg.TurnoutS
	if o.Divert && u.call >= 0 {
		r.diverts++
		old := u.call
		r.release(u, now)
		r.calls[old].working--
		r.refill = append(r.refill, old)
		turnout = 0 // already on the road
	} else {
		turnout = 30 + r.noise(idx, o.UnitID).ExpFloat64()*(turnout-30)
	}
	u.gen++ // its drive home, if any, is over
	u.call = idx
	u.working, u.busyAt = true, now
	r.calls[idx].working++
	r.push(now.Add(secs(turnout)), simEvent{kind: evEnroute, unit: o.UnitID, gen: u.gen})
	return nil
}

// shortfall is what the plan asks for beyond the units working inc now.
func shortfall(plan cc112.ResponsePlan, inc *cc112.Incident) []cc112.Need {
	have := map[cc112.UnitType]int{}
	for _, a := range inc.Assignments {
		if a.Active() {
			have[a.Type]++
		}
	}
	var out []cc112.Need
	for _, need := range plan[inc.Category] {
		if want := need.Count - have[need.Type]; want > 0 {
			out = append(out, cc112.Need{Type: need.Type, Count: want})
		}
	}
	return out
}
