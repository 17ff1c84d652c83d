package cc112

import (
	"testing"
	"time"
)

// TestIncidentViews: who gets which part of an incident's caller, and the
// incident itself (shared, not copied) when nothing is hidden.
func TestIncidentViews(t *testing.T) {
	cleared := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	inc := &Incident{ID: "I1", Caller: &Caller{Name: "Siti", Phone: "+6281234567890", NIK: "3578014409870001"},
		Assignments: []*Assignment{{UnitID: "U1"}, {UnitID: "U2", ClearedAt: &cleared}}}
	for _, tc := range []struct {
		v    Viewer
		want Caller // the zero Caller: none
		name string
	}{
		{Viewer{Sight: SeeAll}, *inc.Caller, ViewAll},
		{Viewer{Sight: SeeCallers}, *inc.Caller, ViewAll},
		{Viewer{Sight: SeeUnit, UnitID: "U1"}, Caller{Phone: inc.Caller.Phone}, "callback"},
		{Viewer{Sight: SeeUnit, UnitID: "U2"}, Caller{}, ""}, // cleared: no longer its incident
		{Viewer{Sight: SeeUnit, UnitID: "U3"}, Caller{}, ""},
		{Viewer{Sight: SeeAgency, Agency: "dkp"}, Caller{}, ""},
		{Viewer{Sight: SeeNone}, Caller{}, "no-caller"},
		{Viewer{}, Caller{}, "no-caller"},
	} {
		got := inc.For(tc.v)
		if (got == nil) != (tc.name == "") {
			t.Errorf("%s: incident %v, want hidden = %v", tc.v.Key(), got, tc.name == "")
			continue
		}
		var c Caller
		if got != nil && got.Caller != nil {
			c = *got.Caller
		}
		if c != tc.want || inc.ViewName(tc.v) != tc.name {
			t.Errorf("%s: caller %+v view %q, want %+v %q", tc.v.Key(), c, inc.ViewName(tc.v), tc.want, tc.name)
		}
		if (got == inc) != (tc.name == ViewAll) {
			t.Errorf("%s: shared = %v", tc.v.Key(), got == inc)
		}
	}
	if inc.Caller.Name != "Siti" {
		t.Fatal("a view changed the incident")
	}
	plain := &Incident{ID: "I2", Assignments: []*Assignment{{UnitID: "U1"}}}
	if plain.For(Viewer{}) != plain || plain.For(Viewer{Sight: SeeUnit, UnitID: "U1"}) != plain {
		t.Error("an incident without a caller is copied for a viewer who sees no caller")
	}
	if got := IncidentsFor([]*Incident{inc, plain}, Viewer{Sight: SeeUnit, UnitID: "U3"}); len(got) != 0 {
		t.Errorf("a unit sees %d incidents it does not work", len(got))
	}
}

// TestOutOfAreaReasonView: the reason given for a location outside the
// service area is the center's own words: units, police and admins see that
// it was confirmed and how far out, never the reason or who gave it.
func TestOutOfAreaReasonView(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	inc := &Incident{ID: "I1", ReceivedAt: at, Assignments: []*Assignment{{UnitID: "U1"}},
		OutOfArea: &OutOfArea{At: at.Add(time.Minute), Reason: "ALASAN", By: "budi", Role: "dispatcher", DistanceM: 4000},
		Changes:   []Change{{At: at.Add(time.Minute), Event: "edited", Reason: OutOfAreaPrefix + "ALASAN"}, {At: at, Event: "reopened", Reason: "salah tutup"}}}
	for _, v := range []Viewer{{Sight: SeeAll}, {Sight: SeeCallers}} {
		if got := inc.For(v); got.OutOfArea.Reason != "ALASAN" || got.Changes[0].Reason == "" {
			t.Errorf("%s: %+v, want the reason", v.Key(), got.OutOfArea)
		}
	}
	for _, v := range []Viewer{{Sight: SeeUnit, UnitID: "U1"}, {Sight: SeeNone}} {
		got := inc.For(v)
		if got.OutOfArea == nil || got.OutOfArea.DistanceM != 4000 || got.OutOfArea.Reason != "" || got.OutOfArea.By != "" {
			t.Errorf("%s: out_of_area %+v, want the distance without reason or author", v.Key(), got.OutOfArea)
		}
		if got.Changes[0].Reason != "" || got.Changes[1].Reason != "salah tutup" {
			t.Errorf("%s: changes %+v, want only the out-of-area reason left out", v.Key(), got.Changes)
		}
		for _, e := range got.Log() {
			if e.Text == "ALASAN" || e.Text == OutOfAreaPrefix+"ALASAN" {
				t.Errorf("%s: log %+v holds the reason", v.Key(), e)
			}
		}
	}
	if inc.OutOfArea.Reason != "ALASAN" || inc.Changes[0].Reason == "" {
		t.Fatal("a view changed the incident")
	}
}

// TestAlertViews: alerts go whole to the command center's staff and to
// nobody else (docs/security.md).
func TestAlertViews(t *testing.T) {
	a := &Alert{ID: "al-000001", Kind: AlertUnassigned, IncidentID: "inc_1"}
	for _, tt := range []struct {
		v    Viewer
		sees bool
	}{
		{Viewer{Sight: SeeAll}, true}, {Viewer{Sight: SeeCallers}, true}, {Viewer{Sight: SeeNone}, false},
		{Viewer{Sight: SeeUnit, UnitID: "u1"}, false}, {Viewer{Sight: SeeAgency, Agency: "dkp"}, false},
	} {
		if got := a.For(tt.v) != nil; got != tt.sees {
			t.Errorf("%s sees the alert: %v, want %v", tt.v.Key(), got, tt.sees)
		}
	}
}
