package alerts

import (
	"context"
	"testing"
	"time"

	"cc112"
	citypack "cc112/city"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/clocktest"
	"cc112/internal/testjournal"
)

var (
	bg    = context.Background()
	t0    = time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) // 08:00 WIB
	tugu  = geo.Point{Lat: -7.2458, Lon: 112.7378}
	city0 = citypack.Demo()
)

// fixture is an engine with the alerts on one journal; restart builds a
// new engine and service on the same journal (memory gone, journal kept),
// as a restarted dispatchd does.
type fixture struct {
	t     *testing.T
	j     cc112.Journal
	clock *clocktest.Clock
	cfg   Config
	eng   *dispatch.Engine
	svc   *Service
}

// units are a few units near the Tugu: two fire engines, a police car and
// one ambulance, so that the city can run out of ambulances.
func units() []cc112.Unit {
	mk := func(id, call string, typ cc112.UnitType, agency string) cc112.Unit {
		return cc112.Unit{ID: id, Callsign: call, Type: typ, Agency: agency, Station: "st", Status: cc112.UnitAvailable,
			Location: geo.Point{Lat: tugu.Lat + 0.01, Lon: tugu.Lon + 0.01}}
	}
	return []cc112.Unit{mk("f1", "DMK-01", cc112.UnitFire, "damkar"), mk("f2", "DMK-02", cc112.UnitFire, "damkar"),
		mk("p1", "POL-01", cc112.UnitPolice, "polri"), mk("a1", "AMB-01", cc112.UnitAmbulance, "dinkes")}
}

func newFixture(t *testing.T, open func(*testing.T) cc112.Journal, cfg Config) *fixture {
	t.Helper()
	f := &fixture{t: t, j: open(t), clock: clocktest.New(t0), cfg: cfg}
	f.start()
	if err := f.eng.RegisterUnits(bg, units()); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) start() {
	f.t.Helper()
	f.svc = New(f.cfg)
	var err error
	f.eng, err = dispatch.New(bg, dispatch.Config{Journal: f.j, Clock: f.clock, Districts: city0.Districts}, f.svc)
	if err != nil {
		f.t.Fatal(err)
	}
}

// restart forgets everything but the journal.
func (f *fixture) restart() { f.t.Helper(); f.start() }

// at moves the clock to t0+d and checks.
func (f *fixture) checkAt(d time.Duration) (raised, cleared int) {
	f.t.Helper()
	f.clock.Advance(t0.Add(d).Sub(f.clock.Now()))
	r, c, err := f.svc.Check(bg)
	if err != nil {
		f.t.Fatal(err)
	}
	return r, c
}

func (f *fixture) setAt(d time.Duration) { f.clock.Advance(t0.Add(d).Sub(f.clock.Now())) }

