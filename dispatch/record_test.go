package dispatch

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cc112"
)

// TestNotes: a note keeps its author, role, time and flag; bad text and a
// closed or unknown incident are refused and journal nothing; replay
// rebuilds the narrative.
func TestNotes(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	by := Author{Username: "dina", Role: "dispatcher"}
	for _, text := range []string{"", "   \n\t", strings.Repeat("a", cc112.MaxNote+1), "bel\x07"} {
		_, err := f.eng.AddNote(bg, inc.ID, text, false, by, "", "")
		wantCode(t, err, cc112.EInvalid)
	}
	_, err := f.eng.AddNote(bg, "inc_nope", "x", false, by, "", "")
	wantCode(t, err, cc112.ENotFound)
	if n := f.count(t, cc112.EvIncidentNoted); n != 0 {
		t.Fatalf("refused notes journaled: %d", n)
	}

	f.clock.Advance(time.Minute)
	must[*cc112.Incident](t)(f.eng.AddNote(bg, inc.ID, "  Api di lantai 2\nakses lewat gang  ", false, by, "", ""))
	f.clock.Advance(time.Minute)
	got := must[*cc112.Incident](t)(f.eng.AddNote(bg, inc.ID, strings.Repeat("b", cc112.MaxNote), true, Author{Username: "rina", Role: "call_taker"}, "", ""))
	if len(got.Notes) != 2 {
		t.Fatalf("notes: %+v", got.Notes)
	}
	n0, n1 := got.Notes[0], got.Notes[1]
	if n0.Text != "Api di lantai 2\nakses lewat gang" || n0.Author != "dina" || n0.Role != "dispatcher" || n0.Internal ||
		!n0.At.Equal(t0.Add(time.Minute)) || !strings.HasPrefix(n0.ID, "note_") {
		t.Fatalf("first note: %+v", n0)
	}
	if !n1.Internal || n1.Author != "rina" || !n1.At.Equal(t0.Add(2*time.Minute)) || n1.ID == n0.ID {
		t.Fatalf("second note: %+v", n1)
	}

	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, inc.ID, "padam", "", ""))
	_, err = f.eng.AddNote(bg, inc.ID, "late", false, by, "", "")
	wantCode(t, err, cc112.EConflict)
	if n := f.count(t, cc112.EvIncidentNoted); n != 2 {
		t.Fatalf("journaled notes: %d, want 2", n)
	}

	before := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
	after := must[*cc112.Incident](t)(f.reopen(t).Incident(inc.ID))
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if string(b1) != string(b2) {
		t.Fatalf("replay differs:\nbefore %s\nafter  %s", b1, b2)
	}
}

