package dispatch

import (
	"reflect"
	"strings"
	"testing"

	"cc112"
)

// The fixture city of capability needs, checked by hand (straight-line
// ETAs grow with distance for one unit type):
//
//	lad1  fire, pump+ladder  3000 m north   the only ladder
//	pmp1  fire, pump          500 m north
//	pmp2  fire, pump         1000 m east
//	pmp3  fire, pump         2000 m south
//	tnk1  fire, tanker       1500 m west
//	pol1  police              800 m east
//
// Fire asks for 2 × pump and 1 × ladder; alarm level 2 adds 1 × pump and
// 1 × tanker, level 3 a boat nobody has. Flood asks for a boat and a
// police unit.
func capUnits() []cc112.Unit {
	mk := func(id string, typ cc112.UnitType, north, east float64, caps ...string) cc112.Unit {
		return cc112.Unit{ID: id, Callsign: strings.ToUpper(id), Type: typ, Agency: "damkar", Station: "st",
			Status: cc112.UnitAvailable, Location: near(north, east), Capabilities: caps}
	}
	return []cc112.Unit{
		mk("lad1", cc112.UnitFire, 3000, 0, "pump", "ladder"),
		mk("pmp1", cc112.UnitFire, 500, 0, "pump"),
		mk("pmp2", cc112.UnitFire, 0, 1000, "pump"),
		mk("pmp3", cc112.UnitFire, -2000, 0, "pump"),
		mk("tnk1", cc112.UnitFire, 0, -1500, "tanker"),
		mk("pol1", cc112.UnitPolice, 0, 800),
	}
}

func capPlan() (cc112.ResponsePlan, cc112.AlarmLevels) {
	pump := func(n int) cc112.Need { return cc112.Need{Capability: "pump", Count: n} }
	return cc112.ResponsePlan{
			cc112.CatFire:  {pump(2), {Capability: "ladder", Count: 1}},
			cc112.CatFlood: {{Capability: "boat", Count: 1}, {Type: cc112.UnitPolice, Count: 1}},
			cc112.CatOther: {{Type: cc112.UnitPolice, Count: 1}},
		}, cc112.AlarmLevels{
			cc112.CatFire: {{pump(1), {Capability: "tanker", Count: 1}}, {{Capability: "boat", Count: 1}}},
		}
}

func newCapFixture(t *testing.T) *fixture {
	t.Helper()
	plan, alarms := capPlan()
	return newFixtureOf(t, capUnits(), plan, alarms)
}

func TestRecommendByCapability(t *testing.T) {
	f := newCapFixture(t)
	inc := f.incident(t, cc112.CatFire, center)

	// Scarcity first: the ladder has one candidate, lad1, which is also a
	// pump; the second pump is the nearest, pmp1. Plan order by need would
	// have sent pmp1, pmp2 and lad1: three engines for three needs.
	plan := must[*PlanAnswer](t)(f.eng.RecommendPlan(inc.ID, RecommendOpts{}))
	var ids []string
	for _, p := range plan.Picks {
		ids = append(ids, p.UnitID)
	}
	if strings.Join(ids, ",") != "lad1,pmp1" || len(plan.Missing) != 0 || plan.AlarmLevel != 1 {
		t.Fatalf("picks %v missing %v level %d", ids, plan.Missing, plan.AlarmLevel)
	}
	wantFills := []cc112.Need{{Capability: "pump", Count: 1}, {Capability: "ladder", Count: 1}}
	if !reflect.DeepEqual(plan.Picks[0].Fills, wantFills) {
		t.Errorf("lad1 fills %v, want %v", plan.Picks[0].Fills, wantFills)
	}

	// The capability filter of the ranking.
	recs := must[[]Recommendation](t)(f.eng.Recommend(inc.ID, "", 10, RecommendOpts{Capability: "ladder"}))
	if len(recs) != 1 || recs[0].UnitID != "lad1" {
		t.Errorf("ladder recommendations %+v", recs)
	}

	res := must[*AssignResult](t)(f.eng.AutoAssign(bg, inc.ID, "", ""))
	if strings.Join(res.Assigned, ",") != "lad1,pmp1" || len(res.Missing) != 0 {
		t.Fatalf("auto-assign %v missing %v", res.Assigned, res.Missing)
	}
	_, err := f.eng.AutoAssign(bg, inc.ID, "", "")
	wantCode(t, err, cc112.EConflict) // covered

	// A flood needs a boat nobody has: the police unit goes, the boat is
	// reported by name.
	flood := f.incident(t, cc112.CatFlood, center)
	res = must[*AssignResult](t)(f.eng.AutoAssign(bg, flood.ID, "", ""))
	if strings.Join(res.Assigned, ",") != "pol1" || !reflect.DeepEqual(res.Missing, []cc112.Need{{Capability: "boat", Count: 1}}) {
		t.Fatalf("flood: assigned %v missing %v", res.Assigned, res.Missing)
	}
}