func (f *fixture) open(kind cc112.AlertKind) []*cc112.Alert {
	f.t.Helper()
	p, err := f.svc.List("open", cc112.PageRequest{Cursor: "", Limit: cc112.MaxPageSize})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []*cc112.Alert
	for _, a := range p.Items {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// one wants exactly one open alert of kind, due and raised at t0+due.
func (f *fixture) one(kind cc112.AlertKind, due time.Duration) *cc112.Alert {
	f.t.Helper()
	return f.oneRaised(kind, due, due)
}

// oneRaised wants exactly one open alert of kind, due at t0+due and raised
// at t0+raised (the first check after it was due).
func (f *fixture) oneRaised(kind cc112.AlertKind, due, raised time.Duration) *cc112.Alert {
	f.t.Helper()
	got := f.open(kind)
	if len(got) != 1 {
		f.t.Fatalf("%d open %s alerts, want 1: %+v", len(got), kind, got)
	}
	if !got[0].DueAt.Equal(t0.Add(due)) || !got[0].RaisedAt.Equal(t0.Add(raised)) {
		f.t.Fatalf("%s due %s raised %s, want +%s and +%s", kind, got[0].DueAt, got[0].RaisedAt, due, raised)
	}
	return got[0]
}

func (f *fixture) none(kind cc112.AlertKind) {
	f.t.Helper()
	if got := f.open(kind); len(got) != 0 {
		f.t.Fatalf("open %s alerts: %+v, want none", kind, got[0])
	}
}

func (f *fixture) incident(cat cc112.Category, prio int) *cc112.Incident {
	f.t.Helper()
	loc := tugu
	inc, err := f.eng.CreateIncident(bg, dispatch.NewIncident{Category: cat, Priority: prio, Location: &loc}, "", "")
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

func (f *fixture) assign(inc, unit string) {
	f.t.Helper()
	if _, err := f.eng.Assign(bg, inc, unit, "", ""); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) status(unit string, s cc112.UnitStatus) {
	f.t.Helper()
	if _, err := f.eng.SetUnitStatus(bg, unit, s, "", ""); err != nil {
		f.t.Fatal(err)
	}
}

// journals runs a test on both journals dispatchd ships with.
func journals(t *testing.T, fn func(t *testing.T, open func(*testing.T) cc112.Journal)) {
	t.Run("bolt", func(t *testing.T) { fn(t, func(t *testing.T) cc112.Journal { return testjournal.Bolt(t) }) })
	t.Run("postgres", func(t *testing.T) { fn(t, func(t *testing.T) cc112.Journal { return testjournal.Postgres(t) }) })
}

// TestUnassignedAcrossRestart: a P1 waits 60 s, a P3 3 min; a restart
// between finds the same instants; each is raised once and cleared by a
// unit.
func TestUnassignedAcrossRestart(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{})
		p1 := f.incident(cc112.CatFire, 1)
		f.setAt(10 * time.Second)
		p3 := f.incident(cc112.CatFallenTree, 3)
		f.checkAt(59*time.Second + 999*time.Millisecond)
		f.none(cc112.AlertUnassigned)
		f.restart()
		f.checkAt(60 * time.Second)
		a := f.one(cc112.AlertUnassigned, 60*time.Second)
		if a.IncidentID != p1.ID || a.Severity != cc112.SeverityCritical {
			t.Fatalf("alert %+v, want the P1 as critical", a)
		}
		f.restart()
		if r, _ := f.checkAt(61 * time.Second); r != 0 {
			t.Fatalf("raised %d more after a restart: a condition is raised once", r)
		}
		f.checkAt(10*time.Second + 3*time.Minute)
		if got := f.open(cc112.AlertUnassigned); len(got) != 2 || got[0].IncidentID != p3.ID || got[0].Severity != cc112.SeverityWarning {
			t.Fatalf("after 3 min: %+v, want the P3's warning too", got)
		}
		f.assign(p1.ID, "f1")
		if _, c := f.checkAt(4 * time.Minute); c != 1 {
			t.Fatalf("cleared %d, want the P1's alert", c)
		}
		cleared, err := f.svc.Alert(a.ID)
		if err != nil || cleared.ClearedAt == nil || !cleared.ClearedAt.Equal(t0.Add(4*time.Minute)) {
			t.Fatalf("P1 alert after the unit: %+v %v", cleared, err)
		}
	})
}

// TestUnacknowledgedAcrossRestart: a dispatched unit neither acknowledged
// nor en route after 60 s; the acknowledgement clears it, and so does en
// route for another unit.
func TestUnacknowledgedAcrossRestart(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{})
		inc := f.incident(cc112.CatFire, 1)
		f.setAt(5 * time.Second)
		f.assign(inc.ID, "f1")
		f.assign(inc.ID, "f2")
		f.checkAt(64 * time.Second)
		f.none(cc112.AlertUnacknowledged)
		f.restart()
		f.checkAt(65 * time.Second)
		if got := f.open(cc112.AlertUnacknowledged); len(got) != 2 || !got[0].DueAt.Equal(t0.Add(65*time.Second)) {
			t.Fatalf("open: %+v, want f1 and f2 due at +65 s", got)
		}
		if _, err := dispatch.Run(bg, f.eng, "", "", func(tx *dispatch.Tx) (any, error) {
			tx.Emit(cc112.EvAssignmentAcknowledged, cc112.AssignmentAcknowledgedPayload{IncidentID: inc.ID, UnitID: "f1"})
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		f.status("f2", cc112.UnitEnroute)
		f.restart()
		if _, c := f.checkAt(70 * time.Second); c != 2 {
			t.Fatalf("cleared %d, want both (acknowledged, en route)", c)
		}
		f.none(cc112.AlertUnacknowledged)
	})
}

