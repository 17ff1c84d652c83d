// Package sim keeps a demo city alive: a trickle of incidents, dispatched
// through the response plan, units driving to them, arriving, clearing and
// driving home. It acts only through the engine's public commands, as a
// dispatcher and field crews would.
package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"cc112"
	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
)

// Sim drives the demo. Zero timings get sensible defaults.
type Sim struct {
	eng   *dispatch.Engine
	city  *city.Pack
	clock cc112.Clock
	log   *slog.Logger
	rng   *rand.Rand

	// Tick is the real-time step.
	Tick time.Duration
	// MeanGap is the mean time between new incidents.
	MeanGap time.Duration
	// Manual lists units a person drives (the demo's field-unit phone): the
	// simulator may dispatch them but never taps their status or moves them.
	Manual map[string]bool

	nextIncident time.Time
	stations     map[string]geo.Point
}

// GapFor is the mean gap between incidents at demand times an ordinary
// day's calls (2: a flood day); a demand of 0 or less leaves gap as is.
func GapFor(gap time.Duration, demand float64) time.Duration {
	if demand <= 0 {
		return gap
	}
	return time.Duration(float64(gap) / demand)
}

// New returns a simulator for the city.
func New(eng *dispatch.Engine, city *city.Pack, clock cc112.Clock, log *slog.Logger) *Sim {
	st := map[string]geo.Point{}
	for _, s := range city.Stations {
		st[s.ID] = s.Location
	}
	return &Sim{
		eng: eng, city: city, clock: clock, log: log,
		rng:  rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 112)),
		Tick: 2 * time.Second, MeanGap: 45 * time.Second, stations: st,
	}
}

// Run steps the simulation until ctx ends.
func (s *Sim) Run(ctx context.Context) {
	t := time.NewTicker(s.Tick)
	defer t.Stop()
	s.nextIncident = s.clock.Now().Add(5 * time.Second)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Step(ctx)
		}
	}
}

// weighted categories, roughly as a city's 112 log has them.
var categoryWeights = []struct {
	cat    cc112.Category
	weight int
}{
	{cc112.CatTrafficAccident, 22}, {cc112.CatFire, 12}, {cc112.CatMedical, 18}, {cc112.CatFallenTree, 10},
	{cc112.CatFlood, 5}, {cc112.CatCrime, 8}, {cc112.CatSocialConflict, 3}, {cc112.CatGasLeak, 3},
	{cc112.CatMentalHealth, 4}, {cc112.CatAnimal, 5}, {cc112.CatInfrastructure, 5}, {cc112.CatMissingPerson, 2},
	{cc112.CatTornado, 1}, {cc112.CatOther, 2},
}

// Step advances everything by one tick: new incidents, dispatch, crews'
// status taps, movement, closing.
func (s *Sim) Step(ctx context.Context) {
	now := s.clock.Now()
	if !now.Before(s.nextIncident) {
		s.newIncident(ctx)
		gap := time.Duration(s.rng.ExpFloat64() * float64(s.MeanGap))
		s.nextIncident = now.Add(max(gap, 5*time.Second))
	}
	incidents, err := s.eng.IncidentsInMemory("active")
	if err != nil {
		return
	}
	byID := map[string]*cc112.Incident{}
	for _, inc := range incidents {
		byID[inc.ID] = inc
		s.stepIncident(ctx, now, inc)
	}
	for _, u := range s.eng.Units() {
		if s.Manual[u.ID] {
			continue
		}
		s.stepUnit(ctx, now, u, byID[u.IncidentID])
	}
}

func (s *Sim) newIncident(ctx context.Context) {
	total := 0
	for _, c := range categoryWeights {
		total += c.weight
	}
	pick := s.rng.IntN(total)
	cat := categoryWeights[0].cat
	for _, c := range categoryWeights {
		if pick < c.weight {
			cat = c.cat
			break
		}
		pick -= c.weight
	}
	districts := s.city.Districts.All()
	d := districts[s.rng.IntN(len(districts))]
	p := d.Centroid // when no try lands inside: never outside the service area
	for try := 0; try < 20; try++ {
		d := districts[s.rng.IntN(len(districts))]
		if q := offset(d.Centroid, s.rng.Float64()*1200, s.rng.Float64()*2*math.Pi); s.city.Districts.Locate(q) != "" {
			p = q
			break
		}
	}
	prio := 2
	switch cat {
	case cc112.CatFire, cc112.CatTrafficAccident, cc112.CatGasLeak, cc112.CatTornado:
		prio = 1
	case cc112.CatFallenTree, cc112.CatAnimal, cc112.CatInfrastructure, cc112.CatOther:
		prio = 3
	}
	_, err := s.eng.CreateIncident(ctx, dispatch.NewIncident{
		Category: cat, Priority: prio, Location: &p, Source: "phone",
		Description: "Simulasi: laporan warga", Caller: &cc112.Caller{Name: "Warga (simulasi)", Phone: fmt.Sprintf("0812000%05d", s.rng.IntN(99999))},
	}, "", "")
	if err != nil {
		s.log.Warn("sim: create incident", "err", err)
	}
}

