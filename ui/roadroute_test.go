package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/clocktest"
	"cc112/internal/testenv"
	"cc112/kpi"
	"cc112/roads"
	roadroute "cc112/route"
)

// withRoads gives the API fixture central Surabaya's road network.
func withRoads(t testing.TB) func(*dispatch.Config, *Config) {
	g, err := roads.Load(testenv.SharedData(t, "surabaya_roads_central_osm_subset.geojson"), roads.Box{})
	if err != nil {
		t.Fatal(err)
	}
	r := roadroute.New(g, roadroute.Options{})
	return func(c *dispatch.Config, _ *Config) { c.Roads = r }
}

func TestRouteAPI(t *testing.T) {
	a := newAPI(t, withRoads(t))
	var ans dispatch.RouteAnswer
	r := a.do("GET", "/api/v1/route?from=-7.248370,112.741500&to=-7.245984,112.748173&type=fire", "")
	r.decode(t, &ans)
	if r.status != 200 || ans.Method != "road" || ans.DurationS <= 0 || ans.Geometry == nil ||
		ans.Geometry.Type != "LineString" || len(ans.Geometry.Coordinates) < 3 {
		t.Fatalf("route: %d %s", r.status, r.body)
	}
	if ans.DistanceM < geo.Haversine(geo.Point{Lat: -7.248370, Lon: 112.741500}, geo.Point{Lat: -7.245984, Lon: 112.748173}) {
		t.Errorf("road shorter than the straight line: %+v", ans)
	}
	// from the sea: the straight line, marked
	r = a.do("GET", "/api/v1/route?from=-7.20,112.74&to=-7.245984,112.748173", "")
	r.decode(t, &ans)
	if r.status != 200 || ans.Method != "straight" || len(ans.Geometry.Coordinates) != 2 {
		t.Errorf("off the road: %d %s", r.status, r.body)
	}
	for _, q := range []string{"", "?from=-7.2,112.7", "?from=abc&to=-7.2,112.7", "?from=-95,112.7&to=-7.2,112.7",
		"?from=-7.2,112.7&to=-7.2,112.7&type=boat", "?from=-7.2,112.7&to=-7.2,112.7&via=x", "?from=-7.2&to=-7.2,112.7"} {
		if r := a.do("GET", "/api/v1/route"+q, ""); r.status != 400 || r.errCode(t) != "invalid_argument" {
			t.Errorf("route%s: %d %s", q, r.status, r.body)
		}
	}
}

func TestRecommendationsWithRoute(t *testing.T) {
	a := newAPI(t, withRoads(t))
	inc := a.createIncident(fireAtTugu)
	base := "/api/v1/incidents/" + inc.ID + "/recommendations?type=fire&limit=3"
	var recs []dispatch.Recommendation
	r := a.do("GET", base+"&route=1", "")
	r.decode(t, &recs)
	if r.status != 200 || len(recs) == 0 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, rec := range recs {
		if rec.Method != "road" || rec.Route == nil || len(rec.Route.Coordinates) < 2 || rec.PositionAgeS == nil {
			t.Errorf("recommendation with route: %+v", rec)
		}
	}
	if r := a.do("GET", base, ""); strings.Contains(string(r.body), `"route"`) {
		t.Errorf("a route without route=1: %s", r.body)
	}
	if r := a.do("GET", base+"&route=maybe", ""); r.status != 400 {
		t.Errorf("route=maybe: %d", r.status)
	}
}

// TestETAMetricsAPI: two fire engines and an ambulance arrive; the report
// shows the median absolute % error of their predicted ETAs overall, by
// WIB hour of dispatch, by unit type and by method.
func TestETAMetricsAPI(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 3, 2, 9, 59, 0, 0, time.UTC)) // 16:59 WIB
	a := newAPI(t, withRoads(t), func(c *dispatch.Config, _ *Config) { c.Clock = clock })
	inc := a.createIncident(fireAtTugu)
	if r := a.do("POST", "/api/v1/incidents/"+inc.ID+"/assignments", `{"auto":true}`); r.status != 201 {
		t.Fatalf("auto: %d %s", r.status, r.body)
	}
	clock.Advance(time.Minute)
	got, _ := a.eng.Incident(inc.ID)
	for _, as := range got.Assignments {
		if as.PredictedETAS <= 0 || as.ETAMethod == "" {
			t.Fatalf("assignment without a predicted ETA: %+v", as)
		}
		if r := a.do("POST", "/api/v1/units/"+as.UnitID+"/status", `{"status":"enroute"}`); r.status != 200 {
			t.Fatalf("enroute: %d %s", r.status, r.body)
		}
	}
	wantAPE, methods := map[string][]float64{}, map[string]int{}
	var all []float64
	var prev time.Duration
	for i, as := range got.Assignments {
		travel := 3*time.Minute + time.Duration(i)*time.Minute // arrivals 3, 4, 5... minutes after en route
		clock.Advance(travel - prev)
		prev = travel
		if r := a.do("POST", "/api/v1/units/"+as.UnitID+"/status", `{"status":"onscene"}`); r.status != 200 {
			t.Fatalf("onscene: %d %s", r.status, r.body)
		}
		ape := math.Abs(travel.Seconds()-as.PredictedETAS) / travel.Seconds() * 100
		wantAPE[string(as.Type)] = append(wantAPE[string(as.Type)], ape)
		all = append(all, ape)
		methods[as.ETAMethod]++
	}
	var rep kpi.ETAReport
	r := a.do("GET", "/api/v1/metrics/eta?from=2026-03-02&to=2026-03-02", "")
	r.decode(t, &rep)
	if r.status != 200 || rep.All.N != len(all) {
		t.Fatalf("eta report: %d %s", r.status, r.body)
	}
	if want := math.Round(kpi.Percentile(all, 50)*10) / 10; rep.All.MdAPE != want {
		t.Errorf("MdAPE %v, want %v", rep.All.MdAPE, want)
	}
	if h := rep.ByHour["16"]; h.N != len(all) || len(rep.ByHour) != 1 {
		t.Errorf("by WIB hour of dispatch (16:59 WIB): %+v", rep.ByHour)
	}
	for typ, apes := range wantAPE {
		if got := rep.ByType[typ]; got.N != len(apes) || got.MdAPE != math.Round(kpi.Percentile(apes, 50)*10)/10 {
			t.Errorf("%s: %+v, want %d arrivals", typ, got, len(apes))
		}
	}
	if methods["road"] == 0 {
		t.Fatal("setup: no unit was sent with a road ETA")
	}
	for m, n := range methods {
		if rep.ByMethod[m].N != n {
			t.Errorf("by method %s: %+v, want %d", m, rep.ByMethod, n)
		}
	}
	// a window before the dispatch holds nothing
	r = a.do("GET", "/api/v1/metrics/eta?to=2026-03-01", "")
	r.decode(t, &rep)
	if r.status != 200 || rep.All.N != 0 {
		t.Errorf("empty window: %s", r.body)
	}
	for _, q := range []string{"?from=yesterday", "?group_by=hour"} {
		if r := a.do("GET", "/api/v1/metrics/eta"+q, ""); r.status != 400 {
			t.Errorf("eta%s: %d %s", q, r.status, r.body)
		}
	}
}
