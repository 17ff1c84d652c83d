package postgres

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/citytest"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
)

// TestProjectAlerts runs alerts through a real engine on the PostgreSQL
// journal (raised, acknowledged, cleared; a crew's acknowledgement), checks
// the rows against the service's alerts, then rebuilds them from the
// journal (migration 012 down and up) and expects the same rows.
func TestProjectAlerts(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	clock := clocktest.New(time.Date(2026, 11, 22, 16, 59, 0, 0, time.UTC))
	city := city.Demo()
	svc := alerts.New(alerts.Config{})
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Clock: clock, Districts: city.Districts}, svc)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(ctx, citytest.Units()); err != nil {
		t.Fatal(err)
	}
	tugu := geo.Point{Lat: -7.2458, Lon: 112.7378}
	inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, Priority: 1, Location: &tugu}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	check := func(d time.Duration) {
		t.Helper()
		clock.Advance(d)
		if _, _, err := svc.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	check(time.Minute) // unassigned P1
	page, err := svc.List("open", cc112.PageRequest{Cursor: "", Limit: 10})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("open alerts %+v %v", page, err)
	}
	if _, err := svc.Acknowledge(ctx, page.Items[0].ID, "dispatcher", "dispatcher", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Assign(ctx, inc.ID, "f1", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Assign(ctx, inc.ID, "f2", "", ""); err != nil {
		t.Fatal(err)
	}
	check(61 * time.Second) // cleared; f1 and f2 not acknowledged
	if _, err := dispatch.Run(ctx, eng, "", "", func(tx *dispatch.Tx) (any, error) {
		tx.Emit(cc112.EvAssignmentAcknowledged, cc112.AssignmentAcknowledgedPayload{IncidentID: inc.ID, UnitID: "f1"})
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	check(time.Second) // f1's cleared

	all, err := svc.List("all", cc112.PageRequest{Cursor: "", Limit: 100})
	if err != nil || len(all.Items) != 3 {
		t.Fatalf("alerts %+v %v", all, err)
	}
	for _, a := range all.Items {
		var kind, by, incident string
		var raised, due time.Time
		var acked, cleared *time.Time
		if err := db.Pool.QueryRow(ctx, `select kind, acknowledged_by, coalesce(incident_id, ''), raised_at, due_at, acknowledged_at, cleared_at
			from alerts where id = $1`, a.ID).Scan(&kind, &by, &incident, &raised, &due, &acked, &cleared); err != nil {
			t.Fatalf("alert %s: %v", a.ID, err)
		}
		if kind != string(a.Kind) || by != a.AcknowledgedBy || incident != a.IncidentID || !raised.Equal(a.RaisedAt) ||
			!due.Equal(a.DueAt) || !sameTime(acked, a.AcknowledgedAt) || !sameTime(cleared, a.ClearedAt) {
			t.Errorf("alert %s: row %s %q %s %v %v %v %v; engine %+v", a.ID, kind, by, incident, raised, due, acked, cleared, a)
		}
	}
	var ackAt *time.Time
	if err := db.Pool.QueryRow(ctx, `select acknowledged_at from assignments where incident_id = $1 and unit_id = 'f1'`, inc.ID).Scan(&ackAt); err != nil || ackAt == nil {
		t.Fatalf("f1's acknowledgement: %v %v", ackAt, err)
	}

	dump := func() string {
		t.Helper()
		var out []byte
		if err := db.Pool.QueryRow(ctx, `select jsonb_build_object(
			'alerts', (select jsonb_agg(to_jsonb(a) order by id) from alerts a),
			'acks', (select jsonb_agg(jsonb_build_array(incident_id, unit_id, acknowledged_at) order by seq, ord) from assignments))::text`).Scan(&out); err != nil {
			t.Fatal(err)
		}
		var v map[string]json.RawMessage
		if err := json.Unmarshal(out, &v); err != nil || len(v["alerts"]) < 10 {
			t.Fatalf("dump %s: %v", out, err)
		}
		return string(out)
	}
	before := dump()
	migrateTo(t, db, 11) // 012 (alerts) down; 011 (acknowledged_at) has no back-fill to test
	migrateTo(t, db, latestVersion(t))
	if after := dump(); after != before {
		t.Errorf("alerts rebuilt from the journal differ:\nlive:    %s\nrebuilt: %s", before, after)
	}
}