// TestEnrouteLateAcrossRestart: en route longer than 1.5 × the ETA
// predicted at dispatch.
func TestEnrouteLateAcrossRestart(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{})
		inc := f.incident(cc112.CatFire, 1)
		f.assign(inc.ID, "f1")
		got, err := f.eng.Incident(inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		eta := got.Assignments[0].PredictedETAS
		if eta <= 0 {
			t.Fatalf("no ETA kept at dispatch: %+v", got.Assignments[0])
		}
		f.setAt(30 * time.Second)
		f.status("f1", cc112.UnitEnroute)
		due := 30*time.Second + time.Duration(1.5*eta*float64(time.Second)).Truncate(time.Millisecond)
		f.checkAt(due - time.Millisecond)
		f.none(cc112.AlertEnrouteLate)
		f.restart()
		f.checkAt(due)
		a := f.one(cc112.AlertEnrouteLate, due)
		if a.UnitID != "f1" || a.IncidentID != inc.ID {
			t.Fatalf("alert %+v", a)
		}
		f.status("f1", cc112.UnitOnscene)
		if _, c := f.checkAt(due + time.Second); c != 1 {
			t.Fatalf("on scene cleared %d, want 1", c)
		}
	})
}

// TestOnsceneLongAcrossRestart: the category's limit from the config
// (medical: set to 45 min here), the default for the others.
func TestOnsceneLongAcrossRestart(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{Onscene: map[cc112.Category]time.Duration{cc112.CatMedical: 45 * time.Minute}})
		inc := f.incident(cc112.CatMedical, 1)
		f.assign(inc.ID, "a1")
		f.setAt(time.Minute)
		f.status("a1", cc112.UnitOnscene)
		f.checkAt(46*time.Minute - time.Second)
		f.none(cc112.AlertOnsceneLong)
		f.restart()
		f.checkAt(46 * time.Minute)
		if a := f.one(cc112.AlertOnsceneLong, 46*time.Minute); a.Severity != cc112.SeverityInfo {
			t.Fatalf("severity %s", a.Severity)
		}
	})
}

// TestNoUnitOfTypeAcrossRestart: the one ambulance is busy and a second
// medical call comes in: critical at once, cleared when it is free.
func TestNoUnitOfTypeAcrossRestart(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{})
		first := f.incident(cc112.CatMedical, 1)
		f.setAt(10 * time.Second)
		f.assign(first.ID, "a1")
		f.checkAt(20 * time.Second)
		f.none(cc112.AlertNoUnitType)
		second := f.incident(cc112.CatMedical, 2)
		f.restart()
		f.checkAt(21 * time.Second)
		a := f.oneRaised(cc112.AlertNoUnitType, 20*time.Second, 21*time.Second)
		if a.UnitType != cc112.UnitAmbulance || a.IncidentID != second.ID {
			t.Fatalf("alert %+v", a)
		}
		f.restart()
		if r, _ := f.checkAt(30 * time.Second); r != 0 {
			t.Fatalf("raised again after a restart")
		}
		f.status("a1", cc112.UnitAvailable)
		if _, c := f.checkAt(31 * time.Second); c < 1 {
			t.Fatal("a free ambulance did not clear it")
		}
		f.none(cc112.AlertNoUnitType)
	})
}

// TestCoverageLowAcrossRestart: the group of the units' kecamatan wants
// one ambulance; the only one leaves, then comes back.
func TestCoverageLowAcrossRestart(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		here := city0.Districts.Locate(units()[0].Location)
		if here == "" {
			t.Fatal("the test units stand outside the city")
		}
		cfg := Config{Coverage: []Group{{Name: "Pusat", Districts: []string{here}, Minimum: map[string]int{"dinkes": 1, "damkar": 2}}}}
		f := newFixture(t, open, cfg)
		f.checkAt(time.Second)
		f.none(cc112.AlertCoverageLow)
		board := f.svc.Coverage()
		if row := findRow(board, "Pusat", "damkar"); row == nil || row.Available != 2 || row.Minimum != 2 || row.Below {
			t.Fatalf("board: %+v", board.Rows)
		}
		f.setAt(time.Minute)
		f.status("a1", cc112.UnitOffduty)
		f.restart()
		f.checkAt(time.Minute + time.Second)
		a := f.oneRaised(cc112.AlertCoverageLow, time.Minute, time.Minute+time.Second)
		if a.Group != "Pusat" || a.Agency != "dinkes" {
			t.Fatalf("alert %+v", a)
		}
		if row := findRow(f.svc.Coverage(), "Pusat", "dinkes"); row == nil || row.Available != 0 || !row.Below {
			t.Fatalf("board row %+v", row)
		}
		f.status("a1", cc112.UnitAvailable)
		if _, c := f.checkAt(2 * time.Minute); c != 1 {
			t.Fatalf("cleared %d", c)
		}
	})
}

