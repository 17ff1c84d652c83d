package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/geo"
)

var bg = context.Background()

func ptr[T any](v T) *T { return &v }

func TestCreateIncidentValidation(t *testing.T) {
	good := func() NewIncident { return NewIncident{Category: cc112.CatFire, Location: ptr(center)} }
	tests := []struct {
		name   string
		change func(*NewIncident)
	}{
		{"no category", func(n *NewIncident) { n.Category = "" }},
		{"unknown category", func(n *NewIncident) { n.Category = "alien_landing" }},
		{"priority too high", func(n *NewIncident) { n.Priority = 9 }},
		{"negative priority", func(n *NewIncident) { n.Priority = -1 }},
		{"no location", func(n *NewIncident) { n.Location = nil }},
		{"lat out of range", func(n *NewIncident) { n.Location = &geo.Point{Lat: 95, Lon: 112} }},
		{"null island", func(n *NewIncident) { n.Location = &geo.Point{} }},
		{"unknown source", func(n *NewIncident) { n.Source = "pigeon" }},
		{"huge description", func(n *NewIncident) { n.Description = strings.Repeat("x", maxDescription+1) }},
		{"bad utf8 address", func(n *NewIncident) { n.Address = "\xff\xfe" }},
		{"long caller name", func(n *NewIncident) { n.Caller = &cc112.Caller{Name: strings.Repeat("n", 500)} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.eng.LastSeq()
			n := good()
			tt.change(&n)
			_, err := f.eng.CreateIncident(bg, n, "", "")
			wantCode(t, err, cc112.EInvalid)
			if f.eng.LastSeq() != before {
				t.Fatalf("a refused command wrote events: seq %d → %d", before, f.eng.LastSeq())
			}
		})
	}
}

func TestCreateIncidentDefaultsAndNumbers(t *testing.T) {
	f := newFixture(t)
	a := f.incident(t, cc112.CatMedical, center)
	if a.Priority != 2 || a.Source != "phone" || a.Status != cc112.IncidentNew {
		t.Fatalf("defaults: priority %d source %q status %q", a.Priority, a.Source, a.Status)
	}
	if a.Number != "SBY-20261122-0001" || !a.ReceivedAt.Equal(t0) {
		t.Fatalf("number %q received %v", a.Number, a.ReceivedAt)
	}
	b := f.incident(t, cc112.CatMedical, center)
	if b.Number != "SBY-20261122-0002" {
		t.Fatalf("second number %q", b.Number)
	}
	// 17:30 UTC is 00:30 WIB of the next day: numbering restarts.
	f.clock.Advance(16*time.Hour + 30*time.Minute)
	c := f.incident(t, cc112.CatMedical, center)
	if c.Number != "SBY-20261123-0001" {
		t.Fatalf("next WIB day number %q", c.Number)
	}
}

func TestAssignRules(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	other := f.incident(t, cc112.CatCrime, center)
	closed := f.incident(t, cc112.CatCrime, center)
	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, closed.ID, "false alarm", "", ""))
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f1", "", ""))
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "p2", cc112.UnitOffduty, "", ""))

	tests := []struct {
		name, incident, unit, code string
	}{
		{"unit already dispatched", other.ID, "f1", cc112.EConflict},
		{"unit off duty", other.ID, "p2", cc112.EConflict},
		{"unknown unit", other.ID, "nope", cc112.ENotFound},
		{"unknown incident", "inc_missing", "p1", cc112.ENotFound},
		{"closed incident", closed.ID, "p1", cc112.EConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.eng.LastSeq()
			_, err := f.eng.Assign(bg, tt.incident, tt.unit, "", "")
			wantCode(t, err, tt.code)
			if f.eng.LastSeq() != before {
				t.Fatal("refused assignment wrote events")
			}
		})
	}
	u := must[cc112.Unit](t)(f.eng.Unit("f1"))
	if u.Status != cc112.UnitDispatched || u.IncidentID != inc.ID {
		t.Fatalf("assigned unit: %+v", u)
	}
}