// TestCancelAndReopen: a cancel needs a reason, releases the units and
// marks the incident cancelled; a reopening needs a reason, makes it active
// again with its first clocks, and both stay in its record through replay.
func TestCancelAndReopen(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatTrafficAccident, center)
	by := Author{Username: "dina", Role: "dispatcher"}
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "p1", "", ""))
	f.clock.Advance(time.Minute)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "p1", cc112.UnitOnscene, "", ""))
	first := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))

	for _, reason := range []string{"", "  \n", strings.Repeat("r", 1001)} {
		_, err := f.eng.CancelIncident(bg, inc.ID, reason, by, "", "")
		wantCode(t, err, cc112.EInvalid)
	}
	_, err := f.eng.ReopenIncident(bg, inc.ID, "why", by, "", "")
	wantCode(t, err, cc112.EConflict) // not closed
	_, err = f.eng.CancelIncident(bg, "inc_nope", "x", by, "", "")
	wantCode(t, err, cc112.ENotFound)
	if n := f.count(t, cc112.EvIncidentCancelled) + f.count(t, cc112.EvIncidentReopened); n != 0 {
		t.Fatalf("refused commands journaled %d events", n)
	}

	f.clock.Advance(time.Minute)
	got := must[*cc112.Incident](t)(f.eng.CancelIncident(bg, inc.ID, " laporan palsu ", by, "", ""))
	if got.Status != cc112.IncidentClosed || !got.Cancelled || got.Disposition != "cancelled: laporan palsu" ||
		got.ClosedAt == nil || !got.ClosedAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("cancelled: %+v", got)
	}
	if u := must[cc112.Unit](t)(f.eng.Unit("p1")); u.Status != cc112.UnitAvailable || u.IncidentID != "" {
		t.Fatalf("unit after cancel: %s on %q", u.Status, u.IncidentID)
	}
	_, err = f.eng.CancelIncident(bg, inc.ID, "again", by, "", "")
	wantCode(t, err, cc112.EConflict)
	_, err = f.eng.ReopenIncident(bg, inc.ID, " ", by, "", "")
	wantCode(t, err, cc112.EInvalid)

	f.clock.Advance(time.Minute)
	got = must[*cc112.Incident](t)(f.eng.ReopenIncident(bg, inc.ID, "korban masih di lokasi", by, "", ""))
	if got.Status != cc112.IncidentNew || got.Cancelled || got.ClosedAt != nil || got.Disposition != "" ||
		!got.DispatchedAt.Equal(*first.DispatchedAt) || !got.OnsceneAt.Equal(*first.OnsceneAt) || !got.ReceivedAt.Equal(first.ReceivedAt) {
		t.Fatalf("reopened: %+v", got)
	}
	// Units go again; the first clocks stay the first.
	f.clock.Advance(time.Minute)
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "a1", "", ""))
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "a1", cc112.UnitOnscene, "", ""))
	f.clock.Advance(time.Minute)
	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, inc.ID, "ditangani", "", ""))
	f.clock.Advance(time.Minute)
	got = must[*cc112.Incident](t)(f.eng.ReopenIncident(bg, inc.ID, "salah tutup", Author{Username: "budi", Role: "dispatcher"}, "", ""))
	if !got.DispatchedAt.Equal(*first.DispatchedAt) || !got.OnsceneAt.Equal(*first.OnsceneAt) || got.Status != cc112.IncidentNew {
		t.Fatalf("clocks after a second round: %+v", got)
	}
	var steps []string
	for _, c := range got.Changes {
		steps = append(steps, c.Event+"@"+c.At.Sub(t0).String()+"/"+c.By+"/"+c.Reason)
	}
	want := "cancelled@2m0s/dina/laporan palsu reopened@3m0s/dina/korban masih di lokasi closed@5m0s//ditangani reopened@6m0s/budi/salah tutup"
	if strings.Join(steps, " ") != want {
		t.Fatalf("changes:\n%s\nwant\n%s", strings.Join(steps, " "), want)
	}
	var log []string
	for _, e := range got.Log() {
		log = append(log, e.Event)
	}
	// One log: the timeline's steps, then the changes of the same instant.
	wantLog := "received dispatched dispatched onscene onscene cleared cancelled reopened dispatched onscene cleared closed reopened"
	if l := strings.Join(log, " "); l != wantLog {
		t.Fatalf("log:\n%s\nwant\n%s", l, wantLog)
	}

	f.sameAfterReplay(t)
}

