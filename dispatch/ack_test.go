package dispatch

import (
	"context"
	"reflect"
	"testing"
	"time"

	"cc112"
)

// TestAcknowledgeAndTransport: TERIMA stamps the unit's active assignment
// once (a repeat changes nothing; without an assignment it is 409); an
// unacknowledged dispatch is listed once its time is up; transporting and
// at_hospital carry the hospital (kept to at_hospital, gone when the unit
// is free), forward only; replay rebuilds all of it.
func TestAcknowledgeAndTransport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var amb cc112.Unit
	for _, u := range f.eng.Units() {
		if u.Type == cc112.UnitAmbulance {
			amb = u
			break
		}
	}
	_, err := f.eng.AcknowledgeAssignment(ctx, amb.ID, "", "")
	wantCode(t, err, cc112.EConflict)
	inc := f.incident(t, cc112.CatMedical, near(100, 100))
	must[*AssignResult](t)(f.eng.Assign(ctx, inc.ID, amb.ID, "", ""))
	if got := f.eng.Unacknowledged(t0.Add(-time.Second)); len(got) != 0 {
		t.Fatalf("unacknowledged before its time: %+v", got)
	}
	if got := f.eng.Unacknowledged(f.clock.Now()); len(got) != 1 || got[0].UnitID != amb.ID || got[0].Number != inc.Number {
		t.Fatalf("unacknowledged: %+v", got)
	}
	f.clock.Advance(20 * time.Second)
	acked := must[*cc112.Incident](t)(f.eng.AcknowledgeAssignment(ctx, amb.ID, "", ""))
	at := f.clock.Now()
	f.clock.Advance(5 * time.Second)
	again := must[*cc112.Incident](t)(f.eng.AcknowledgeAssignment(ctx, amb.ID, "", ""))
	for _, x := range []*cc112.Incident{acked, again} {
		if a := x.Assignments[0]; a.AcknowledgedAt == nil || !a.AcknowledgedAt.Equal(at) {
			t.Fatalf("acknowledged at %v, want %v", a.AcknowledgedAt, at)
		}
	}
	if n := f.count(t, cc112.EvAssignmentAcknowledged); n != 1 {
		t.Fatalf("%d acknowledgements journaled, want 1", n)
	}
	if got := f.eng.Unacknowledged(f.clock.Now()); len(got) != 0 {
		t.Fatalf("still unacknowledged: %+v", got)
	}

	rs := &cc112.Hospital{Name: "RSUD Dr. Soetomo", Location: near(500, 0)}
	_, err = f.eng.SetUnitStatusTo(ctx, amb.ID, cc112.UnitEnroute, rs, "", "")
	wantCode(t, err, cc112.EInvalid)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(ctx, amb.ID, cc112.UnitOnscene, "", ""))
	u := must[*cc112.Unit](t)(f.eng.SetUnitStatusTo(ctx, amb.ID, cc112.UnitTransporting, rs, "", ""))
	if u.Hospital == nil || *u.Hospital != *rs {
		t.Fatalf("transporting to %+v", u.Hospital)
	}
	u = must[*cc112.Unit](t)(f.eng.SetUnitStatus(ctx, amb.ID, cc112.UnitAtHospital, "", ""))
	if u.Hospital == nil || u.Hospital.Name != rs.Name {
		t.Fatalf("at hospital: %+v", u.Hospital)
	}
	_, err = f.eng.SetUnitStatus(ctx, amb.ID, cc112.UnitOnscene, "", "")
	wantCode(t, err, cc112.EConflict)
	got := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
	if got.Assignments[0].Status != cc112.UnitAtHospital {
		t.Fatalf("assignment %s, want at_hospital", got.Assignments[0].Status)
	}
	before := must[cc112.Unit](t)(f.eng.Unit(amb.ID))
	replayed := f.reopen(t)
	after := must[cc112.Unit](t)(replayed.Unit(amb.ID))
	if !reflect.DeepEqual(before.Hospital, after.Hospital) || before.Status != after.Status {
		t.Fatalf("replay: %+v / %s, want %+v / %s", after.Hospital, after.Status, before.Hospital, before.Status)
	}
	ri := must[*cc112.Incident](t)(replayed.Incident(inc.ID))
	if a := ri.Assignments[0]; a.AcknowledgedAt == nil || !a.AcknowledgedAt.Equal(at) {
		t.Fatalf("replayed acknowledgement %v", a.AcknowledgedAt)
	}
	free := must[*cc112.Unit](t)(replayed.SetUnitStatus(ctx, amb.ID, cc112.UnitAvailable, "", ""))
	if free.Hospital != nil {
		t.Fatalf("a free unit keeps its hospital %+v", free.Hospital)
	}
}
