package postgres

import (
	"context"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/internal/journaltest"
	"cc112/internal/pgtest"
)

// TestProjectionsMatchEngine drives the engine on the PostgreSQL journal and
// checks the reporting tables against the engine's own state.
func TestProjectionsMatchEngine(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(ctx, journaltest.Units()); err != nil {
		t.Fatal(err)
	}
	create := func(cat cc112.Category) string {
		p := journaltest.Near(100, 100)
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

	list, err := eng.Incidents("all")
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range list {
		var (
			number, status, disposition, caller  string
			dispatched, enroute, onscene, closed *time.Time
			assignments                          int
		)
		err := db.Pool.QueryRow(ctx, `select number, status, disposition, caller_name, dispatched_at, enroute_at, onscene_at, closed_at,
				(select count(*) from assignments a where a.incident_id = i.id)
			from incidents i where id = $1`, inc.ID).
			Scan(&number, &status, &disposition, &caller, &dispatched, &enroute, &onscene, &closed, &assignments)
		if err != nil {
			t.Fatalf("incident %s: %v", inc.ID, err)
		}
		if number != inc.Number || status != string(inc.Status) || disposition != inc.Disposition || caller != "Siti" {
			t.Errorf("%s: row number %q status %q disposition %q caller %q; engine %q %q %q",
				inc.ID, number, status, disposition, caller, inc.Number, inc.Status, inc.Disposition)
		}
		for name, pair := range map[string][2]*time.Time{
			"dispatched_at": {dispatched, inc.DispatchedAt}, "enroute_at": {enroute, inc.EnrouteAt},
			"onscene_at": {onscene, inc.OnsceneAt}, "closed_at": {closed, inc.ClosedAt},
		} {
			if (pair[0] == nil) != (pair[1] == nil) || (pair[0] != nil && !pair[0].Equal(*pair[1])) {
				t.Errorf("%s %s: row %v, engine %v", inc.Number, name, pair[0], pair[1])
			}
		}
		if assignments != len(inc.Assignments) {
			t.Errorf("%s: %d assignment rows, engine has %d", inc.Number, assignments, len(inc.Assignments))
		}
	}
	_ = crime
	for _, u := range eng.Units() {
		var status string
		var incidentID *string
		if err := db.Pool.QueryRow(ctx, "select status, incident_id from units where id = $1", u.ID).Scan(&status, &incidentID); err != nil {
			t.Fatal(err)
		}
		got := ""
		if incidentID != nil {
			got = *incidentID
		}
		if status != string(u.Status) || got != u.IncidentID {
			t.Errorf("unit %s: row %s/%q, engine %s/%q", u.ID, status, got, u.Status, u.IncidentID)
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
}
