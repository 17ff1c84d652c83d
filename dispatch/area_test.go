package dispatch

import (
	"reflect"
	"strings"
	"testing"

	"cc112"
	"cc112/geo"
)

// TestServiceArea: a location beyond the city's districts plus the margin
// (Jakarta, a missing minus sign) is refused with out_of_area and changes
// nothing; a reason confirms it, and the journal keeps who gave it.
func TestServiceArea(t *testing.T) {
	f := newFixture(t)
	// One district known by its centroid: 8 km around it, plus 2 km margin.
	f.area = geo.NewDistricts([]geo.District{{Name: "Genteng", Centroid: center}})
	f.eng = f.reopen(t)
	by := Author{Username: "dina", Role: "calltaker"}
	jakarta, noMinus := geo.Point{Lat: -6.2, Lon: 106.8}, geo.Point{Lat: 7.25, Lon: 112.75}

	for _, c := range []struct {
		p       geo.Point
		confirm string
		code    string
	}{
		{jakarta, "", cc112.EOutOfArea},
		{noMinus, "", cc112.EOutOfArea},
		{near(0, 10500), "", cc112.EOutOfArea},
		{jakarta, " \t ", cc112.EOutOfArea},
		{jakarta, "a\x00b", cc112.EInvalid},
	} {
		_, err := f.eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: &c.p, ConfirmOutOfArea: c.confirm, By: by}, "", "")
		wantCode(t, err, c.code)
		if c.code == cc112.EOutOfArea && !strings.Contains(cc112.ErrorMessage(err), " km outside") {
			t.Errorf("message names no distance: %v", err)
		}
	}
	if n := f.count(t, cc112.EvIncidentCreated); n != 0 {
		t.Fatalf("refused incidents journaled %d events", n)
	}

	// Within the margin: no confirmation asked, none recorded.
	edge := near(0, 9500)
	if inc := must[*cc112.Incident](t)(f.eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: &edge}, "", "")); inc.OutOfArea != nil {
		t.Fatalf("inside the margin: %+v", inc.OutOfArea)
	}

	far := must[*cc112.Incident](t)(f.eng.CreateIncident(bg, NewIncident{Category: cc112.CatFire, Location: &jakarta,
		ConfirmOutOfArea: " mutual aid to Jakarta ", By: by}, "", ""))
	o := far.OutOfArea
	if o == nil || o.Reason != "mutual aid to Jakarta" || o.By != "dina" || o.Role != "calltaker" || !o.At.Equal(t0) || o.DistanceM < 600e3 {
		t.Fatalf("confirmation: %+v", o)
	}
	if !logHas(far.Log(), "out_of_area_confirmed", "mutual aid to Jakarta") {
		t.Fatalf("log: %+v", far.Log())
	}

	// A move out of the area is an edit that asks the same.
	inc := f.incident(t, cc112.CatFire, center)
	_, err := f.eng.EditIncident(bg, inc.ID, IncidentEdit{Location: &noMinus}, by, "", "")
	wantCode(t, err, cc112.EOutOfArea)
	if n := f.count(t, cc112.EvIncidentEdited); n != 0 {
		t.Fatalf("a refused move journaled %d edits", n)
	}
	moved := must[*EditResult](t)(f.eng.EditIncident(bg, inc.ID, IncidentEdit{Location: &noMinus, ConfirmOutOfArea: "ship in the strait"}, by, "", "")).Incident
	if moved.Location != noMinus || moved.OutOfArea == nil || moved.OutOfArea.Reason != "ship in the strait" || moved.OutOfArea.DistanceM < 1500e3 {
		t.Fatalf("moved: %+v %+v", moved.Location, moved.OutOfArea)
	}
	if !logHas(moved.Log(), "edited", "outside the service area: ship in the strait") {
		t.Fatalf("log: %+v", moved.Log())
	}
	// A confirmation alone changes nothing.
	_, err = f.eng.EditIncident(bg, inc.ID, IncidentEdit{ConfirmOutOfArea: "x"}, by, "", "")
	wantCode(t, err, cc112.EInvalid)

	// Replay rebuilds the confirmations.
	again := f.reopen(t)
	for _, want := range []*cc112.Incident{far, moved} {
		got := must[*cc112.Incident](t)(again.Incident(want.ID))
		if !reflect.DeepEqual(got.OutOfArea, want.OutOfArea) || !reflect.DeepEqual(got.Log(), want.Log()) {
			t.Fatalf("replayed %s: %+v, want %+v", want.ID, got.OutOfArea, want.OutOfArea)
		}
	}
}

func logHas(log []cc112.LogEntry, event, text string) bool {
	for _, e := range log {
		if e.Event == event && e.Text == text {
			return true
		}
	}
	return false
}
