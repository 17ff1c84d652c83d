package dispatch

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"cc112"
)

func utc(h, m, s int) time.Time { return time.Date(2026, 11, 22, h, m, s, 0, time.UTC) }

// onDuty is RosterAt as "callsign:crew,crew" lines.
func onDuty(e *Engine, at time.Time) []string {
	var out []string
	list, err := e.RosterAt(bg, at)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	for _, d := range list {
		s := d.Callsign + ":"
		for k, c := range d.Crew {
			if k > 0 {
				s += ","
			}
			s += c
		}
		out = append(out, s)
	}
	return out
}

func recommended(t *testing.T, e *Engine, incID, id string) bool {
	t.Helper()
	recs := must[[]Recommendation](t)(e.Recommend(incID, "", 20))
	return slices.ContainsFunc(recs, func(r Recommendation) bool { return r.UnitID == id })
}

func TestRoster(t *testing.T) {
	f := newCapFixture(t)
	sup := Author{Username: "sup", Role: "supervisor"}
	setClock(f, utc(10, 0, 0))
	day := []ShiftInput{{Crew: []string{"budi", "siti"}, From: utc(10, 0, 0), To: utc(17, 0, 0)},
		{Crew: []string{"andi"}, From: utc(17, 0, 0), To: utc(17, 0, 0).Add(8 * time.Hour)}}

	bad := []struct {
		name   string
		unit   string
		shifts []ShiftInput
		code   string
	}{
		{"unknown unit", "nope", day, cc112.ENotFound},
		{"to before from", "pmp1", []ShiftInput{{Crew: []string{"a"}, From: utc(12, 0, 0), To: utc(11, 0, 0)}}, cc112.EInvalid},
		{"no times", "pmp1", []ShiftInput{{Crew: []string{"a"}}}, cc112.EInvalid},
		{"no crew", "pmp1", []ShiftInput{{From: utc(11, 0, 0), To: utc(12, 0, 0)}}, cc112.EInvalid},
		{"crew named twice", "pmp1", []ShiftInput{{Crew: []string{"a", " a"}, From: utc(11, 0, 0), To: utc(12, 0, 0)}}, cc112.EInvalid},
		{"too long", "pmp1", []ShiftInput{{Crew: []string{"a"}, From: utc(11, 0, 0), To: utc(11, 0, 0).Add(49 * time.Hour)}}, cc112.EInvalid},
		{"over", "pmp1", []ShiftInput{{Crew: []string{"a"}, From: utc(8, 0, 0), To: utc(9, 0, 0)}}, cc112.EInvalid},
		{"overlap", "pmp1", []ShiftInput{{Crew: []string{"a"}, From: utc(11, 0, 0), To: utc(13, 0, 0)},
			{Crew: []string{"b"}, From: utc(12, 0, 0), To: utc(14, 0, 0)}}, cc112.EInvalid},
		{"beyond the storable years", "pmp1", []ShiftInput{{Crew: []string{"a"}, From: cc112.LatestInstant.Add(-4 * time.Hour),
			To: cc112.LatestInstant.Add(4 * time.Hour)}}, cc112.EInvalid},
	}
	for _, c := range bad {
		_, err := f.eng.SetRoster(bg, c.unit, c.shifts, sup, "", "")
		if cc112.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	got := must[[]cc112.Shift](t)(f.eng.SetRoster(bg, "pmp1", day, sup, "", ""))
	if len(got) != 2 || got[1].Crew[0] != "andi" || !got[0].From.Equal(utc(10, 0, 0)) {
		t.Fatalf("roster %+v", got)
	}
	must[[]cc112.Shift](t)(f.eng.SetRoster(bg, "pmp2", []ShiftInput{{Crew: []string{"rudi"}, From: utc(9, 0, 0), To: utc(17, 0, 0)}}, sup, "", ""))
	// budi cannot be on two units at once.
	_, err := f.eng.SetRoster(bg, "pmp3", []ShiftInput{{Crew: []string{"budi"}, From: utc(16, 0, 0), To: utc(18, 0, 0)}}, sup, "", "")
	wantCode(t, err, cc112.EConflict)

	// A change at 12:00 keeps the morning as it was.
	setClock(f, utc(12, 0, 0))
	must[[]cc112.Shift](t)(f.eng.SetRoster(bg, "pmp1", []ShiftInput{{Crew: []string{"joko"}, From: utc(11, 0, 0), To: utc(17, 0, 0)},
		day[1]}, sup, "", ""))

	inc := f.incident(t, cc112.CatOther, center)
	setClock(f, utc(16, 59, 59))
	must[any](t)(nil, f.eng.ApplySchedule(bg))
	if !recommended(t, f.eng, inc.ID, "pmp2") {
		t.Error("16:59:59: pmp2 on shift but not recommended")
	}
	// 17:00:00 UTC (midnight WIB): pmp2's shift is over. It is never
	// recommended from that instant, before the schedule runs, and the
	// schedule takes it out of service; pmp1 carries on with its night crew.
	setClock(f, utc(17, 0, 0))
	if recommended(t, f.eng, inc.ID, "pmp2") {
		t.Error("17:00:00: off-shift pmp2 recommended")
	}
	_, err = f.eng.Assign(bg, inc.ID, "pmp2", "", "")
	wantCode(t, err, cc112.EConflict)
	must[any](t)(nil, f.eng.ApplySchedule(bg))
	u := must[cc112.Unit](t)(f.eng.Unit("pmp2"))
	if u.Status != cc112.UnitOffduty || !u.OffShift || u.OutOfService != OffShiftReason {
		t.Errorf("pmp2 after its shift: %s off_shift=%v %q", u.Status, u.OffShift, u.OutOfService)
	}
	if u := must[cc112.Unit](t)(f.eng.Unit("pmp1")); u.Status != cc112.UnitAvailable || !recommended(t, f.eng, inc.ID, "pmp1") {
		t.Errorf("pmp1 on its night shift: %s", u.Status)
	}
	if n := f.count(t, cc112.EvUnitService); n != 1 {
		t.Errorf("%d unit.service events, want 1", n)
	}
	must[any](t)(nil, f.eng.ApplySchedule(bg)) // nothing more due
	if n := f.count(t, cc112.EvUnitService); n != 1 {
		t.Errorf("%d unit.service events after a second run, want 1", n)
	}

	check := func(when string) {
		t.Helper()
		for _, c := range []struct {
			at   time.Time
			want []string
		}{
			{utc(10, 30, 0), []string{"PMP1:budi,siti", "PMP2:rudi"}},
			{utc(13, 0, 0), []string{"PMP1:joko", "PMP2:rudi"}},
			{utc(16, 59, 59), []string{"PMP1:joko", "PMP2:rudi"}},
			{utc(17, 0, 0), []string{"PMP1:andi"}},
			{utc(8, 0, 0), nil},
		} {
			if got := onDuty(f.eng, c.at); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: roster at %s = %v, want %v", when, c.at.Format(time.TimeOnly), got, c.want)
			}
		}
	}
	check("before restart")
	f.eng = f.reopen(t)
	check("after restart")
	if u := must[cc112.Unit](t)(f.eng.Unit("pmp2")); !u.OffShift {
		t.Error("after restart: pmp2 no longer off shift")
	}

	// A new shift puts pmp2 back when it begins; an emptied roster takes
	// pmp1 off the schedule (in service without one), keeping its history.
	must[[]cc112.Shift](t)(f.eng.SetRoster(bg, "pmp2", []ShiftInput{{Crew: []string{"rudi"}, From: utc(18, 0, 0), To: utc(20, 0, 0)}}, sup, "", ""))
	setClock(f, utc(18, 0, 0))
	must[any](t)(nil, f.eng.ApplySchedule(bg))
	if u := must[cc112.Unit](t)(f.eng.Unit("pmp2")); u.Status != cc112.UnitAvailable || u.OffShift {
		t.Errorf("pmp2 at its new shift: %s off_shift=%v", u.Status, u.OffShift)
	}
	must[[]cc112.Shift](t)(f.eng.SetRoster(bg, "pmp1", nil, sup, "", ""))
	setClock(f, utc(23, 0, 0).Add(24*time.Hour))
	must[any](t)(nil, f.eng.ApplySchedule(bg))
	if u := must[cc112.Unit](t)(f.eng.Unit("pmp1")); u.Status != cc112.UnitAvailable {
		t.Errorf("unscheduled pmp1: %s", u.Status)
	}
	if got := onDuty(f.eng, utc(17, 30, 0)); !reflect.DeepEqual(got, []string{"PMP1:andi"}) {
		t.Errorf("history after clearing: %v", got)
	}

	// A unit retired keeps its roster as history (named by its id); the
	// schedule passes it by.
	if _, err := f.eng.ChangeCity(bg, "admin", CityEdit{RetireUnits: []string{"pmp2"}}, false, "", ""); err != nil {
		t.Fatal(err)
	}
	must[any](t)(nil, f.eng.ApplySchedule(bg))
	if got := onDuty(f.eng, utc(10, 30, 0)); !reflect.DeepEqual(got, []string{"PMP1:budi,siti", "pmp2:rudi"}) {
		t.Errorf("history of a retired unit: %v", got)
	}
}