func findRow(c Coverage, group, agency string) *CoverageRow {
	for k := range c.Rows {
		if c.Rows[k].Group == group && c.Rows[k].Agency == agency {
			return &c.Rows[k]
		}
	}
	return nil
}

// TestAcknowledge: by whom, once; unknown is not found; survives replay.
func TestAcknowledge(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{})
		f.incident(cc112.CatFire, 1)
		f.checkAt(time.Minute)
		a := f.one(cc112.AlertUnassigned, time.Minute)
		f.setAt(70 * time.Second)
		got, err := f.svc.Acknowledge(bg, a.ID, "dispatcher1", "dispatcher", "", "")
		if err != nil || got.AcknowledgedBy != "dispatcher1" || !got.AcknowledgedAt.Equal(t0.Add(70*time.Second)) {
			t.Fatalf("ack: %+v %v", got, err)
		}
		_, err = f.svc.Acknowledge(bg, a.ID, "dispatcher2", "dispatcher", "", "")
		if cc112.ErrorCode(err) != cc112.EConflict {
			t.Fatalf("second ack: %v, want conflict", err)
		}
		_, err = f.svc.Acknowledge(bg, "al-999999", "dispatcher2", "dispatcher", "", "")
		if cc112.ErrorCode(err) != cc112.ENotFound {
			t.Fatalf("unknown: %v, want not found", err)
		}
		f.restart()
		again, err := f.svc.Alert(a.ID)
		if err != nil || again.AcknowledgedBy != "dispatcher1" || again.ClearedAt != nil {
			t.Fatalf("after restart: %+v %v", again, err)
		}
	})
}

// TestFailoverRaisesOnce: a standby refuses to raise; promoted after the
// leader raised, it raises nothing twice and goes on with the next id.
func TestFailoverRaisesOnce(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{})
		leader, lsvc := f.eng, f.svc
		f.start() // the standby on the same journal
		standby, ssvc := f.eng, f.svc
		standby.SetStandby()
		f.eng, f.svc = leader, lsvc
		first := f.incident(cc112.CatFire, 1)
		f.setAt(time.Minute)
		if _, err := standby.CatchUp(bg); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ssvc.Check(bg); cc112.ErrorCode(err) != cc112.EUnavailable {
			t.Fatalf("standby check: %v, want refused", err)
		}
		f.checkAt(time.Minute)
		a := f.one(cc112.AlertUnassigned, time.Minute)
		if _, err := standby.CatchUp(bg); err != nil {
			t.Fatal(err)
		}
		if err := standby.Promote(bg); err != nil {
			t.Fatal(err)
		}
		f.eng, f.svc = standby, ssvc
		if r, _ := f.checkAt(61 * time.Second); r != 0 {
			t.Fatalf("the new leader raised %d again", r)
		}
		f.one(cc112.AlertUnassigned, time.Minute)
		second := f.incident(cc112.CatFire, 1)
		f.checkAt(121 * time.Second)
		got := f.open(cc112.AlertUnassigned)
		if len(got) != 2 || got[0].IncidentID != second.ID || got[0].ID != "al-000002" || got[1].ID != a.ID || got[1].IncidentID != first.ID {
			t.Fatalf("after failover: %+v", got)
		}
	})
}

// TestListPaging: newest first, by cursor; bad parameters refused.
func TestListPaging(t *testing.T) {
	journals(t, func(t *testing.T, open func(*testing.T) cc112.Journal) {
		f := newFixture(t, open, Config{})
		for range 3 {
			f.incident(cc112.CatFire, 3)
		}
		f.checkAt(3 * time.Minute)
		p, err := f.svc.List("open", cc112.PageRequest{Cursor: "", Limit: 2})
		if err != nil || len(p.Items) != 2 || p.Items[0].ID != "al-000003" || p.NextCursor != "al-000002" {
			t.Fatalf("page 1: %+v %v", p, err)
		}
		p, err = f.svc.List("all", cc112.PageRequest{Cursor: p.NextCursor, Limit: 2})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != "al-000001" || p.NextCursor != "" {
			t.Fatalf("page 2: %+v %v", p, err)
		}
		for _, bad := range []struct{ state, cursor string }{{"closed", ""}, {"open", "al-000009"}, {"open", "x"}} {
			if _, err := f.svc.List(bad.state, cc112.PageRequest{Cursor: bad.cursor, Limit: 10}); cc112.ErrorCode(err) != cc112.EInvalid {
				t.Errorf("%+v: %v, want invalid", bad, err)
			}
		}
	})
}
