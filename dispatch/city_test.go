package dispatch

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cc112"
)

// fixtureCity makes the fixture's units a sound city: their agencies,
// their station "st" and two plans.
func fixtureCity() CityEdit {
	return CityEdit{
		Agencies: []cc112.Agency{{Code: "damkar", Name: "Damkar"}, {Code: "polri", Name: "Polri"},
			{Code: "dinkes", Name: "Dinkes"}, {Code: "dkp", Name: "DKP"}},
		Stations: []cc112.Station{{ID: "st", Name: "Pos Tugu", Agency: "damkar", Location: center}},
		Plans: []cc112.CategoryPlan{
			{Category: cc112.CatFire, Levels: [3][]cc112.Need{{{Type: cc112.UnitFire, Count: 2}}, {{Type: cc112.UnitPolice, Count: 1}}}},
			{Category: cc112.CatMedical, Levels: [3][]cc112.Need{{{Type: cc112.UnitAmbulance, Count: 1}}}},
		},
	}
}

// TestCityChanges: admin changes are one city.changed each, with who and
// before/after; bad ones change nothing; a unit on an incident is not
// retired; a restart keeps every change.
func TestCityChanges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, err := f.eng.ChangeCity(ctx, "admin", fixtureCity(), false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Agencies) != 4 || len(p.Stations) != 1 || len(p.Plans) == 0 || p.By != "admin" {
		t.Fatalf("first change %+v", p)
	}
	if got := f.eng.Plan()[cc112.CatFire]; !reflect.DeepEqual(got, []cc112.Need{{Type: cc112.UnitFire, Count: 2}}) {
		t.Errorf("fire plan %+v", got)
	}
	// The plans not named stay: an edit removes only what it names.
	if len(f.eng.Plan()) != len(cc112.DefaultResponsePlan()) {
		t.Errorf("ChangeCity without removals left %d plans", len(f.eng.Plan()))
	}

	// Add a unit: it appears, available at its station, live.
	before := len(f.pub.names)
	add := cc112.Unit{ID: "f4", Callsign: "DMK-04", Type: cc112.UnitFire, Agency: "damkar", Station: "st", Capabilities: []string{"pump", "ladder"}}
	p, err = f.eng.ChangeCity(ctx, "admin", CityEdit{Units: []cc112.Unit{add}}, false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Units) != 1 || p.Units[0].Before != nil || p.Units[0].After.ID != "f4" {
		t.Fatalf("add: %+v", p.Units)
	}
	u := must[cc112.Unit](t)(f.eng.Unit("f4"))
	if u.Status != cc112.UnitAvailable || u.Location != center || !slices.Equal(u.Capabilities, []string{"pump", "ladder"}) || u.StatusAt != t0 {
		t.Errorf("added unit %+v", u)
	}
	if !slices.Contains(f.pub.names[before:], cc112.LiveUnitUpdated) {
		t.Errorf("published %v, want unit.updated", f.pub.names[before:])
	}

	// A plan by capability, now that a unit has it.
	ladder := cc112.CategoryPlan{Category: cc112.CatFire, Levels: [3][]cc112.Need{
		{{Type: cc112.UnitFire, Count: 2}}, {{Capability: "ladder", Count: 1}}, {{Type: cc112.UnitPolice, Count: 2}}}}
	if _, err := f.eng.ChangeCity(ctx, "admin", CityEdit{Plans: []cc112.CategoryPlan{ladder}}, false, "", ""); err != nil {
		t.Fatal(err)
	}
	if got := f.eng.City().Plans[0]; !reflect.DeepEqual(got, ladder) {
		t.Errorf("fire plan %+v, want %+v", got, ladder)
	}

	// Bad edits: an error naming the field, nothing journaled.
	seq := f.eng.LastSeq()
	for _, c := range []struct {
		ed   CityEdit
		code string
		want string
	}{
		{CityEdit{Units: []cc112.Unit{{ID: "x1", Callsign: "X-1", Type: cc112.UnitFire, Agency: "damkar", Station: "nope"}}}, cc112.EInvalid, "station: unknown station"},
		{CityEdit{Units: []cc112.Unit{{ID: "x1", Callsign: "dmk-01", Type: cc112.UnitFire, Agency: "damkar", Station: "st"}}}, cc112.EInvalid, "callsign: duplicate callsign"},
		{CityEdit{Units: []cc112.Unit{{ID: "x1", Callsign: "X-1", Type: "tank", Agency: "damkar", Station: "st"}}}, cc112.EInvalid, "type: unknown unit type"},
		{CityEdit{Plans: []cc112.CategoryPlan{{Category: cc112.CatFlood, Levels: [3][]cc112.Need{{{Capability: "boat", Count: 1}}}}}}, cc112.EInvalid, "no unit has capability \"boat\""},
		{CityEdit{Plans: []cc112.CategoryPlan{{Category: "volcano", Levels: [3][]cc112.Need{{{Type: cc112.UnitFire, Count: 1}}}}}}, cc112.EInvalid, "unknown category"},
		{CityEdit{Stations: []cc112.Station{{ID: "st2", Name: "Far", Agency: "damkar", Location: near(0, 0)}}, RemoveAgencies: []string{"damkar"}}, cc112.EInvalid, "unknown agency \"damkar\""},
		{CityEdit{RemoveStations: []string{"st"}}, cc112.EInvalid, "station: unknown station \"st\""},
		{CityEdit{RetireUnits: []string{"nope"}}, cc112.ENotFound, "unit \"nope\" not found"},
		{CityEdit{Agencies: []cc112.Agency{{Code: "Bad Code", Name: "x"}}}, cc112.EInvalid, "code: must be lower-case"},
	} {
		_, err := f.eng.ChangeCity(ctx, "admin", c.ed, false, "", "")
		wantCode(t, err, c.code)
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to say %q", err, c.want)
		}
	}
	if f.eng.LastSeq() != seq {
		t.Fatalf("refused edits journaled %d events", f.eng.LastSeq()-seq)
	}

	// Edit: before and after; the unit keeps its work state.
	inc := f.incident(t, cc112.CatFire, near(100, 0))
	must[*AssignResult](t)(f.eng.Assign(ctx, inc.ID, "f4", "", ""))
	edit := add
	edit.Callsign, edit.Capabilities = "DMK-44", []string{"pump"}
	if _, err := f.eng.ChangeCity(ctx, "admin", CityEdit{Units: []cc112.Unit{edit}}, false, "", ""); err == nil ||
		!strings.Contains(err.Error(), "no unit has capability \"ladder\"") {
		t.Fatalf("dropping the last ladder a plan needs: %v", err)
	}
	edit.Capabilities = []string{"pump", "ladder"}
	p, err = f.eng.ChangeCity(ctx, "admin", CityEdit{Units: []cc112.Unit{edit}}, false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Units[0]; c.Before.Callsign != "DMK-04" || c.After.Callsign != "DMK-44" {
		t.Errorf("edit %+v → %+v", c.Before, c.After)
	}
	if u := must[cc112.Unit](t)(f.eng.Unit("f4")); u.Status != cc112.UnitDispatched || u.IncidentID != inc.ID || u.Callsign != "DMK-44" {
		t.Errorf("edited unit %+v", u)
	}

	// Retire: refused while on the incident, done once released.
	_, err = f.eng.ChangeCity(ctx, "admin", CityEdit{RetireUnits: []string{"f4"}}, false, "", "")
	wantCode(t, err, cc112.EConflict)
	must[*cc112.Incident](t)(f.eng.CloseIncident(ctx, inc.ID, "done", "", ""))
	// The ladder plan still needs f4's ladder: give f1 one first.
	f1 := must[cc112.Unit](t)(f.eng.Unit("f1"))
	f1.Capabilities = []string{"ladder"}
	if _, err := f.eng.ChangeCity(ctx, "admin", CityEdit{Units: []cc112.Unit{f1}}, false, "", ""); err != nil {
		t.Fatal(err)
	}
	before = len(f.pub.names)
	if _, err := f.eng.ChangeCity(ctx, "supervisor-budi", CityEdit{RetireUnits: []string{"f4"}}, false, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Unit("f4"); cc112.ErrorCode(err) != cc112.ENotFound {
		t.Errorf("retired unit still there: %v", err)
	}
	if !slices.Contains(f.pub.names[before:], cc112.LiveUnitRetired) {
		t.Errorf("published %v, want unit.retired", f.pub.names[before:])
	}

	// A dry run answers the change and journals nothing.
	seq = f.eng.LastSeq()
	p, err = f.eng.ChangeCity(ctx, "admin", CityEdit{RemovePlans: []cc112.Category{cc112.CatMedical}}, true, "", "")
	if err != nil || len(p.Plans) != 1 || p.Plans[0].After != nil || f.eng.LastSeq() != seq {
		t.Fatalf("dry run: %+v, %v, %d events", p, err, f.eng.LastSeq()-seq)
	}
	// An edit that changes nothing journals nothing.
	if p, err := f.eng.ChangeCity(ctx, "admin", CityEdit{Units: []cc112.Unit{f1}}, false, "", ""); err != nil || !p.Empty() || f.eng.LastSeq() != seq {
		t.Fatalf("no-op edit: %+v, %v", p, err)
	}

	// The journal holds who and before/after; a restart rebuilds the city.
	if n := f.count(t, cc112.EvCityChanged); n != 6 {
		t.Errorf("%d city.changed events, want 6", n)
	}
	var last cc112.CityChangedPayload
	if err := f.j.Replay(ctx, 0, func(ev cc112.Event) error {
		if ev.Type == cc112.EvCityChanged {
			last = cc112.CityChangedPayload{}
			return json.Unmarshal(ev.Data, &last)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if last.By != "supervisor-budi" || len(last.Units) != 1 || last.Units[0].Before.ID != "f4" || last.Units[0].After != nil {
		t.Errorf("last city.changed %+v", last)
	}
	want := f.eng.City()
	again := f.reopen(t)
	if got := again.City(); !reflect.DeepEqual(got, want) {
		t.Errorf("after a restart:\n%+v\nwant\n%+v", got, want)
	}
	if _, err := again.Unit("f4"); cc112.ErrorCode(err) != cc112.ENotFound || !again.CityKnown() {
		t.Errorf("after a restart the retired unit: %v", err)
	}
}

// TestReplaceCity: a pack applied to a running city is one change: what it
// lacks is removed, units retired.
func TestReplaceCity(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.eng.ChangeCity(ctx, "admin", fixtureCity(), false, "", ""); err != nil {
		t.Fatal(err)
	}
	next := f.eng.City()
	next.Units = slices.DeleteFunc(next.Units, func(u cc112.Unit) bool { return u.ID == "d1" })
	next.Agencies = slices.DeleteFunc(next.Agencies, func(a cc112.Agency) bool { return a.Code == "dkp" })
	removedPlans := len(next.Plans) - 1
	next.Plans = next.Plans[:1]
	seq := f.eng.LastSeq()
	p, err := f.eng.ReplaceCity(ctx, "admin", next, true, "", "")
	if err != nil || f.eng.LastSeq() != seq {
		t.Fatal(err)
	}
	if len(p.Units) != 1 || p.Units[0].After != nil || len(p.Agencies) != 1 || len(p.Plans) != removedPlans {
		t.Fatalf("diff %+v", p)
	}
	if _, err := f.eng.ReplaceCity(ctx, "admin", next, false, "", ""); err != nil {
		t.Fatal(err)
	}
	if f.eng.LastSeq() != seq+1 || len(f.eng.Units()) != len(testUnits())-1 {
		t.Fatalf("%d events, %d units", f.eng.LastSeq()-seq, len(f.eng.Units()))
	}
	// Half-valid: refused whole, every problem named.
	bad := f.eng.City()
	bad.Units = append(bad.Units, cc112.Unit{ID: "z1", Callsign: "Z-1", Type: cc112.UnitFire, Agency: "nope", Station: "nope"})
	bad.Stations = bad.Stations[:0]
	_, err = f.eng.ReplaceCity(ctx, "admin", bad, false, "", "")
	wantCode(t, err, cc112.EInvalid)
	if msg := err.Error(); !strings.Contains(msg, "unit z1: agency") || !strings.Contains(msg, "unit z1: station") || !strings.Contains(msg, "unit f1: station") {
		t.Errorf("error %v", err)
	}
	if f.eng.LastSeq() != seq+1 {
		t.Error("a refused pack changed the city")
	}
}