// setClock moves the fixture's clock to t (forward only).
func setClock(f *fixture, t time.Time) { f.clock.Advance(t.Sub(f.clock.Now())) }

// Instants no journal can key (bbolt's archives key by UnixNano) are
// refused as invalid by the reads that take one from outside, as by
// SetRoster (TestRoster).
func TestReadsRefuseInstantsOutsideTheStorableYears(t *testing.T) {
	f := newFixture(t)
	early, late := cc112.EarliestInstant.Add(-time.Hour), cc112.LatestInstant
	for name, read := range map[string]func() error{
		"roster at, early":   func() error { _, err := f.eng.RosterAt(bg, early); return err },
		"roster at, late":    func() error { _, err := f.eng.RosterAt(bg, late); return err },
		"roster page, early": func() error { _, err := f.eng.RosterPage(bg, "p1", early, cc112.PageRequest{Limit: 5}); return err },
		"search from, early": func() error {
			_, err := f.eng.SearchIncidents(bg, IncidentQuery{Status: "all", From: early}, cc112.Everyone)
			return err
		},
		"search to, late": func() error {
			_, err := f.eng.SearchIncidents(bg, IncidentQuery{Status: "closed", To: late}, cc112.Everyone)
			return err
		},
	} {
		if err := read(); cc112.ErrorCode(err) != cc112.EInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := f.eng.RosterAt(bg, cc112.EarliestInstant); err != nil {
		t.Errorf("roster at the earliest instant: %v", err)
	}
}
