package dispatch

import (
	"context"
	"reflect"
	"testing"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/internal/clocktest"
)

func tp(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func sp(s string) *string { return &s }

func TestImportIncidents(t *testing.T) {
	j := &memJournal{}
	touched := map[string]int{}
	open := func() *Engine {
		eng, err := New(context.Background(), Config{Journal: j, Clock: clocktest.New(t0),
			OnIncident: func(inc *cc112.Incident) { touched[inc.Number]++ }})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	eng := open()
	pub := &recorder{}
	eng.SetPublisher(pub)
	if err := eng.RegisterUnits(context.Background(), testUnits()); err != nil {
		t.Fatal(err)
	}
	unitsBefore := eng.Units()
	loc := geo.Point{Lat: 37.77, Lon: -122.42} // far outside any city we know: allowed
	batch := []ImportedIncident{
		{ExternalID: "SF-1", Category: cc112.CatFire, Priority: 1, Location: &loc, ReceivedAt: tp("2017-01-01T08:00:00Z"),
			CallReceivedAt: tp("2017-01-01T07:58:20Z"), ClosedAt: tp("2017-01-01T09:00:00Z"), Units: []ImportedUnit{
				{Callsign: "E1", Type: cc112.UnitFire, DispatchedAt: tp("2017-01-01T08:01:00Z"), EnrouteAt: tp("2017-01-01T08:02:00Z"), OnsceneAt: tp("2017-01-01T08:06:00Z")},
				{Callsign: "M1", Type: cc112.UnitAmbulance, Agency: "private", DispatchedAt: tp("2017-01-01T08:00:30Z"), OnsceneAt: tp("2017-01-01T08:09:00Z")},
			}},
		{ExternalID: "SF-2", Category: "volcano", Location: &loc, ReceivedAt: tp("2017-01-01T08:00:00Z")},
		{ExternalID: "SF-3", Category: cc112.CatMedical, Location: &loc, District: sp("Kota Sumenep"),
			ReceivedAt: tp("2017-01-02T08:00:00Z"), ClosedAt: tp("2017-01-01T08:00:00Z")}, // closed before received: kept
		{ExternalID: "SF-1", Category: cc112.CatFire, Location: &loc, ReceivedAt: tp("2017-01-01T08:00:00Z")},
		{ExternalID: "SF-4", Category: cc112.CatFire, Location: &loc, ReceivedAt: tp("2017-01-01T08:00:00Z"),
			Units: []ImportedUnit{{Callsign: "X", Type: "tank"}}},
		{ExternalID: "", Category: cc112.CatFire, Location: &loc, ReceivedAt: tp("2017-01-01T08:00:00Z")},
		{ExternalID: "SF-5", Category: cc112.CatFire, Location: &loc},
		{ExternalID: "SF-6", Category: cc112.CatFire, Location: &loc, ReceivedAt: tp("2017-01-01T08:00:00Z"), CallReceivedAt: tp("1900-01-01T08:00:00Z")},
	}
	res, err := eng.ImportIncidents(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes := []string{"", cc112.EInvalid, "", cc112.EConflict, cc112.EInvalid, cc112.EInvalid, cc112.EInvalid, cc112.EInvalid}
	for k, want := range wantCodes {
		if got := cc112.ErrorCode(res[k]); got != want {
			t.Errorf("line %d: code %q (%v), want %q", k, got, res[k], want)
		}
	}
	check := func(eng *Engine) {
		t.Helper()
		list, _ := eng.IncidentsInMemory("all")
		if len(list) != 2 {
			t.Fatalf("%d incidents, want 2", len(list))
		}
		var sf1 *cc112.Incident
		for _, inc := range list {
			if inc.Active() || inc.Source != cc112.ImportSource {
				t.Errorf("imported %s: active %v, source %q", inc.Number, inc.Active(), inc.Source)
			}
			if inc.Number == "SF-1" {
				sf1 = inc
			}
		}
		if sf1 == nil || sf1.District != "" || len(sf1.Assignments) != 2 {
			t.Fatalf("SF-1 = %+v", sf1)
		}
		// The timeline is the earliest of each step over the units.
		if !sf1.DispatchedAt.Equal(*tp("2017-01-01T08:00:30Z")) || !sf1.EnrouteAt.Equal(*tp("2017-01-01T08:02:00Z")) ||
			!sf1.OnsceneAt.Equal(*tp("2017-01-01T08:06:00Z")) {
			t.Errorf("SF-1 timeline %v %v %v", sf1.DispatchedAt, sf1.EnrouteAt, sf1.OnsceneAt)
		}
		// The call's answer is its own field, and the clock starts there.
		if sf1.CallReceivedAt == nil || !sf1.ClockStart().Equal(*tp("2017-01-01T07:58:20Z")) || !sf1.ReceivedAt.Equal(*tp("2017-01-01T08:00:00Z")) {
			t.Errorf("SF-1 call_received_at %v received_at %v", sf1.CallReceivedAt, sf1.ReceivedAt)
		}
		if a := sf1.Assignments; a[0].Agency != "damkar" || a[1].Agency != "private" || a[1].Status != cc112.UnitOnscene {
			t.Errorf("assignments %+v %+v", a[0], a[1])
		}
	}
	check(eng)
	if eng.ImportedCount() != 2 || touched["SF-1"] != 1 || touched["SF-3"] != 1 {
		t.Errorf("imported %d, hook calls %v", eng.ImportedCount(), touched)
	}
	if got := eng.Units(); len(got) != len(unitsBefore) || !reflect.DeepEqual(got[0], unitsBefore[0]) {
		t.Error("an import changed live units")
	}
	if n := len(pub.names); n != len(unitsBefore) {
		t.Errorf("%d live events, want only the %d unit registrations", n, len(unitsBefore))
	}

	// Running the same import again skips everything; after a restart the
	// journal gives the same incidents, and still no duplicates.
	res, _ = eng.ImportIncidents(context.Background(), batch[:1])
	wantCode(t, res[0], cc112.EConflict)
	eng = open()
	check(eng)
	if touched["SF-1"] != 2 {
		t.Errorf("replay did not call the hook: %v", touched)
	}
	res, _ = eng.ImportIncidents(context.Background(), batch[:1])
	wantCode(t, res[0], cc112.EConflict)
}