// TestEditIncident: an edit changes only what differs, records each change
// with who and when (a caller by name only), refuses bad values and closed
// incidents without journaling, and replays to the same state.
func TestEditIncident(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	by := Author{Username: "dina", Role: "dispatcher"}
	bad, prio0, prio6, far := cc112.Category("volcano"), 0, 6, near(0, 0)
	far.Lat = 91
	ctrl, long := "a\x00b", strings.Repeat("x", 301)
	for _, ed := range []IncidentEdit{
		{}, {Category: &bad}, {Priority: &prio0}, {Priority: &prio6}, {Location: &far}, {Address: &ctrl},
		{Address: &long}, {Caller: &cc112.Caller{Name: "\u202e"}},
	} {
		_, err := f.eng.EditIncident(bg, inc.ID, ed, by, "", "")
		wantCode(t, err, cc112.EInvalid)
	}
	same := cc112.CatFire
	if res := must[*EditResult](t)(f.eng.EditIncident(bg, inc.ID, IncidentEdit{Category: &same}, by, "", "")); res.PlanMissing != nil {
		t.Fatalf("an unchanged category offers units: %+v", res.PlanMissing)
	}
	if n := f.count(t, cc112.EvIncidentEdited); n != 0 {
		t.Fatalf("refused or empty edits journaled %d events", n)
	}

	f.clock.Advance(time.Minute)
	cat, prio, loc, addr := cc112.CatGasLeak, 1, near(500, 0), "Jl. Tunjungan 5"
	must[*AssignResult](t)(f.eng.Assign(bg, inc.ID, "f1", "", ""))
	res := must[*EditResult](t)(f.eng.EditIncident(bg, inc.ID, IncidentEdit{Category: &cat, Priority: &prio, Location: &loc,
		Address: &addr, Caller: &cc112.Caller{Name: "Budi", Phone: "0812"}}, by, "", ""))
	got := res.Incident
	// gas_leak needs a fire unit (on it already) and a police unit: offered.
	if len(res.PlanMissing) != 1 || res.PlanMissing[0] != (cc112.Need{Type: cc112.UnitPolice, Count: 1}) {
		t.Fatalf("plan missing: %+v", res.PlanMissing)
	}
	if got.Category != cat || got.Priority != 1 || got.Location != loc || got.Address != addr || got.Caller == nil || got.Caller.Name != "Budi" {
		t.Fatalf("edited: %+v", got)
	}
	if len(got.Changes) != 1 {
		t.Fatalf("changes: %+v", got.Changes)
	}
	c := got.Changes[0]
	var fields []string
	for _, fc := range c.Fields {
		fields = append(fields, fc.Field+":"+fc.From+">"+fc.To)
	}
	want := "category:fire>gas_leak priority:2>1 location:" + pointText(center) + ">" + pointText(loc) + " address:>Jl. Tunjungan 5 caller:>"
	if c.Event != "edited" || c.By != "dina" || c.Role != "dispatcher" || !c.At.Equal(t0.Add(time.Minute)) || strings.Join(fields, " ") != want {
		t.Fatalf("change %+v\nfields %s\nwant   %s", c, strings.Join(fields, " "), want)
	}
	// An empty caller removes it.
	must[*EditResult](t)(f.eng.EditIncident(bg, inc.ID, IncidentEdit{Caller: &cc112.Caller{}}, by, "", ""))
	if got := must[*cc112.Incident](t)(f.eng.Incident(inc.ID)); got.Caller != nil {
		t.Fatalf("caller not removed: %+v", got.Caller)
	}

	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, inc.ID, "padam", "", ""))
	_, err := f.eng.EditIncident(bg, inc.ID, IncidentEdit{Priority: &prio6}, by, "", "")
	wantCode(t, err, cc112.EInvalid) // the value is checked first
	p3 := 3
	_, err = f.eng.EditIncident(bg, inc.ID, IncidentEdit{Priority: &p3}, by, "", "")
	wantCode(t, err, cc112.EConflict)
	if n := f.count(t, cc112.EvIncidentEdited); n != 2 {
		t.Fatalf("journaled edits: %d, want 2", n)
	}

	before := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
	after := must[*cc112.Incident](t)(f.reopen(t).Incident(inc.ID))
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if string(b1) != string(b2) {
		t.Fatalf("replay differs:\nbefore %s\nafter  %s", b1, b2)
	}
}

// TestRecordChangesReachTheSearch: an edit, a cancel and a reopening are
// what the incident search finds, in the queue or out of it.
func TestRecordChangesReachTheSearch(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	by := Author{Username: "dina", Role: "dispatcher"}
	find := func(status, text string) int {
		t.Helper()
		page := must[*IncidentPage](t)(f.eng.SearchIncidents(context.Background(), IncidentQuery{Status: status, Text: text}, cc112.Everyone))
		return len(page.Items)
	}
	addr, cat := "Jl. Kembang Jepun 12", cc112.CatGasLeak
	must[*EditResult](t)(f.eng.EditIncident(bg, inc.ID, IncidentEdit{Address: &addr, Category: &cat}, by, "", ""))
	if find("active", "kembang jepun") != 1 {
		t.Fatal("the edited address is not found")
	}
	page := must[*IncidentPage](t)(f.eng.SearchIncidents(context.Background(), IncidentQuery{Category: cc112.CatFire}, cc112.Everyone))
	if len(page.Items) != 0 {
		t.Fatal("found under its old category")
	}
	must[*cc112.Incident](t)(f.eng.CancelIncident(bg, inc.ID, "palsu", by, "", ""))
	if find("active", "") != 0 || find("closed", "kembang") != 1 {
		t.Fatal("a cancelled incident stays in the queue")
	}
	must[*cc112.Incident](t)(f.eng.ReopenIncident(bg, inc.ID, "nyata", by, "", ""))
	if find("active", "kembang") != 1 || find("closed", "") != 0 {
		t.Fatal("a reopened incident is not back in the queue")
	}
}