func TestTimelineSetByFirstUnit(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	step := func(d time.Duration) time.Time { f.clock.Advance(d); return f.clock.Now() }

	tDisp := step(30 * time.Second)
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f1", "", ""))
	step(10 * time.Second)
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f2", "", ""))
	// The second unit is first to go en route and first on scene.
	tEn := step(20 * time.Second)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f2", cc112.UnitEnroute, "", ""))
	step(5 * time.Second)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitEnroute, "", ""))
	tOn := step(200 * time.Second)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f2", cc112.UnitOnscene, "", ""))
	step(60 * time.Second)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitOnscene, "", ""))

	got := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
	for _, c := range []struct {
		name string
		got  *time.Time
		want time.Time
	}{
		{"dispatched_at", got.DispatchedAt, tDisp}, {"enroute_at", got.EnrouteAt, tEn}, {"onscene_at", got.OnsceneAt, tOn},
	} {
		if c.got == nil || !c.got.Equal(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if got.Status != cc112.IncidentOnscene || len(got.Assignments) != 2 {
		t.Fatalf("status %s, %d assignments", got.Status, len(got.Assignments))
	}
	if a := got.Assignments[0]; a.UnitID != "f1" || a.OnsceneAt == nil || !a.OnsceneAt.Equal(tOn.Add(60*time.Second)) {
		t.Fatalf("f1's own timeline: %+v", a)
	}
}

func TestUnitStatusRules(t *testing.T) {
	tests := []struct {
		name   string
		setup  []cc112.UnitStatus // applied to f1 after assigning it (nil: not assigned)
		assign bool
		to     cc112.UnitStatus
		code   string
	}{
		{"free unit cannot go en route", nil, false, cc112.UnitEnroute, cc112.EConflict},
		{"free unit cannot be on scene", nil, false, cc112.UnitOnscene, cc112.EConflict},
		{"free unit goes off duty", nil, false, cc112.UnitOffduty, ""},
		{"unknown status", nil, false, "sleeping", cc112.EInvalid},
		{"dispatched goes en route", nil, true, cc112.UnitEnroute, ""},
		{"dispatched may skip to on scene", nil, true, cc112.UnitOnscene, ""},
		{"no going back", []cc112.UnitStatus{cc112.UnitOnscene}, true, cc112.UnitEnroute, cc112.EConflict},
		{"assigned cannot go off duty", nil, true, cc112.UnitOffduty, cc112.EConflict},
		{"available clears the unit", []cc112.UnitStatus{cc112.UnitEnroute}, true, cc112.UnitAvailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			inc := f.incident(t, cc112.CatFire, center)
			if tt.assign {
				must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f1", "", ""))
			}
			for _, s := range tt.setup {
				must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", s, "", ""))
			}
			before := f.eng.LastSeq()
			u, err := f.eng.SetUnitStatus(bg, "f1", tt.to, "", "")
			wantCode(t, err, tt.code)
			if tt.code != "" {
				if f.eng.LastSeq() != before {
					t.Fatal("refused status wrote events")
				}
				return
			}
			if u.Status != tt.to {
				t.Fatalf("status %s, want %s", u.Status, tt.to)
			}
			if tt.to == cc112.UnitAvailable {
				got := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
				if u.IncidentID != "" || got.Assignments[0].ClearedAt == nil {
					t.Fatalf("unit not cleared: unit %+v assignment %+v", u, got.Assignments[0])
				}
			}
		})
	}
}

func TestCloseFreesUnits(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatTrafficAccident, center)
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "p1", "", ""))
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "a1", "", ""))
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "p1", cc112.UnitOnscene, "", ""))

	_, err := f.eng.CloseIncident(bg, inc.ID, "  ", "", "")
	wantCode(t, err, cc112.EInvalid)
	f.clock.Advance(time.Minute)
	got := must[*cc112.Incident](t)(f.eng.CloseIncident(bg, inc.ID, "handled", "", ""))
	if got.Status != cc112.IncidentClosed || got.ClosedAt == nil || got.Disposition != "handled" {
		t.Fatalf("closed incident: %+v", got)
	}
	for _, id := range []string{"p1", "a1"} { // arrived and not arrived
		u := must[cc112.Unit](t)(f.eng.Unit(id))
		if u.Status != cc112.UnitAvailable || u.IncidentID != "" {
			t.Errorf("%s after close: %s on %q", id, u.Status, u.IncidentID)
		}
	}
	for _, a := range got.Assignments {
		if a.ClearedAt == nil || !a.ClearedAt.Equal(*got.ClosedAt) {
			t.Errorf("assignment %s not cleared at close", a.UnitID)
		}
	}
	_, err = f.eng.CloseIncident(bg, inc.ID, "again", "", "")
	wantCode(t, err, cc112.EConflict)
	if list := must[[]*cc112.Incident](t)(f.eng.IncidentsInMemory("active")); len(list) != 0 {
		t.Fatalf("closed incident still active: %d", len(list))
	}
}

