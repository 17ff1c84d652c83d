package dispatch

import (
	"context"
	"testing"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/internal/clocktest"
	"cc112/internal/testenv"
	"cc112/roads"
	"cc112/route"
)

// Across the water in central Surabaya (see route's ranking test): the
// fire, an engine 780 m away on the other side, one 1.4 km away on the
// same side.
var (
	riverFire     = geo.Point{Lat: -7.245984, Lon: 112.748173}
	riverAcross   = geo.Point{Lat: -7.248370, Lon: 112.741500}
	riverSameSide = geo.Point{Lat: -7.257795, Lon: 112.752377}
	riverLowPrio  = geo.Point{Lat: -7.246600, Lon: 112.749000}
)

// surabayaRouter is central Surabaya's road network with the default
// rush hours and emergency factors.
func surabayaRouter(t *testing.T) *route.Router {
	t.Helper()
	g, err := roads.Load(testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson"), roads.Box{})
	if err != nil {
		t.Fatal(err)
	}
	hours, err := route.ParseHours(route.DefaultHours)
	if err != nil {
		t.Fatal(err)
	}
	em, _ := route.ParseFactors(route.DefaultEmergency)
	return route.New(g, route.Options{Hours: hours, Emergency: em, Straight: geo.DefaultETAModel()})
}

// roadEngine is an engine ranking by road on a fresh journal (a real one
// under TestEngineSuiteOnRealJournals) with four units by the river.
func roadEngine(t *testing.T, clock *clocktest.Clock) *Engine {
	t.Helper()
	var j cc112.Journal = &memJournal{}
	if realJournal != nil {
		j = realJournal(t)
	}
	eng, err := New(context.Background(), Config{Journal: j, Clock: clock, Roads: surabayaRouter(t)})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id string, typ cc112.UnitType, p geo.Point) cc112.Unit {
		return cc112.Unit{ID: id, Callsign: id, Type: typ, Agency: "x", Station: "st", Status: cc112.UnitAvailable, Location: p}
	}
	if err := eng.RegisterUnits(context.Background(), []cc112.Unit{
		mk("across", cc112.UnitFire, riverAcross), mk("same", cc112.UnitFire, riverSameSide),
		mk("busy", cc112.UnitFire, riverLowPrio), mk("dkp", cc112.UnitDKP, riverAcross),
	}); err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestRecommendByRoad: the dispatcher sees, for a fire across the river,
// the unit that really arrives first, with its road route; the manual
// assignment keeps that ETA, method road.
func TestRecommendByRoad(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)) // 12:00 WIB
	eng := roadEngine(t, clock)
	must[*cc112.Unit](t)(eng.SetUnitStatus(bg, "busy", cc112.UnitOffduty, "", ""))
	inc := must[*cc112.Incident](t)(eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: &riverFire}, "", ""))
	recs := must[[]Recommendation](t)(eng.Recommend(inc.ID, cc112.UnitFire, 5, RecommendOpts{Route: true}))
	if len(recs) != 2 || recs[0].UnitID != "same" || recs[1].UnitID != "across" {
		t.Fatalf("road ranking: %+v", recs)
	}
	for _, r := range recs {
		if r.Method != "road" || r.Route == nil || r.Route.Type != "LineString" || len(r.Route.Coordinates) < 3 {
			t.Fatalf("recommendation %s: method %s route %v", r.UnitID, r.Method, r.Route)
		}
		if r.DistanceM <= geo.Haversine(riverFire, riverAcross) {
			t.Errorf("%s: road distance %.0f m shorter than the straight line", r.UnitID, r.DistanceM)
		}
		if r.Stale || r.PositionAgeS == nil || *r.PositionAgeS != 0 {
			t.Errorf("%s: a fresh fix flagged: %+v", r.UnitID, r)
		}
	}
	if plain := must[[]Recommendation](t)(eng.Recommend(inc.ID, cc112.UnitFire, 5)); plain[0].Route != nil {
		t.Error("a route without ?route=1")
	}
	// the straight line ranks the other way: what the road model fixes
	straight, _ := geo.DefaultETAModel().ETA(riverAcross, riverFire, "fire")
	far, _ := geo.DefaultETAModel().ETA(riverSameSide, riverFire, "fire")
	if straight >= far {
		t.Fatalf("setup: the straight line already ranks the same-side unit first")
	}
	must[*AssignResult](t)(eng.Assign(bg, inc.ID, "same", "", ""))
	got := must[*cc112.Incident](t)(eng.Incident(inc.ID))
	if a := got.Assignments[0]; a.PredictedETAS != recs[0].ETAS || a.ETAMethod != "road" {
		t.Fatalf("assignment kept %v %q, recommended %v road", a.PredictedETAS, a.ETAMethod, recs[0].ETAS)
	}
}

