package geo

import "math"

// ETAModel estimates travel time without a road network (method "straight").
//
// The road distance is the straight-line distance times Detour. The time to
// drive it follows Kolesar & Walker's fire-engine model (RAND R-1449, 1974,
// from a 1971 stop-watch experiment on over 2,000 New York responses; also
// Larson & Odoni, Urban Operations Research, §3.7.2, eqs. 3.88–3.89): a
// vehicle accelerates at a constant rate a up to a cruising speed vc, cruises,
// and brakes at a. With dc = vc²/(2a) the distance needed to reach vc,
//
//	t(d) = 2·sqrt(d/a)      for d ≤ 2·dc   (never reaches cruising speed)
//	t(d) = vc/a + d/vc      for d > 2·dc
//
// so short trips grow like the square root of distance and long ones
// linearly, as the New York data showed. The two branches meet with equal
// value and slope at d = 2·dc, so t is continuous and strictly increasing in
// d: a farther unit never gets a shorter ETA of the same type.
//
// Turnout (dispatch → en route) is a separate interval of DESIGN.md §3, so
// Startup is zero by default; set it to fold a fixed delay into every ETA.
type ETAModel struct {
	// Detour is road distance ÷ straight-line distance (≥ 1).
	Detour float64
	// Speeds is the cruising speed vc in m/s per unit type ("fire", ...).
	Speeds map[string]float64
	// DefaultSpeed (m/s) is used for a type missing from Speeds.
	DefaultSpeed float64
	// Accel is the effective acceleration a in m/s²; ≤ 0 means none (t = d/vc).
	Accel float64
	// Startup is a fixed delay in seconds added to every ETA.
	Startup float64
}

// fallbackSpeed keeps a misconfigured model finite: 30 km/h.
const fallbackSpeed = 30 / 3.6

// DefaultETAModel returns the model used for Surabaya.
//
// Detour 1.3: the ratio of road to straight-line distance in cities is
// typically 1.2–1.4 (Boscoe, Henry & Zdeb 2012 measured a mean of about 1.4
// for US driving trips, shorter on dense grids; 1.3 is the common planning
// value for a mixed grid like central Surabaya).
//
// Cruising speeds are effective urban averages with lights and siren, not
// limits: ordinary traffic on Surabaya's arterials moves at roughly 20–30
// km/h at busy hours, and an emergency vehicle that other traffic yields to
// does about 1.5 times that. Heavy fire engines and rescue trucks are slower
// than cars; the DKP sanitation and parks task force drives trucks without
// priority:
//
//	police     40 km/h  (11.1 m/s)  patrol cars and motorcycles
//	ambulance  40 km/h  (11.1 m/s)  PSC 119 vans
//	fire       35 km/h  ( 9.7 m/s)  engines and tankers
//	rescue     35 km/h  ( 9.7 m/s)  BPBD 4×4s and trucks
//	dkp        25 km/h  ( 6.9 m/s)  trucks, no priority
//	other      30 km/h  ( 8.3 m/s)
//
// Accel 1.0 m/s²: a loaded fire engine manages about 0.8 m/s² (2.6 ft/s²)
// and a car 1.5–2 m/s²; Kolesar's fitted a is an effective value that also
// absorbs turns and junctions, so one middle value serves all types.
//
// With these numbers a police car 3 km away (straight) needs about 6 min and
// a fire engine about 7 min, in line with the city's 7.4-minute target.
func DefaultETAModel() ETAModel {
	return ETAModel{
		Detour: 1.3,
		Speeds: map[string]float64{
			"police":    40 / 3.6,
			"ambulance": 40 / 3.6,
			"fire":      35 / 3.6,
			"rescue":    35 / 3.6,
			"dkp":       25 / 3.6,
		},
		DefaultSpeed: 30 / 3.6,
		Accel:        1.0,
	}
}

// ETA returns the estimated travel time in seconds from from to to for a
// unit of unitType, and the straight-line distance in metres.
func (m ETAModel) ETA(from, to Point, unitType string) (etaS, distanceM float64) {
	d := Haversine(from, to)
	return m.travel(d, m.speed(unitType)), d
}

// MinETA is a lower bound of ETA over every unit type for a straight-line
// distance, for pruning a nearest-unit search.
func (m ETAModel) MinETA(distanceM float64) float64 {
	best := m.travel(distanceM, m.speed(""))
	for _, v := range m.Speeds {
		if v <= 0 {
			continue
		}
		if t := m.travel(distanceM, v); t < best {
			best = t
		}
	}
	return best
}

func (m ETAModel) speed(unitType string) float64 {
	if v, ok := m.Speeds[unitType]; ok && v > 0 {
		return v
	}
	if m.DefaultSpeed > 0 {
		return m.DefaultSpeed
	}
	return fallbackSpeed
}

// travel applies the detour and Kolesar's curve to a straight distance.
func (m ETAModel) travel(straightM, vc float64) float64 {
	if straightM < 0 || math.IsNaN(straightM) {
		straightM = 0
	}
	detour := m.Detour
	if detour < 1 {
		detour = 1
	}
	d := straightM * detour
	t := m.Startup
	a := m.Accel
	if a <= 0 {
		return t + d/vc
	}
	if d <= vc*vc/a { // 2·dc
		return t + 2*math.Sqrt(d/a)
	}
	return t + vc/a + d/vc
}
