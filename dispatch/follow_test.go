package dispatch

import (
	"context"
	"testing"
	"time"

	"cc112"
)

func TestStandbyFollowsAndPromotes(t *testing.T) {
	f := newFixture(t) // the leader
	standby := f.reopen(t)
	standby.SetStandby()
	spub := &recorder{}
	standby.SetPublisher(spub)

	inc, err := f.eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: ptr(center)}, "k1", "fp")
	if err != nil {
		t.Fatal(err)
	}
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f1", "", ""))

	_, err = standby.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: ptr(center)}, "", "")
	wantCode(t, err, cc112.EUnavailable)
	lat, lon := center.Lat, center.Lon
	_, err = standby.UpdatePosition(bg, "f1", Position{Lat: &lat, Lon: &lon})
	wantCode(t, err, cc112.EUnavailable)

	n, err := standby.CatchUp(bg)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || standby.LastSeq() != f.eng.LastSeq() {
		t.Fatalf("caught up %d events to seq %d, leader at %d", n, standby.LastSeq(), f.eng.LastSeq())
	}
	got, err := standby.Incident(inc.ID)
	if err != nil || got.Status != cc112.IncidentDispatched {
		t.Fatalf("standby sees %+v, %v", got, err)
	}
	spub.mu.Lock()
	published := len(spub.names)
	spub.mu.Unlock()
	if published == 0 {
		t.Fatal("the standby published nothing to its live feed while following")
	}

	// The leader dies; the standby takes over with every event.
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitEnroute, "", ""))
	if err := standby.Promote(bg); err != nil {
		t.Fatal(err)
	}
	if u, _ := standby.Unit("f1"); u.Status != cc112.UnitEnroute {
		t.Fatalf("after promotion f1 is %s, want enroute", u.Status)
	}
	// A client retrying its keyed command reaches the new leader.
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	again, err := standby.CreateIncident(ctx, NewIncident{Category: cc112.CatFire, Location: ptr(center)}, "k1", "fp")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != inc.ID {
		t.Fatalf("retry on the new leader created %s, want %s", again.ID, inc.ID)
	}
	must[*cc112.Unit](t)(standby.SetUnitStatus(bg, "f1", cc112.UnitOnscene, "", ""))
}

func TestFollowStopsOnPromotion(t *testing.T) {
	f := newFixture(t)
	standby := f.reopen(t)
	standby.SetStandby()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- standby.Follow(ctx, time.Millisecond) }()
	f.incident(t, cc112.CatMedical, center)
	if err := standby.Promote(bg); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow kept running after Promote")
	}
	if standby.LastSeq() != f.eng.LastSeq() {
		t.Fatalf("promoted at %d, journal at %d", standby.LastSeq(), f.eng.LastSeq())
	}
}

// WaitApplied wakes the follower at once (its own interval here is an
// hour) and returns when the standby has the leader's event; a standby that
// cannot get there answers EUnavailable when the bound ends.
func TestWaitApplied(t *testing.T) {
	f := newFixture(t)
	standby := f.reopen(t)
	standby.SetStandby()

	inc := f.incident(t, cc112.CatMedical, center)
	short, cancelShort := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancelShort()
	wantCode(t, standby.WaitApplied(short, f.eng.LastSeq()), cc112.EUnavailable) // nobody follows

	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	go func() { _ = standby.Follow(ctx, time.Hour) }()
	for first := f.eng.LastSeq(); standby.LastSeq() < first; { // Follow's first read, then it sleeps
		time.Sleep(time.Millisecond)
	}
	wait, cancelWait := context.WithTimeout(bg, 30*time.Second)
	defer cancelWait()
	inc2 := f.incident(t, cc112.CatFire, center)
	if err := standby.WaitApplied(wait, f.eng.LastSeq()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{inc.ID, inc2.ID} {
		if _, err := standby.Incident(id); err != nil {
			t.Fatalf("after WaitApplied the standby lacks %s: %v", id, err)
		}
	}
	if err := standby.Promote(bg); err != nil {
		t.Fatal(err)
	}
	if err := standby.WaitApplied(short, f.eng.LastSeq()+100); err != nil {
		t.Fatalf("a leader waits for nothing: %v", err)
	}
}
