package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"cc112"
	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/citytest"
	"cc112/internal/pgtest"
)

// TestProjectionsMatchEngine drives the engine on the PostgreSQL journal and
// checks the reporting tables against the engine's own state.
func TestProjectionsMatchEngine(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	city := city.Demo()
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Districts: city.Districts, Area: city.Districts, AreaMargin: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(ctx, citytest.Units()); err != nil {
		t.Fatal(err)
	}
	create := func(cat cc112.Category) string {
		p := citytest.Near(100, 100)
		inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cat, Location: &p,
			Caller: &cc112.Caller{Name: "Siti", Phone: "0812"}}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return inc.ID
	}
	fire, medical, crime := create(cc112.CatFire), create(cc112.CatMedical), create(cc112.CatCrime)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(eng.AutoAssign(ctx, fire, "", ""))
	must(eng.SetUnitStatus(ctx, "f1", cc112.UnitEnroute, "", ""))
	must(eng.SetUnitStatus(ctx, "f1", cc112.UnitOnscene, "", ""))
	must(eng.SetUnitStatus(ctx, "f2", cc112.UnitOnscene, "", ""))
	must(eng.Assign(ctx, medical, "a1", "", ""))
	must(eng.SetUnitStatus(ctx, "a1", cc112.UnitAvailable, "", ""))
	must(eng.CloseIncident(ctx, fire, "padam", "", ""))
	must(eng.SetUnitStatus(ctx, "p2", cc112.UnitOffduty, "", ""))
	// Issue 14: edits, a reopening and a cancel reach the reporting rows.
	by := dispatch.Author{Username: "dina", Role: "dispatcher"}
	cat, prio, moved := cc112.CatMentalHealth, 1, citytest.Near(-900, 400)
	must(eng.EditIncident(ctx, medical, dispatch.IncidentEdit{Category: &cat, Priority: &prio, Location: &moved,
		Caller: &cc112.Caller{Name: "Siti", Phone: "0813"}}, by, "", ""))
	must(eng.ReopenIncident(ctx, fire, "api menyala lagi", by, "", ""))
	must(eng.CancelIncident(ctx, crime, "laporan palsu", by, "", ""))
	// A duplicate with a unit on scene merged into the reopened fire.
	dup := create(cc112.CatFire)
	must(eng.Assign(ctx, dup, "p1", "", ""))
	must(eng.SetUnitStatus(ctx, "p1", cc112.UnitOnscene, "", ""))
	must(eng.MergeIncident(ctx, dup, fire, by, "", ""))
	// Notes (the fire's internal one apart) and a move out of the area.
	must(eng.AddNote(ctx, fire, "Akses lewat GANG sempit", false, by, "", ""))
	must(eng.AddNote(ctx, fire, "Pelapor panik", true, by, "", ""))
	must(eng.AddNote(ctx, medical, "Pasien di lantai 3", false, by, "", ""))
	suramadu := geo.Point{Lat: -7.05, Lon: 113.45}
	must(eng.EditIncident(ctx, medical, dispatch.IncidentEdit{Location: &suramadu, ConfirmOutOfArea: "kapal di selat"}, by, "", ""))
	// Issue 15: unit control. Release one of two, divert the last (the
	// incident waits again), a status on the crew's behalf, out of service.
	theft := create(cc112.CatCrime)
	must(eng.AssignAs(ctx, theft, dispatch.UnitOrder{UnitID: "f3"}, by, "", ""))
	must(eng.AssignAs(ctx, theft, dispatch.UnitOrder{UnitID: "d1"}, by, "", ""))
	must(eng.ReleaseUnit(ctx, theft, "d1", "", by, "", ""))
	must(eng.SetUnitStatusAs(ctx, "f3", cc112.UnitEnroute, &by, "", ""))
	must(eng.AssignAs(ctx, fire, dispatch.UnitOrder{UnitID: "f3", Divert: true, Reason: "api membesar"}, by, "", ""))
	must(eng.SetUnitStatusAs(ctx, "f3", cc112.UnitEnroute, &by, "", ""))
	must(eng.SetUnitStatus(ctx, "p2", cc112.UnitAvailable, "", ""))
	must(eng.SetUnitService(ctx, "p2", false, "ban bocor", by, "", ""))
	must(eng.SetUnitService(ctx, "d1", false, "awak kurang", by, "", ""))
	must(eng.SetUnitService(ctx, "d1", true, "", by, "", ""))
	// Issue 18: an acknowledged dispatch and a transport to a hospital.
	sick := create(cc112.CatMedical)
	must(eng.Assign(ctx, sick, "a1", "", ""))
	must(eng.AcknowledgeAssignment(ctx, "a1", "", ""))
	must(eng.SetUnitStatus(ctx, "a1", cc112.UnitOnscene, "", ""))
	must(eng.SetUnitStatusTo(ctx, "a1", cc112.UnitTransporting, &cc112.Hospital{Name: "RS Darmo", Location: citytest.Near(900, 0)}, "", ""))
	inc, err := eng.Incident(sick)
	if err != nil {
		t.Fatal(err)
	}
	var ackAt *time.Time
	var aStatus string
	if err := db.Pool.QueryRow(ctx, "select acknowledged_at, status from assignments where incident_id = $1 and unit_id = 'a1'", sick).Scan(&ackAt, &aStatus); err != nil {
		t.Fatal(err)
	}
	if a := inc.Assignments[0]; ackAt == nil || !ackAt.Equal(*a.AcknowledgedAt) || aStatus != string(a.Status) {
		t.Errorf("assignment row acknowledged %v status %s; engine %v %s", ackAt, aStatus, a.AcknowledgedAt, a.Status)
	}

	checkIncidentRows(t, db, eng)
	var callerNames []string
	if err := db.Pool.QueryRow(ctx, "select array_agg(distinct caller_name) from incidents").Scan(&callerNames); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(callerNames, []string{"Siti"}) {
		t.Errorf("caller names %q, want only Siti", callerNames)
	}
	_ = crime
	for _, u := range eng.Units() {
		var status, statusBy, outOfService string
		var incidentID *string
		if err := db.Pool.QueryRow(ctx, "select status, incident_id, status_by, out_of_service from units where id = $1", u.ID).
			Scan(&status, &incidentID, &statusBy, &outOfService); err != nil {
			t.Fatal(err)
		}
		got := ""
		if incidentID != nil {
			got = *incidentID
		}
		if status != string(u.Status) || got != u.IncidentID || statusBy != u.StatusBy || outOfService != u.OutOfService {
			t.Errorf("unit %s: row %s/%q/%q/%q, engine %s/%q/%q/%q", u.ID, status, got, statusBy, outOfService,
				u.Status, u.IncidentID, u.StatusBy, u.OutOfService)
		}
	}
	var history int
	if err := db.Pool.QueryRow(ctx, "select count(*) from unit_status_history where unit_id = 'f1'").Scan(&history); err != nil {
		t.Fatal(err)
	}
	// registered, dispatched, enroute, onscene, available (close)
	if history != 5 {
		t.Errorf("f1 has %d status history rows, want 5", history)
	}
	if u, _ := eng.Unit("p2"); u.OutOfService != "ban bocor" {
		t.Errorf("p2 out of service %q", u.OutOfService)
	}
	var onBehalf int
	if err := db.Pool.QueryRow(ctx, "select count(*) from unit_status_history where unit_id = 'f3' and by = 'dina'").Scan(&onBehalf); err != nil {
		t.Fatal(err)
	}
	if onBehalf != 3 { // two en route on the crew's behalf, the release by the divert
		t.Errorf("f3 has %d status rows by dina, want 3", onBehalf)
	}
	// Migration 008 fills its columns for rows written before it from
	// their events: down and up again gives the same incident rows. (Last:
	// later migrations' columns that only new events fill come back empty.)
	dump := func() string {
		var out string
		if err := db.Pool.QueryRow(ctx, "select jsonb_agg(to_jsonb(i) order by id)::text from incidents i").Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := dump()
	migrateTo(t, db, 7)
	migrateTo(t, db, latestVersion(t))
	if after := dump(); after != before {
		t.Errorf("migration 008 rebuilt other rows:\n%s\nwant\n%s", after, before)
	}
}