func (s *Sim) stepIncident(ctx context.Context, now time.Time, inc *cc112.Incident) {
	age := now.Sub(inc.ReceivedAt)
	// A dispatcher sends the response plan after a short while; some
	// incidents wait longer, so the wall shows pending work.
	if inc.Status == cc112.IncidentNew && age > 20*time.Second && s.rng.IntN(6) == 0 {
		_, _ = s.eng.AutoAssign(ctx, inc.ID, "", "")
		return
	}
	if inc.OnsceneAt != nil && now.Sub(*inc.OnsceneAt) > 4*time.Minute && s.rng.IntN(10) == 0 {
		_, _ = s.eng.CloseIncident(ctx, inc.ID, "Selesai ditangani (simulasi)", "", "")
		return
	}
	// Nobody could be sent for a long time: the demo should not pile up forever.
	if inc.Status == cc112.IncidentNew && age > 20*time.Minute {
		_, _ = s.eng.CloseIncident(ctx, inc.ID, "Dialihkan (simulasi)", "", "")
	}
}

func (s *Sim) stepUnit(ctx context.Context, now time.Time, u cc112.Unit, inc *cc112.Incident) {
	switch {
	case u.Status == cc112.UnitDispatched && now.Sub(u.StatusAt) > 15*time.Second && s.rng.IntN(3) == 0:
		_, _ = s.eng.SetUnitStatus(ctx, u.ID, cc112.UnitEnroute, "", "")
	case u.Status == cc112.UnitEnroute && inc != nil:
		if next, arrived := s.drive(u, inc.Location); arrived {
			_, _ = s.eng.SetUnitStatus(ctx, u.ID, cc112.UnitOnscene, "", "")
		} else {
			s.move(ctx, u, next)
		}
	case u.Status == cc112.UnitAvailable:
		home, ok := s.stations[u.Station]
		if ok && geo.Haversine(u.Location, home) > 50 {
			next, _ := s.drive(u, home)
			s.move(ctx, u, next)
		}
	}
}

// drive returns where u is after one tick towards dst at a city speed.
func (s *Sim) drive(u cc112.Unit, dst geo.Point) (geo.Point, bool) {
	speed := 9.0 + s.rng.Float64()*5 // m/s through city traffic
	step := speed * s.Tick.Seconds()
	d := geo.Haversine(u.Location, dst)
	if d <= step {
		return dst, true
	}
	f := step / d
	return geo.Point{Lat: u.Location.Lat + (dst.Lat-u.Location.Lat)*f, Lon: u.Location.Lon + (dst.Lon-u.Location.Lon)*f}, false
}

func (s *Sim) move(ctx context.Context, u cc112.Unit, p geo.Point) {
	heading := bearing(u.Location, p)
	speed := geo.Haversine(u.Location, p) / s.Tick.Seconds()
	acc := 8.0
	_, _ = s.eng.UpdatePosition(ctx, u.ID, dispatch.Position{Lat: &p.Lat, Lon: &p.Lon, Heading: &heading, Speed: &speed, Accuracy: &acc})
}

func offset(p geo.Point, distM, angle float64) geo.Point {
	const mPerDeg = 111_320.0
	return geo.Point{
		Lat: p.Lat + distM*math.Cos(angle)/mPerDeg,
		Lon: p.Lon + distM*math.Sin(angle)/(mPerDeg*math.Cos(p.Lat*math.Pi/180)),
	}
}

func bearing(a, b geo.Point) float64 {
	y := (b.Lon - a.Lon) * math.Cos(a.Lat*math.Pi/180)
	x := b.Lat - a.Lat
	deg := math.Atan2(y, x) * 180 / math.Pi
	if deg < 0 {
		deg += 360
	}
	return deg
}