// TestMergeIncident: a duplicate's callers, notes and working units move to
// the incident it duplicates, which keeps its earliest clocks; the duplicate
// closes as cancelled pointing to it; bad merges journal nothing.
func TestMergeIncident(t *testing.T) {
	f := newFixture(t)
	by := Author{Username: "dina", Role: "dispatcher"}
	target := f.incident(t, cc112.CatFire, center)
	f.clock.Advance(time.Minute)
	dup := f.incident(t, cc112.CatFire, near(50, 0))
	must[*cc112.Incident](t)(f.eng.AddNote(bg, dup.ID, "asap terlihat dari jalan", false, by, "", ""))
	must[*AssignResult](t)(f.eng.Assign(bg, dup.ID, "f1", "", ""))
	f.clock.Advance(time.Minute)
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitOnscene, "", ""))
	closed := f.incident(t, cc112.CatMedical, near(900, 0))
	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, closed.ID, "selesai", "", ""))

	for _, c := range []struct {
		from, into, code string
	}{
		{dup.ID, "", cc112.EInvalid}, {dup.ID, dup.ID, cc112.EInvalid}, {dup.ID, "inc_none", cc112.EInvalid},
		{dup.ID, closed.ID, cc112.EConflict}, {closed.ID, target.ID, cc112.EConflict}, {"inc_none", target.ID, cc112.ENotFound},
	} {
		_, err := f.eng.MergeIncident(bg, c.from, c.into, by, "", "")
		wantCode(t, err, c.code)
	}
	if n := f.count(t, cc112.EvIncidentMerged); n != 0 {
		t.Fatalf("refused merges journaled %d", n)
	}

	f.clock.Advance(time.Minute)
	got := must[*cc112.Incident](t)(f.eng.MergeIncident(bg, dup.ID, target.ID, by, "", ""))
	if got.Status != cc112.IncidentOnscene || len(got.Assignments) != 1 || got.Assignments[0].UnitID != "f1" ||
		!got.DispatchedAt.Equal(t0.Add(time.Minute)) || !got.OnsceneAt.Equal(t0.Add(2*time.Minute)) ||
		len(got.Notes) != 1 || got.Notes[0].Text != "asap terlihat dari jalan" {
		t.Fatalf("target after merge: %+v", got)
	}
	if u := must[cc112.Unit](t)(f.eng.Unit("f1")); u.IncidentID != target.ID || u.Status != cc112.UnitOnscene {
		t.Fatalf("unit after merge: %s on %q", u.Status, u.IncidentID)
	}
	d := must[*cc112.Incident](t)(f.eng.Incident(dup.ID))
	if d.Status != cc112.IncidentClosed || !d.Cancelled || d.MergedInto != target.ID || d.Disposition != "merged into "+target.Number || len(d.Assignments) != 0 {
		t.Fatalf("duplicate after merge: %+v", d)
	}
	// The unit's later steps land on the target.
	must[*cc112.Unit](t)(f.eng.SetUnitStatus(bg, "f1", cc112.UnitAvailable, "", ""))
	if got := must[*cc112.Incident](t)(f.eng.Incident(target.ID)); got.Assignments[0].ClearedAt == nil {
		t.Fatal("the moved assignment was not cleared on the target")
	}

	f.sameAfterReplay(t)
}

// sameAfterReplay restarts the engine on the journal and compares every
// incident and unit with the running engine's.
func (f *fixture) sameAfterReplay(t *testing.T) {
	t.Helper()
	before := must[[]*cc112.Incident](t)(f.eng.IncidentsInMemory("all"))
	again := f.reopen(t)
	after := must[[]*cc112.Incident](t)(again.IncidentsInMemory("all"))
	b1, _ := json.Marshal([]any{before, f.eng.Units()})
	b2, _ := json.Marshal([]any{after, again.Units()})
	if string(b1) != string(b2) {
		t.Fatalf("replay differs:\nbefore %s\nafter  %s", b1, b2)
	}
}
