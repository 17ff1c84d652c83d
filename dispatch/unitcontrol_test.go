package dispatch

import (
	"testing"
	"time"

	"cc112"
)

// TestUnitControl: a dispatcher sends any available unit (not only a
// recommended one), releases one, diverts one to another incident in one
// command, sets a status on the crew's behalf and takes a unit out of
// service and back; every refusal journals nothing; replay rebuilds it all.
func TestUnitControl(t *testing.T) {
	f := newFixture(t)
	by := Author{Username: "dina", Role: "dispatcher"}
	fire := f.incident(t, cc112.CatFire, center)
	medical := f.incident(t, cc112.CatMedical, near(200, 0))
	before := f.eng.LastSeq()

	// Refusals: unknown unit, unit of another agency for a bound desk,
	// a busy unit, a unit already on the incident, no reason for the last.
	_, err := f.eng.AssignAs(bg, fire.ID, UnitOrder{UnitID: "nope"}, by, "", "")
	wantCode(t, err, cc112.ENotFound)
	_, err = f.eng.AssignAs(bg, fire.ID, UnitOrder{UnitID: "a1"}, Author{Username: "rudi", Role: "dispatcher", Agency: "damkar"}, "", "")
	wantCode(t, err, cc112.EForbidden)
	_, err = f.eng.AssignAs(bg, "inc_none", UnitOrder{UnitID: "f3"}, by, "", "")
	wantCode(t, err, cc112.ENotFound)
	if f.eng.LastSeq() != before {
		t.Fatal("refused assignments journaled")
	}

	// Any unit: the farthest engine, which no recommendation would offer first.
	f.clock.Advance(time.Minute)
	res := must[*AssignResult](t)(f.eng.AssignAs(bg, fire.ID, UnitOrder{UnitID: "f3"}, Author{Username: "rudi", Role: "dispatcher", Agency: "damkar"}, "", ""))
	if res.Incident.Status != cc112.IncidentDispatched || len(res.Assigned) != 1 || res.Assigned[0] != "f3" {
		t.Fatalf("assign f3: %+v", res)
	}
	_, err = f.eng.AssignAs(bg, medical.ID, UnitOrder{UnitID: "f3"}, by, "", "")
	wantCode(t, err, cc112.EConflict) // busy, without divert
	_, err = f.eng.AssignAs(bg, fire.ID, UnitOrder{UnitID: "f3"}, by, "", "")
	wantCode(t, err, cc112.EConflict) // already there
	_, err = f.eng.ReleaseUnit(bg, fire.ID, "f3", "", by, "", "")
	wantCode(t, err, cc112.EInvalid) // the last unit needs a reason
	_, err = f.eng.ReleaseUnit(bg, fire.ID, "a1", "x", by, "", "")
	wantCode(t, err, cc112.EConflict) // not on it
	_, err = f.eng.AssignAs(bg, medical.ID, UnitOrder{UnitID: "f3", Divert: true}, by, "", "")
	wantCode(t, err, cc112.EInvalid) // a divert takes the last unit: reason
	_, err = f.eng.AssignAs(bg, medical.ID, UnitOrder{UnitID: "p2", Divert: true}, Author{Agency: "dinkes"}, "", "")
	wantCode(t, err, cc112.EForbidden)

	// Release one of two: no reason needed, the incident keeps the other.
	must[*AssignResult](t)(f.eng.AssignAs(bg, fire.ID, UnitOrder{UnitID: "f1"}, by, "", ""))
	f.clock.Advance(time.Minute)
	inc := must[*cc112.Incident](t)(f.eng.ReleaseUnit(bg, fire.ID, "f3", "", by, "", ""))
	if inc.Status != cc112.IncidentDispatched || activeUnits(inc) != 1 {
		t.Fatalf("after releasing f3: %s with %d units", inc.Status, activeUnits(inc))
	}
	if u := must[cc112.Unit](t)(f.eng.Unit("f3")); u.Status != cc112.UnitAvailable || u.IncidentID != "" {
		t.Fatalf("released f3: %s on %q", u.Status, u.IncidentID)
	}
	last := inc.Changes[len(inc.Changes)-1]
	if last.Event != "released" || last.By != "dina" || last.UnitID != "f3" || last.Callsign != "DMK-03" {
		t.Fatalf("release change: %+v", last)
	}

	// Divert f1 (the fire's last unit) to the medical call, with a reason:
	// one command, two events; the fire waits for a unit again.
	f.clock.Advance(time.Minute)
	seq := f.eng.LastSeq()
	res = must[*AssignResult](t)(f.eng.AssignAs(bg, medical.ID, UnitOrder{UnitID: "f1", Divert: true, Reason: "korban henti jantung lebih dekat"}, by, "", ""))
	if f.eng.LastSeq() != seq+2 || res.Incident.ID != medical.ID || res.Incident.Status != cc112.IncidentDispatched {
		t.Fatalf("divert: seq %d→%d, %+v", seq, f.eng.LastSeq(), res.Incident)
	}
	if got := must[*cc112.Incident](t)(f.eng.Incident(fire.ID)); got.Status != cc112.IncidentNew || got.DispatchedAt == nil ||
		got.Changes[len(got.Changes)-1].Event != "diverted" || got.Changes[len(got.Changes)-1].Reason != "korban henti jantung lebih dekat" {
		t.Fatalf("fire after the divert: %s %+v", got.Status, got.Changes)
	}

	// On the crew's behalf: journaled with the dispatcher, shown on the unit.
	f.clock.Advance(time.Minute)
	u := must[*cc112.Unit](t)(f.eng.SetUnitStatusAs(bg, "f1", cc112.UnitEnroute, &by, "", ""))
	if u.Status != cc112.UnitEnroute || u.StatusBy != "dina" {
		t.Fatalf("on behalf: %+v", u)
	}
	_, err = f.eng.SetUnitStatusAs(bg, "f1", cc112.UnitOnscene, &Author{Username: "x", Agency: "polri"}, "", "")
	wantCode(t, err, cc112.EForbidden)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitOnscene, "", ""))
	if u := must[cc112.Unit](t)(f.eng.Unit("f1")); u.StatusBy != "" {
		t.Fatalf("the crew's own report kept %q as its author", u.StatusBy)
	}

	// Out of service and back.
	_, err = f.eng.SetUnitService(bg, "f1", false, "mesin rusak", by, "", "")
	wantCode(t, err, cc112.EConflict) // assigned
	_, err = f.eng.SetUnitService(bg, "p2", false, "  ", by, "", "")
	wantCode(t, err, cc112.EInvalid) // no reason
	_, err = f.eng.SetUnitService(bg, "p2", true, "", by, "", "")
	wantCode(t, err, cc112.EConflict) // already in service
	_, err = f.eng.SetUnitService(bg, "zz", false, "x", by, "", "")
	wantCode(t, err, cc112.ENotFound)
	u = must[*cc112.Unit](t)(f.eng.SetUnitService(bg, "p2", false, "ban bocor", by, "", ""))
	if u.Status != cc112.UnitOffduty || u.OutOfService != "ban bocor" {
		t.Fatalf("out of service: %+v", u)
	}
	_, err = f.eng.AssignAs(bg, medical.ID, UnitOrder{UnitID: "p2"}, by, "", "")
	wantCode(t, err, cc112.EConflict)
	_, err = f.eng.SetUnitService(bg, "p2", false, "lagi", by, "", "")
	wantCode(t, err, cc112.EConflict)
	if n := f.count(t, cc112.EvUnitService); n != 1 {
		t.Fatalf("%d unit.service events, want 1", n)
	}
	f.sameAfterReplay(t)
	u = must[*cc112.Unit](t)(f.eng.SetUnitService(bg, "p2", true, "", by, "", ""))
	if u.Status != cc112.UnitAvailable || u.OutOfService != "" {
		t.Fatalf("back in service: %+v", u)
	}
	f.sameAfterReplay(t)
}