// TestRecommendRushHourAndStale: at 16:59:59 WIB (the evening rush starts
// at 16:00) the same drive takes longer than at noon, and at 19:00 WIB it
// is back to noon's; a unit whose last fix is older than PositionStale is
// ranked from it, flagged with its age; DKP trucks get no emergency factor.
func TestRecommendRushHourAndStale(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)) // 12:00 WIB
	eng := roadEngine(t, clock)
	inc := must[*cc112.Incident](t)(eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: &riverFire}, "", ""))
	eta := func(typ cc112.UnitType, id string) Recommendation {
		for _, r := range must[[]Recommendation](t)(eng.Recommend(inc.ID, typ, 10)) {
			if r.UnitID == id {
				return r
			}
		}
		t.Fatalf("%s not recommended", id)
		return Recommendation{}
	}
	noon := eta(cc112.UnitFire, "same")
	if dkp, fire := eta(cc112.UnitDKP, "dkp"), eta(cc112.UnitFire, "across"); dkp.ETAS <= fire.ETAS {
		t.Errorf("a DKP truck (%v s) as fast as a fire engine (%v s) from the same spot", dkp.ETAS, fire.ETAS)
	}
	clock.Advance(4*time.Hour + 59*time.Minute + 59*time.Second) // 16:59:59 WIB: rush hour from 16:00
	before := eta(cc112.UnitFire, "same")
	if before.ETAS <= noon.ETAS {
		t.Errorf("16:59:59 WIB %v s, noon %v s: rush hour should be slower", before.ETAS, noon.ETAS)
	}
	if !before.Stale || before.PositionAgeS == nil || *before.PositionAgeS != 17999 {
		t.Errorf("a 5-hour-old fix: %+v", before)
	}
	clock.Advance(2*time.Hour + 1*time.Second) // 19:00:00 WIB: the rush is over
	if after := eta(cc112.UnitFire, "same"); after.ETAS != noon.ETAS {
		t.Errorf("19:00 WIB %v s, noon %v s", after.ETAS, noon.ETAS)
	}
	must[*cc112.Unit](t)(eng.UpdatePosition(bg, "same", Position{Lat: &riverSameSide.Lat, Lon: &riverSameSide.Lon}))
	if fresh := eta(cc112.UnitFire, "same"); fresh.Stale || *fresh.PositionAgeS != 0 {
		t.Errorf("a fresh fix flagged: %+v", fresh)
	}
}

// TestRecommendOffersDivert: a fire engine en route to a priority-3
// incident next door arrives minutes before any available engine: it is
// offered, flagged with that incident; one at a priority-1 incident is not.
func TestRecommendOffersDivert(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC))
	eng := roadEngine(t, clock)
	low := must[*cc112.Incident](t)(eng.CreateIncident(bg, NewIncident{Category: cc112.CatOther, Priority: 3, Location: &riverLowPrio}, "", ""))
	must[*AssignResult](t)(eng.Assign(bg, low.ID, "busy", "", ""))
	must[*cc112.Unit](t)(eng.SetUnitStatus(bg, "busy", cc112.UnitEnroute, "", ""))
	fire := must[*cc112.Incident](t)(eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Priority: 1, Location: &riverFire}, "", ""))
	recs := must[[]Recommendation](t)(eng.Recommend(fire.ID, cc112.UnitFire, 5))
	if len(recs) != 3 || recs[0].UnitID != "busy" || recs[0].DivertFrom != low.ID || recs[0].DivertPriority != 3 || recs[0].DivertStatus != cc112.UnitEnroute {
		t.Fatalf("divert offer: %+v", recs)
	}
	if recs[1].DivertFrom != "" || recs[0].ETAS+DivertGain.Seconds() > recs[1].ETAS {
		t.Fatalf("offered without a 2-minute gain: %+v", recs)
	}
	// the same unit working a more urgent incident is never offered
	other := must[*cc112.Incident](t)(eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Priority: 3, Location: &riverFire}, "", ""))
	for _, r := range must[[]Recommendation](t)(eng.Recommend(other.ID, cc112.UnitFire, 5)) {
		if r.DivertFrom != "" {
			t.Errorf("offered a unit of an equal-priority incident: %+v", r)
		}
	}
}

// TestRoadETAReplays: the road ETA kept at dispatch is the event's, not
// recomputed: a restart with the network, or without it (the straight
// line), rebuilds the same assignment.
func TestRoadETAReplays(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC))
	eng := roadEngine(t, clock)
	inc := must[*cc112.Incident](t)(eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: &riverFire}, "", ""))
	must[*AssignResult](t)(eng.AutoAssign(bg, inc.ID, "", ""))
	before := must[*cc112.Incident](t)(eng.Incident(inc.ID))
	road := 0
	for _, a := range before.Assignments {
		if a.ETAMethod == "road" && a.PredictedETAS > 0 {
			road++
		}
	}
	if road == 0 {
		t.Fatalf("no assignment kept a road ETA: %+v", before.Assignments)
	}
	for _, r := range []*route.Router{surabayaRouter(t), nil} {
		again, err := New(context.Background(), Config{Journal: eng.cfg.Journal, Clock: clock, Roads: r})
		if err != nil {
			t.Fatal(err)
		}
		after := must[*cc112.Incident](t)(again.Incident(inc.ID))
		if len(after.Assignments) != len(before.Assignments) {
			t.Fatalf("replay: %d assignments, want %d", len(after.Assignments), len(before.Assignments))
		}
		for k, a := range after.Assignments {
			if b := before.Assignments[k]; a.PredictedETAS != b.PredictedETAS || a.ETAMethod != b.ETAMethod {
				t.Errorf("replay (network %v): %s kept %v %s, was %v %s", r != nil, a.UnitID, a.PredictedETAS, a.ETAMethod, b.PredictedETAS, b.ETAMethod)
			}
		}
	}
}