func TestAutoAssignFollowsPlan(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	res := must[*AssignResult](t)(f.eng.AutoAssign(bg, inc.ID, "", ""))
	// fire: 2 fire + 1 police, nearest first: f1 (500 m), f2 (2 km), p1 (800 m).
	if strings.Join(res.Assigned, ",") != "f1,f2,p1" || len(res.Missing) != 0 {
		t.Fatalf("assigned %v missing %v", res.Assigned, res.Missing)
	}
	if len(res.Incident.Assignments) != 3 || res.Incident.DispatchedAt == nil {
		t.Fatalf("incident after auto: %+v", res.Incident)
	}
	_, err := f.eng.AutoAssign(bg, inc.ID, "", "")
	wantCode(t, err, cc112.EConflict) // plan already covered

	// A second fire: one fire unit (f3) and one police (p2) left, one fire short.
	inc2 := f.incident(t, cc112.CatFire, center)
	res = must[*AssignResult](t)(f.eng.AutoAssign(bg, inc2.ID, "", ""))
	if strings.Join(res.Assigned, ",") != "f3,p2" || len(res.Missing) != 1 || res.Missing[0] != (cc112.Need{Type: cc112.UnitFire, Count: 1}) {
		t.Fatalf("partial: assigned %v missing %v", res.Assigned, res.Missing)
	}
	inc3 := f.incident(t, cc112.CatGasLeak, center)
	_, err = f.eng.AutoAssign(bg, inc3.ID, "", "")
	wantCode(t, err, cc112.EConflict) // nothing left
}

func TestAutoAssignCountsUnitsAlreadySent(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f3", "", ""))
	res := must[*AssignResult](t)(f.eng.AutoAssign(bg, inc.ID, "", ""))
	if strings.Join(res.Assigned, ",") != "f1,p1" {
		t.Fatalf("assigned %v, want the nearest fire unit and police only", res.Assigned)
	}
}

func TestRecommend(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f1", "", ""))
	recs := must[[]Recommendation](t)(f.eng.Recommend(inc.ID, cc112.UnitFire, 5))
	if len(recs) != 2 || recs[0].UnitID != "f2" || recs[1].UnitID != "f3" {
		t.Fatalf("fire recommendations: %+v", recs)
	}
	if recs[0].ETAS <= 0 || recs[0].ETAS >= recs[1].ETAS || recs[0].Method != "straight" {
		t.Fatalf("ETA order/method: %+v", recs)
	}
	if d := recs[0].DistanceM; d < 1900 || d > 2100 {
		t.Fatalf("distance of f2 = %v, want about 2000 m", d)
	}
	all := must[[]Recommendation](t)(f.eng.Recommend(inc.ID, "", 3))
	if len(all) != 3 {
		t.Fatalf("limit 3 gave %d", len(all))
	}
	for k := 1; k < len(all); k++ {
		if all[k].ETAS < all[k-1].ETAS {
			t.Fatalf("not sorted by ETA: %+v", all)
		}
	}
	// The console's type-ahead: units by callsign, any type, ETA first.
	typed := must[[]Recommendation](t)(f.eng.Recommend(inc.ID, "", 5, RecommendOpts{Callsign: " dmk-0"}))
	if len(typed) != 2 || typed[0].Callsign != "DMK-02" || typed[1].Callsign != "DMK-03" || typed[0].ETAS <= 0 {
		t.Fatalf("callsign dmk-0: %+v", typed)
	}
	_, err := f.eng.Recommend(inc.ID, "boat", 3)
	wantCode(t, err, cc112.EInvalid)
	_, err = f.eng.Recommend(inc.ID, "", 0)
	wantCode(t, err, cc112.EInvalid)
	_, err = f.eng.Recommend("inc_nope", "", 3)
	wantCode(t, err, cc112.ENotFound)
}