func TestAlarmLevels(t *testing.T) {
	f := newCapFixture(t)
	by := Author{Username: "disp", Role: "dispatcher"}
	inc := f.incident(t, cc112.CatFire, center)
	must[*AssignResult](t)(f.eng.AutoAssign(bg, inc.ID, "", ""))

	for _, c := range []struct {
		level int
		code  string
	}{{1, cc112.EInvalid}, {4, cc112.EInvalid}, {0, cc112.EInvalid}} {
		_, err := f.eng.RaiseAlarm(bg, inc.ID, c.level, by, "", "")
		wantCode(t, err, c.code)
	}
	_, err := f.eng.RaiseAlarm(bg, "inc_nope", 2, by, "", "")
	wantCode(t, err, cc112.ENotFound)

	// Level 2 adds a pump (three in all: lad1 and pmp1 are two) and a tanker.
	got := must[*AlarmResult](t)(f.eng.RaiseAlarm(bg, inc.ID, 2, by, "", ""))
	wantShort := []cc112.Need{{Capability: "pump", Count: 1}, {Capability: "tanker", Count: 1}}
	if got.Incident.AlarmLevel != 2 || !reflect.DeepEqual(got.Short, wantShort) {
		t.Fatalf("level 2: level %d short %v", got.Incident.AlarmLevel, got.Short)
	}
	last := got.Incident.Changes[len(got.Incident.Changes)-1]
	if last.Event != "alarm" || last.By != "disp" || last.Fields[0] != (cc112.FieldChange{Field: "alarm_level", From: "1", To: "2"}) {
		t.Errorf("change %+v", last)
	}
	_, err = f.eng.RaiseAlarm(bg, inc.ID, 2, by, "", "")
	wantCode(t, err, cc112.EConflict) // the same level again
	res := must[*AssignResult](t)(f.eng.AutoAssign(bg, inc.ID, "", ""))
	if strings.Join(res.Assigned, ",") != "pmp2,tnk1" || len(res.Missing) != 0 {
		t.Fatalf("level 2 auto-assign %v missing %v", res.Assigned, res.Missing)
	}

	// Level 3's boat: nobody; the answer names it.
	must[*AlarmResult](t)(f.eng.RaiseAlarm(bg, inc.ID, 3, by, "", ""))
	_, err = f.eng.RaiseAlarm(bg, inc.ID, 2, by, "", "")
	wantCode(t, err, cc112.EConflict) // never lowered
	plan := must[*PlanAnswer](t)(f.eng.RecommendPlan(inc.ID, RecommendOpts{}))
	if plan.AlarmLevel != 3 || len(plan.Picks) != 0 || !reflect.DeepEqual(plan.Missing, []cc112.Need{{Capability: "boat", Count: 1}}) {
		t.Fatalf("level 3 plan %+v", plan)
	}
	wantNeeds := []cc112.Need{{Capability: "pump", Count: 3}, {Capability: "ladder", Count: 1}, {Capability: "tanker", Count: 1}, {Capability: "boat", Count: 1}}
	if !reflect.DeepEqual(plan.Needs, wantNeeds) {
		t.Errorf("needs %v, want %v", plan.Needs, wantNeeds)
	}

	// The level survives a restart, and a closed incident is refused.
	f.eng = f.reopen(t)
	if again := must[*cc112.Incident](t)(f.eng.Incident(inc.ID)); again.AlarmLevel != 3 {
		t.Errorf("after restart: level %d", again.AlarmLevel)
	}
	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, inc.ID, "out", "", ""))
	_, err = f.eng.RaiseAlarm(bg, inc.ID, 3, by, "", "")
	wantCode(t, err, cc112.EConflict)
	if n := f.count(t, cc112.EvIncidentAlarm); n != 2 {
		t.Errorf("%d alarm events, want 2", n)
	}
}
