package postgres

import (
	"context"
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/tern/v2/migrate"

	"cc112"
	"cc112/callcenter"
	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/citytest"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
	"cc112/migrations"
)

// TestProjectComplaintsCallersImports runs the call center's complaint
// flow, calls linked to an incident and a historical import through a real
// engine on the PostgreSQL journal, checks the rows against the engine's
// state, then rebuilds the tables from the journal (migration 004 down and
// up again) and expects the same rows.
func TestProjectComplaintsCallersImports(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	clock := clocktest.New(time.Date(2026, 11, 22, 16, 30, 0, 0, time.UTC)) // 23:30 WIB: the WIB day turns meanwhile
	city := city.Demo()
	svc := callcenter.New(callcenter.Config{Districts: city.Districts})
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Clock: clock, Districts: city.Districts}, svc)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(ctx, citytest.Units()); err != nil {
		t.Fatal(err)
	}
	tugu := geo.Point{Lat: -7.2458, Lon: 112.7378}

	file := func(cat, text string) string {
		t.Helper()
		c, err := svc.FileComplaint(ctx, callcenter.NewComplaint{Channel: "sms", Name: "Rina", Phone: "081234567890",
			Text: text, Category: cat, Location: &tugu})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute)
		return c.ID
	}
	step := func(_ *cc112.Complaint, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(5 * time.Minute)
	}
	answered, escalated, fresh := file("road", "Jalan berlubang di depan sekolah"), file("drainage", "Saluran tersumbat"), file("waste", "Sampah menumpuk")
	feedbackOnly := file("streetlight", "Lampu jalan mati")
	step(svc.Forward(ctx, answered, []string{"pupr"}, "", ""))
	step(svc.Respond(ctx, answered, "", "Sudah ditambal", "", ""))
	step(svc.Feedback(ctx, answered, "Terima kasih, sudah ditangani", "", ""))
	step(svc.Forward(ctx, escalated, []string{"dkp"}, "", ""))
	step(svc.Feedback(ctx, feedbackOnly, "Diteruskan ke PLN", "", ""))
	// Several agencies, a re-forward with its reason, one answer; and a
	// citizen not satisfied, which reopens the complaint.
	multi := file("water", "Pipa bocor dan jalan amblas")
	step(svc.Forward(ctx, multi, []string{"pupr", "pln"}, "", ""))
	step(svc.Reforward(ctx, multi, "pln", []string{"pdam"}, "Pipa air urusan PDAM", "", ""))
	step(svc.Respond(ctx, multi, "pdam", "Pipa ditambal", "", ""))
	rated, err := svc.FileComplaint(ctx, callcenter.NewComplaint{Text: "Parkir liar", Category: "traffic", Location: &tugu})
	if err != nil {
		t.Fatal(err)
	}
	step(svc.Feedback(ctx, rated.ID, "Sudah ditertibkan", "", ""))
	if _, err := svc.Rate(ctx, rated.Number, rated.Token, cc112.RatingNotSatisfied, "Masih ada"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour) // past the response SLA of the forwarded one
	if n, err := svc.CheckSLAs(ctx); err != nil || n != 4 {
		t.Fatalf("CheckSLAs = %d, %v; want 2 escalations (dkp, pupr) and 2 triage alerts (fresh, reopened)", n, err)
	}
	if _, err := svc.FlushOutbox(ctx); err != nil { // no mayor phone: skipped, not projected
		t.Fatal(err)
	}

	// An incident from a call, and two more calls about it.
	call := func() string {
		t.Helper()
		c, err := svc.StartCall(ctx, callcenter.NewCall{Phone: "081298765432"}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	inc, err := svc.CreateIncident(ctx, dispatch.NewIncident{CallID: call(), Category: cc112.CatFire, Location: &tugu}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.LinkCall(ctx, inc.ID, call(), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eng.Assign(ctx, inc.ID, "f1", "", ""); err != nil {
		t.Fatal(err)
	}

	// A historical incident, its times out of order across units.
	at := func(hhmm string) *time.Time {
		v, err := time.Parse("2006-01-02 15:04", "2025-03-01 "+hhmm)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	results, err := eng.ImportIncidents(ctx, []dispatch.ImportedIncident{{
		ExternalID: "CC112-2025-000123", Category: cc112.CatFire, Location: &tugu, ReceivedAt: at("13:02"), ClosedAt: at("15:40"),
		Units: []dispatch.ImportedUnit{
			{Callsign: "DMK-07", Type: cc112.UnitFire, DispatchedAt: at("13:05"), EnrouteAt: at("13:07"), OnsceneAt: at("13:19"), ClearedAt: at("15:30")},
			{Callsign: "DMK-02", Type: cc112.UnitFire, DispatchedAt: at("13:04"), EnrouteAt: at("13:09")},
		},
	}})
	if err != nil || results[0] != nil {
		t.Fatalf("import: %v %v", err, results)
	}

	for _, id := range []string{answered, escalated, fresh, feedbackOnly, multi, rated.ID} {
		c, err := svc.Complaint(id)
		if err != nil {
			t.Fatal(err)
		}
		checkComplaintRow(t, db, c)
	}
	checkIncidentRows(t, db, eng)
	checkNoReporterColumns(t, db)

	var callers int
	var source string
	if err := db.Pool.QueryRow(ctx, "select callers, source from incidents where id = $1", inc.ID).Scan(&callers, &source); err != nil {
		t.Fatal(err)
	}
	if callers != 3 || source != "phone" {
		t.Errorf("incident from a call: callers %d source %q, want 3 phone", callers, source)
	}
	rows, err := db.Pool.Query(ctx, `select a.callsign, a.unit_type, a.agency, a.status, a.dispatched_at, a.enroute_at, a.onscene_at, a.cleared_at, i.source
		from assignments a join incidents i on i.id = a.incident_id where i.number = 'CC112-2025-000123' order by a.ord`)
	if err != nil {
		t.Fatal(err)
	}
	type assignment struct {
		callsign, typ, agency, status, dispatched, enroute, onscene, cleared, source string
	}
	var got []assignment
	for rows.Next() {
		var a assignment
		var d, e, o, c *time.Time
		if err := rows.Scan(&a.callsign, &a.typ, &a.agency, &a.status, &d, &e, &o, &c, &a.source); err != nil {
			t.Fatal(err)
		}
		a.dispatched, a.enroute, a.onscene, a.cleared = ts(d), ts(e), ts(o), ts(c)
		got = append(got, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []assignment{
		{"DMK-07", "fire", "damkar", "onscene", ts(at("13:05")), ts(at("13:07")), ts(at("13:19")), ts(at("15:30")), "import"},
		{"DMK-02", "fire", "damkar", "enroute", ts(at("13:04")), ts(at("13:09")), "", "", "import"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("imported assignments:\n%+v\nwant\n%+v", got, want)
	}

	// Rebuilt from the journal by the migration (what an existing database
	// gets when it upgrades), the tables hold the same rows.
	before := projectionDump(t, db)
	migrateTo(t, db, 3)
	migrateTo(t, db, latestVersion(t))
	if after := projectionDump(t, db); after != before {
		t.Errorf("projections rebuilt from the journal differ:\nlive:    %s\nrebuilt: %s", before, after)
	}
}

func ts(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func checkComplaintRow(t *testing.T, db *DB, c *cc112.Complaint) {
	t.Helper()
	var (
		number, channel, category, district, agency, status, text string
		received                                                  time.Time
		forwarded, responded, feedback, escalatedAt               *time.Time
	)
	err := db.Pool.QueryRow(context.Background(), `select number, channel, category, district, agency, status, text,
			received_at, forwarded_at, responded_at, feedback_at, escalated_at from complaints where id = $1`, c.ID).
		Scan(&number, &channel, &category, &district, &agency, &status, &text, &received, &forwarded, &responded, &feedback, &escalatedAt)
	if err != nil {
		t.Fatalf("complaint %s: %v", c.Number, err)
	}
	if number != c.Number || channel != c.Channel || category != c.Category || district != c.District || district == "" ||
		agency != c.Agency || status != c.Status || text != c.Text || !received.Equal(c.ReceivedAt) {
		t.Errorf("complaint row %q %q %q %q %q %q %q %v; engine %+v", number, channel, category, district, agency, status, text, received, c)
	}
	var triage, rated *time.Time
	var rating string
	var reopened int
	if err := db.Pool.QueryRow(context.Background(), `select triage_alert_at, rating, rated_at, reopened from complaints where id = $1`, c.ID).
		Scan(&triage, &rating, &rated, &reopened); err != nil {
		t.Fatal(err)
	}
	if rating != c.Rating || reopened != c.Reopened {
		t.Errorf("%s rating %q reopened %d; engine %q %d", c.Number, rating, reopened, c.Rating, c.Reopened)
	}
	rows, err := db.Pool.Query(context.Background(), `select agency, status, forwarded_at, responded_at, escalated_at, reason
		from complaint_forwards where complaint_id = $1 order by ord`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []cc112.Forward
	for rows.Next() {
		var f cc112.Forward
		if err := rows.Scan(&f.Agency, &f.Status, &f.ForwardedAt, &f.RespondedAt, &f.EscalatedAt, &f.Reason); err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	if rows.Err() != nil || len(got) != len(c.Forwards) {
		t.Fatalf("%s forwards %+v (%v); engine %+v", c.Number, got, rows.Err(), c.Forwards)
	}
	for i, f := range c.Forwards {
		g := got[i]
		if g.Agency != f.Agency || g.Status != f.Status || g.Reason != f.Reason || !g.ForwardedAt.Equal(f.ForwardedAt) ||
			!sameTime(g.RespondedAt, f.RespondedAt) || !sameTime(g.EscalatedAt, f.EscalatedAt) {
			t.Errorf("%s forward %d: row %+v, engine %+v", c.Number, i, g, f)
		}
	}
	for name, pair := range map[string][2]*time.Time{
		"triage_alert_at": {triage, c.TriageAlertAt}, "rated_at": {rated, c.RatedAt},
		"forwarded_at": {forwarded, c.ForwardedAt}, "responded_at": {responded, c.RespondedAt},
		"feedback_at": {feedback, c.FeedbackAt}, "escalated_at": {escalatedAt, c.EscalatedAt},
	} {
		if !sameTime(pair[0], pair[1]) {
			t.Errorf("%s %s: row %v, engine %v", c.Number, name, pair[0], pair[1])
		}
	}
}

// checkNoReporterColumns: the complaints table serves policy reports, so
// it must not hold who complained nor the tracking token.
func checkNoReporterColumns(t *testing.T, db *DB) {
	t.Helper()
	var cols []string
	err := db.Pool.QueryRow(context.Background(), `select coalesce(array_agg(column_name::text), '{}') from information_schema.columns
		where table_schema = current_schema() and table_name = 'complaints' and column_name ~ '(name|phone|token)'`).Scan(&cols)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) > 0 {
		t.Errorf("complaints has reporter columns %v", cols)
	}
}

// checkIncidentRows compares the incidents and their assignments with the
// engine's state.
func checkIncidentRows(t *testing.T, db *DB, eng *dispatch.Engine) {
	t.Helper()
	list, err := eng.IncidentsInMemory("all")
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range list {
		var (
			number, status, disposition, source  string
			category, district                   string
			lat, lon                             float64
			callers, assignments, priority       int
			received                             time.Time
			dispatched, enroute, onscene, closed *time.Time
		)
		err := db.Pool.QueryRow(context.Background(), `select number, status, disposition, source, callers, received_at,
				dispatched_at, enroute_at, onscene_at, closed_at, (select count(*) from assignments a where a.incident_id = i.id),
				category, priority, district, lat, lon
			from incidents i where id = $1`, inc.ID).
			Scan(&number, &status, &disposition, &source, &callers, &received, &dispatched, &enroute, &onscene, &closed, &assignments,
				&category, &priority, &district, &lat, &lon)
		if err != nil {
			t.Fatalf("incident %s: %v", inc.ID, err)
		}
		if number != inc.Number || status != string(inc.Status) || disposition != inc.Disposition || source != inc.Source ||
			callers != inc.Callers || !received.Equal(inc.ReceivedAt) {
			t.Errorf("%s: row number %q status %q disposition %q source %q callers %d received %v; engine %q %q %q %q %d %v",
				inc.ID, number, status, disposition, source, callers, received,
				inc.Number, inc.Status, inc.Disposition, inc.Source, inc.Callers, inc.ReceivedAt)
		}
		for name, pair := range map[string][2]*time.Time{
			"dispatched_at": {dispatched, inc.DispatchedAt}, "enroute_at": {enroute, inc.EnrouteAt},
			"onscene_at": {onscene, inc.OnsceneAt}, "closed_at": {closed, inc.ClosedAt},
		} {
			if !sameTime(pair[0], pair[1]) {
				t.Errorf("%s %s: row %v, engine %v", inc.Number, name, pair[0], pair[1])
			}
		}
		if category != string(inc.Category) || priority != inc.Priority || district != inc.District ||
			lat != inc.Location.Lat || lon != inc.Location.Lon {
			t.Errorf("%s: row %s/%d/%q/%v,%v; engine %s/%d/%q/%v", inc.Number, category, priority, district, lat, lon,
				inc.Category, inc.Priority, inc.District, inc.Location)
		}
		if assignments != len(inc.Assignments) {
			t.Errorf("%s: %d assignment rows, engine has %d", inc.Number, assignments, len(inc.Assignments))
		}
		checkSearchColumns(t, db, inc)
	}
}

// checkSearchColumns compares migration 008's columns with the engine's
// incident: the call's answer, the out-of-area confirmation, the notes'
// text (one lower-cased line each, internal ones apart).
func checkSearchColumns(t *testing.T, db *DB, inc *cc112.Incident) {
	t.Helper()
	var (
		call                  *time.Time
		reason, by            *string
		dist                  *float64
		notes, internal, text string
	)
	err := db.Pool.QueryRow(context.Background(), `select call_received_at, out_of_area_reason, out_of_area_by, out_of_area_m,
			notes, notes_internal, search_text from incidents where id = $1`, inc.ID).
		Scan(&call, &reason, &by, &dist, &notes, &internal, &text)
	if err != nil {
		t.Fatalf("incident %s: %v", inc.ID, err)
	}
	if !sameTime(call, inc.CallReceivedAt) {
		t.Errorf("%s call_received_at: row %v, engine %v", inc.Number, call, inc.CallReceivedAt)
	}
	if o := inc.OutOfArea; (o == nil) != (reason == nil) || o != nil && (*reason != o.Reason || *by != o.By || *dist != o.DistanceM) {
		t.Errorf("%s out_of_area: row %v %v %v, engine %+v", inc.Number, reason, by, dist, o)
	}
	var wantNotes, wantInternal string
	for _, n := range inc.Notes {
		if n.Internal {
			wantInternal += "\n" + strings.ToLower(n.Text)
		} else {
			wantNotes += "\n" + strings.ToLower(n.Text)
		}
	}
	if notes != wantNotes || internal != wantInternal || !strings.HasPrefix(text, strings.ToLower(inc.Number)+"\n") {
		t.Errorf("%s notes: row %q / %q (search %q), engine %q / %q", inc.Number, notes, internal, text, wantNotes, wantInternal)
	}
}

// projectionDump is the content of the projections migration 004 rebuilds.
func projectionDump(t *testing.T, db *DB) string {
	t.Helper()
	var out []byte
	err := db.Pool.QueryRow(context.Background(), `select jsonb_build_object(
		'complaints', (select jsonb_agg(to_jsonb(c) order by id) from complaints c),
		'complaint_forwards', (select jsonb_agg(to_jsonb(f) order by complaint_id, ord) from complaint_forwards f),
		'incidents', (select jsonb_agg(to_jsonb(i) order by id) from incidents i),
		'assignments', (select jsonb_agg(to_jsonb(a) order by seq, ord) from assignments a))::text`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(out, &v); err != nil || len(v["complaints"]) < 10 || len(v["assignments"]) < 10 {
		t.Fatalf("projection dump %s: %v", out, err)
	}
	return string(out)
}

func migrateTo(t *testing.T, db *DB, version int32) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, version); err != nil {
		t.Fatalf("migrate to %d: %v", version, err)
	}
}

// latestVersion is the number of the newest embedded migration.
func latestVersion(t *testing.T) int32 {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v", err)
	}
	return int32(len(files))
}