func TestReplayRebuildsIdenticalState(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	must[*AssignResult](t)(f.eng.AutoAssign(bg, inc.ID, "k1", "fp"))
	f.clock.Advance(time.Minute)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitEnroute, "", ""))
	must[*cc112.Unit](t)(f.eng.UpdatePosition(bg, "f1", Position{Lat: ptr(-7.25), Lon: ptr(112.74), Heading: ptr(90.0)}))
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitOnscene, "", ""))
	inc2 := f.incident(t, cc112.CatMedical, near(100, 100))
	must[*AssignResult](t)(f.eng.AutoAssign(bg, inc2.ID, "", ""))
	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, inc2.ID, "transported", "", ""))
	if err := f.eng.RegisterCameras(bg, []cc112.Camera{{ID: "c1", Name: "Tugu", Location: center, RTSPURL: "rtsp://u:p@127.0.0.1/x"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.eng.SetCameraStatus(bg, "c1", cc112.CameraOffline); err != nil {
		t.Fatal(err)
	}

	state := func(e *Engine) string {
		all := must[[]*cc112.Incident](t)(e.IncidentsInMemory("all"))
		cam := must[cc112.Camera](t)(e.Camera("c1"))
		b, _ := json.Marshal([]any{all, e.Units(), e.Cameras(), cam.RTSPURL, e.LastSeq()})
		return string(b)
	}
	before := state(f.eng)
	again := f.reopen(t)
	if after := state(again); after != before {
		t.Fatalf("replay differs:\nbefore %s\nafter  %s", before, after)
	}
	// The idempotency key survives the restart too.
	res := must[*AssignResult](t)(again.AutoAssign(bg, inc.ID, "k1", "fp"))
	if len(res.Assigned) != 3 {
		t.Fatalf("replayed key answered %+v", res)
	}
}

// The ETA predicted at dispatch stays with the assignment, for both ways of
// sending a unit, and equals what the recommender offered.
func TestAssignmentKeepsPredictedETA(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, near(800, 300))
	recs := must[[]Recommendation](t)(f.eng.Recommend(inc.ID, cc112.UnitFire, 1))
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, recs[0].UnitID, "", ""))
	must[*AssignResult](t)(f.eng.AutoAssign(bg, inc.ID, "", ""))
	got := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
	if a := got.Assignments[0]; a.PredictedETAS != recs[0].ETAS || a.ETAMethod != "straight" {
		t.Fatalf("manual assignment kept %v %q, recommended %v", a.PredictedETAS, a.ETAMethod, recs[0].ETAS)
	}
	for _, a := range got.Assignments {
		if a.PredictedETAS <= 0 || a.ETAMethod == "" {
			t.Fatalf("assignment of %s has no predicted ETA: %+v", a.UnitID, a)
		}
	}
}

func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	n := NewIncident{Category: cc112.CatFlood, Location: ptr(center)}
	a := must[*cc112.Incident](t)(f.eng.CreateIncident(bg, n, "key-1", "fp-1"))
	b := must[*cc112.Incident](t)(f.eng.CreateIncident(bg, n, "key-1", "fp-1"))
	if a.ID != b.ID || a.Number != b.Number {
		t.Fatalf("retry created another incident: %s vs %s", a.ID, b.ID)
	}
	if list := must[[]*cc112.Incident](t)(f.eng.IncidentsInMemory("all")); len(list) != 1 {
		t.Fatalf("%d incidents after a retry", len(list))
	}
	_, err := f.eng.CreateIncident(bg, n, "key-1", "fp-other")
	wantCode(t, err, cc112.EConflict)
	// Past the TTL the key is forgotten.
	f.clock.Advance(25 * time.Hour)
	c := must[*cc112.Incident](t)(f.eng.CreateIncident(bg, n, "key-1", "fp-1"))
	if c.ID == a.ID {
		t.Fatal("expired key still answered the old result")
	}
}

func TestPositionsAreSampled(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 20; i++ {
		lat := -7.25 + float64(i)*0.0001
		must[*cc112.Unit](t)(f.eng.UpdatePosition(bg, "p1", Position{Lat: &lat, Lon: ptr(112.74), Speed: ptr(10.0)}))
		f.clock.Advance(time.Second)
	}
	u := must[cc112.Unit](t)(f.eng.Unit("p1"))
	if u.Location.Lat != -7.25+19*0.0001 || u.Speed == nil || *u.Speed != 10 {
		t.Fatalf("memory position %+v", u)
	}
	// 20 fixes over 20 s with a 15 s sample: 2 journaled.
	if n := f.count(t, cc112.EvUnitMoved); n != 2 {
		t.Fatalf("%d positions journaled, want 2", n)
	}
	bad := []Position{
		{Lat: ptr(-7.25)},
		{Lat: ptr(-97.0), Lon: ptr(112.0)},
		{Lat: ptr(-7.25), Lon: ptr(112.74), Heading: ptr(400.0)},
		{Lat: ptr(-7.25), Lon: ptr(112.74), Speed: ptr(-1.0)},
		{Lat: ptr(-7.25), Lon: ptr(112.74), Accuracy: ptr(-5.0)},
	}
	for _, p := range bad {
		_, err := f.eng.UpdatePosition(bg, "p1", p)
		wantCode(t, err, cc112.EInvalid)
	}
	_, err := f.eng.UpdatePosition(bg, "ghost", Position{Lat: ptr(-7.25), Lon: ptr(112.74)})
	wantCode(t, err, cc112.ENotFound)
}

func TestPublishesChanges(t *testing.T) {
	f := newFixture(t)
	f.pub.names = nil
	inc := f.incident(t, cc112.CatCrime, center)
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "p1", "", ""))
	must[*cc112.Unit](t)(f.eng.UpdatePosition(bg, "p1", Position{Lat: ptr(-7.25), Lon: ptr(112.74)}))
	got := strings.Join(f.pub.names, ",")
	want := "incident.created,unit.updated,incident.updated,unit.moved"
	if got != want {
		t.Fatalf("published %s, want %s", got, want)
	}
}

func TestJournalFailureStopsCommands(t *testing.T) {
	f := newFixture(t)
	if f.mem == nil {
		t.Skip("breaks the in-memory journal only")
	}
	f.mem.fail = errors.New("disk gone")
	_, err := f.eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: ptr(center)}, "", "")
	wantCode(t, err, cc112.EUnavailable)
	f.mem.fail = nil
	_, err = f.eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: ptr(center)}, "", "")
	wantCode(t, err, cc112.EUnavailable) // memory is ahead of the disk: refuse until restart
	if err := f.eng.Ready(bg); cc112.ErrorCode(err) != cc112.EUnavailable {
		t.Fatalf("Ready after a failed write: %v", err)
	}
}

func TestReplayRefusesUnknownEvent(t *testing.T) {
	f := newFixture(t)
	f.j.Append([]cc112.Event{{Seq: f.j.LastSeq() + 1, Type: "from.the.future", At: t0, Data: json.RawMessage(`{}`)}})
	_, err := New(bg, Config{Journal: f.j, Clock: f.clock})
	if err == nil || !strings.Contains(err.Error(), "unknown event type") {
		t.Fatalf("replay of an unknown event: %v", err)
	}
}

// Recommendations and camera searches run under the read lock from many
// handlers at once while units move: the race detector checks the index.
func TestConcurrentSearchesAndMoves(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			lat := -7.25 + float64(i%10)*0.001
			_, _ = f.eng.UpdatePosition(bg, "f2", Position{Lat: &lat, Lon: ptr(112.74)})
		}
	}()
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				if _, err := f.eng.Recommend(inc.ID, "", 3); err != nil {
					errs <- err
					return
				}
				f.eng.NearestCameras(center, 3, nil)
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
}
