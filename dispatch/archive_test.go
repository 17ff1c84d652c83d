package dispatch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
	"cc112/internal/testjournal"
	"cc112/kpi"
)

// archiveFixture is an engine on a real journal that is its checkpoint
// store and archive, restarted at will (the journal reopened from disk:
// what a killed dispatchd's next start finds).
type archiveFixture struct {
	name    string
	reopenJ func() cc112.Journal
	j       cc112.Journal
	clock   *clocktest.Clock
	metrics *kpi.Index
	// fedMetrics leaves the metrics index out of the checkpoint: a start
	// from one feeds it the incidents in memory.
	fedMetrics bool
	log        *bytes.Buffer // the engine's log, when set
	// wrap, when set, is what the engine appends through (the archive
	// and checkpoint store stay the journal itself).
	wrap func(cc112.Journal) cc112.Journal
	// forgot, when set, hears of every id the engine tells OnArchived of.
	forgot chan string
}

func (f *archiveFixture) open(t *testing.T, checkpoints bool) *Engine {
	t.Helper()
	if f.j != nil {
		_ = f.j.Close()
	}
	f.j = f.reopenJ()
	f.metrics = kpi.NewIndex(cc112.WIB)
	f.metrics.UseArchive(f.j.(kpi.Archive))
	metrics, forgot := f.metrics, f.forgot
	cfg := Config{Journal: f.j, Clock: f.clock, Archive: f.j.(cc112.IncidentArchive), HistoryWindow: 7 * 24 * time.Hour,
		OnIncident: func(inc *cc112.Incident) { metrics.Put(kpi.FromIncident(inc)) },
		OnArchived: func(id string) {
			metrics.Forget(id)
			if forgot != nil {
				forgot <- id
			}
		}}
	if f.wrap != nil {
		cfg.Journal = f.wrap(f.j)
	}
	if !f.fedMetrics {
		cfg.OnIncidentState = f.metrics
	}
	if f.log != nil {
		f.log.Reset()
		cfg.Logger = slog.New(slog.NewTextHandler(f.log, nil))
	}
	if h, ok := f.j.(cc112.HistorySearch); ok {
		cfg.History = h
	}
	if checkpoints {
		cfg.Checkpoints = f.j.(cc112.CheckpointStore)
	}
	e, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func eachArchiveJournal(t *testing.T, fn func(t *testing.T, f *archiveFixture)) {
	for _, name := range testjournal.Names {
		t.Run(name, func(t *testing.T) {
			f := &archiveFixture{name: name, clock: clocktest.New(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC))}
			if name == "bolt" {
				dir := t.TempDir()
				f.reopenJ = func() cc112.Journal { return testjournal.BoltAt(t, dir) }
			} else {
				url := pgtest.URL(t)
				f.reopenJ = func() cc112.Journal { return testjournal.PostgresAt(t, url) }
			}
			fn(t, f)
		})
	}
}

// archiveHistory makes 40 incidents around WIB midnights (17:00 UTC):
// categories, priorities, phones, public and internal notes, units sent
// and closed, cancelled, some left open; and three imported from the year
// before. It answers the ids.
func archiveHistory(t *testing.T, e *Engine, clock *clocktest.Clock) []string {
	t.Helper()
	ctx := context.Background()
	if err := e.RegisterUnits(ctx, testUnits()); err != nil {
		t.Fatal(err)
	}
	by := Author{Username: "op", Role: "dispatcher"}
	var ids []string
	cats := []cc112.Category{cc112.CatCrime, cc112.CatFire, cc112.CatMedical}
	for k := range 40 {
		// Each day's pair straddles WIB midnight: 16:59:59 and 17:00:00 UTC.
		day := time.Date(2026, 3, 1+k/2, 16, 59, 59+k%2, 0, time.UTC)
		moveClock(clock, day)
		p := near(float64(50*k), 0)
		inc := must[*cc112.Incident](t)(e.CreateIncident(ctx, NewIncident{Category: cats[k%3], Priority: 1 + k%3, Location: &p,
			Address: fmt.Sprintf("Jl. Darmo %d", k), Description: fmt.Sprintf("kejadian nomor %d", k),
			Caller: &cc112.Caller{Name: "Sari", Phone: fmt.Sprintf("+62812555%04d", k)}}, "", ""))
		ids = append(ids, inc.ID)
		must[*cc112.Incident](t)(e.AddNote(ctx, inc.ID, fmt.Sprintf("catatan umum %d", k), false, by, "", ""))
		must[*cc112.Incident](t)(e.AddNote(ctx, inc.ID, fmt.Sprintf("rahasia %d", k), true, by, "", ""))
		switch {
		case k%7 == 6: // left open
		case k%5 == 4:
			must[*cc112.Incident](t)(e.CancelIncident(ctx, inc.ID, "false alarm", by, "", ""))
		default:
			if _, err := e.AutoAssign(ctx, inc.ID, "", ""); err == nil {
				clock.Advance(4 * time.Minute)
				for _, u := range must[*cc112.Incident](t)(e.Incident(inc.ID)).Assignments {
					must[*cc112.Unit](t)(e.SetUnitStatus(ctx, u.UnitID, cc112.UnitOnscene, "", ""))
				}
			}
			clock.Advance(20 * time.Minute)
			must[*cc112.Incident](t)(e.CloseIncident(ctx, inc.ID, "handled", "", ""))
		}
	}
	loc := near(0, 0)
	var history []ImportedIncident
	for k := 1; k <= 3; k++ {
		recv := time.Date(2025, 6, k, 17, 0, 0, 0, time.UTC)
		history = append(history, ImportedIncident{ExternalID: fmt.Sprint("H", k), Category: cc112.CatFire, Priority: 1,
			Location: &loc, ReceivedAt: &recv, ClosedAt: tp(recv.Add(time.Hour).Format(time.RFC3339)), Address: "Pasar Turi"})
	}
	for _, err := range must[[]error](t)(e.ImportIncidents(ctx, history)) {
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// answers is everything a reader asks of the history, as JSON: each
// incident by id, search pages (filters, text, cursors, viewers) and the
// response-time report of the year.
func answers(t *testing.T, e *Engine, metrics *kpi.Index, ids []string) string {
	t.Helper()
	var b strings.Builder
	for _, id := range ids {
		inc, err := e.Incident(id)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s\n", mustJSON(t, inc))
	}
	midnight := time.Date(2026, 3, 5, 17, 0, 0, 0, time.UTC) // 00:00 WIB, 6 March
	viewers := []struct {
		name string
		v    cc112.Viewer
	}{{"all", cc112.Everyone}, {"police", cc112.Viewer{Sight: cc112.SeeNone}}, {"unit", cc112.Viewer{Sight: cc112.SeeUnit, UnitID: "p1"}}}
	queries := []IncidentQuery{
		{Status: "all"}, {Status: "closed"}, {},
		{Status: "all", Category: cc112.CatFire}, {Status: "closed", Priority: 2},
		{Status: "all", From: midnight}, {Status: "all", To: midnight}, {Status: "closed", From: midnight.Add(-time.Second), To: midnight.Add(24 * time.Hour)},
		{Status: "all", Text: "darmo 1"}, {Status: "all", Text: "rahasia 2"}, {Status: "all", Text: "catatan umum 3"},
		{Status: "all", Text: "08125550012"}, {Status: "closed", Text: "pasar turi"}, {Status: "all", Agency: "POLRI"},
	}
	for _, vw := range viewers {
		vn, v := vw.name, vw.v
		for _, q := range queries {
			for _, limit := range []int{1, 3, 50} {
				q.Limit = limit
				fmt.Fprintf(&b, "%s %+v:", vn, q)
				for n := 0; ; n++ {
					if n > 200 {
						t.Fatal("paging does not end")
					}
					page := must[*IncidentPage](t)(e.SearchIncidents(context.Background(), q, v))
					for _, inc := range page.Items {
						fmt.Fprintf(&b, " %s", mustJSON(t, inc))
					}
					if page.NextCursor == "" {
						break
					}
					q.Cursor = page.NextCursor
				}
				q.Cursor = ""
				b.WriteString("\n")
			}
		}
	}
	// The reports that read whole incidents: a window across a WIB midnight.
	received := must[[]*cc112.Incident](t)(e.IncidentsReceived(context.Background(), midnight.Add(-time.Second), midnight.Add(48*time.Hour)))
	slices.SortFunc(received, func(a, b *cc112.Incident) int { return strings.Compare(a.ID, b.ID) })
	fmt.Fprintf(&b, "received %d %s\n", len(received), mustJSON(t, received))
	// The metrics: the year, and a window across the history window's edge
	// (archived and in memory), reported and exported.
	for _, q := range []kpi.Query{
		{From: time.Date(2025, 3, 1, 17, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 17, 0, 0, 0, time.UTC), GroupBy: "category"},
		{From: time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC), GroupBy: "day"},
	} {
		rep, err := metrics.Report(context.Background(), q, kpi.DefaultTargets())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "report %s\n", mustJSON(t, rep))
		err = metrics.Export(context.Background(), q, func(recs []kpi.Record) error {
			fmt.Fprintf(&b, "export %s\n", mustJSON(t, recs))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHistoryOutOfRAMAnswersTheSame: a history of closed incidents answers
// the same reads, searches and metrics before it is archived, after, and
// after restarts from a checkpoint taken before the archive (its tail
// replays the archiving), from one taken after (the metrics index restored
// from the checkpoint, as dispatchd's; or, without its part, fed the
// incidents in memory: either way it holds only those, and reads the
// archived ones' records from the journal), and from the whole journal;
// both journals, each reopened from disk.
func TestHistoryOutOfRAMAnswersTheSame(t *testing.T) {
	for _, fed := range []bool{false, true} {
		t.Run(map[bool]string{false: "metrics checkpointed", true: "metrics not checkpointed"}[fed], func(t *testing.T) {
			testHistoryOutOfRAM(t, fed)
		})
	}
}

func testHistoryOutOfRAM(t *testing.T, fedMetrics bool) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		f.fedMetrics = fedMetrics
		ctx := context.Background()
		e := f.open(t, true)
		ids := archiveHistory(t, e, f.clock)
		// Imported history counts too.
		for _, inc := range must[*IncidentPage](t)(e.SearchIncidents(ctx, IncidentQuery{Status: "closed", Text: "pasar turi"}, cc112.Everyone)).Items {
			ids = append(ids, inc.ID)
		}
		want := answers(t, e, f.metrics, ids)
		if _, err := e.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		inMemory := len(e.incidents)

		// Eight days later, what closed before the window leaves memory.
		moveClock(f.clock, time.Date(2026, 3, 21, 17, 0, 0, 0, time.UTC))
		wall := &recorder{}
		e.SetPublisher(wall)
		n := must[int](t)(e.ArchiveClosed(ctx))
		if len(wall.names) != 0 {
			t.Errorf("archiving is not news to the wall, published %v", wall.names)
		}
		open := len(e.index.active)
		if n == 0 || len(e.incidents) != inMemory-n || len(e.incidents) <= open {
			t.Fatalf("archived %d of %d; %d in memory, %d open", n, inMemory, len(e.incidents), open)
		}
		if again := must[int](t)(e.ArchiveClosed(ctx)); again != 0 {
			t.Errorf("a second sweep archived %d", again)
		}
		if got := answers(t, e, f.metrics, ids); got != want {
			t.Errorf("after archiving:\n%s", firstDiff(got, want))
		}
		left := len(e.incidents)
		if f.metrics.Len() != left {
			t.Errorf("the metrics index holds %d incidents, the engine %d: it holds archived ones", f.metrics.Len(), left)
		}

		for _, start := range []struct {
			name        string
			checkpoints bool
			take        bool
		}{
			{"checkpoint before the archive + tail", true, false},
			{"checkpoint after the archive", true, true},
			{"full replay", false, false},
		} {
			e = f.open(t, start.checkpoints)
			if len(e.incidents) != left || f.metrics.Len() != left {
				t.Errorf("%s: %d incidents in memory, %d in the metrics index, want %d", start.name, len(e.incidents), f.metrics.Len(), left)
			}
			if got := answers(t, e, f.metrics, ids); got != want {
				t.Errorf("%s:\n%s", start.name, firstDiff(got, want))
			}
			if start.take {
				if _, err := e.Checkpoint(ctx); err != nil {
					t.Fatal(err)
				}
				e = f.open(t, true)
				if got := answers(t, e, f.metrics, ids); got != want {
					t.Errorf("%s, restarted:\n%s", start.name, firstDiff(got, want))
				}
			}
		}
	})
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for k := range min(len(g), len(w)) {
		if g[k] != w[k] {
			at := 0 // from where they part
			for at < min(len(g[k]), len(w[k])) && g[k][at] == w[k][at] {
				at++
			}
			from := max(0, at-200)
			return fmt.Sprintf("line %d from byte %d\n got %.400s\nwant %.400s", k, from, g[k][from:], w[k][from:])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

// TestCorruptMetricsPartMeansFullReplay: a checkpoint whose metrics part
// does not decode (its checksum whole: written so by a faulty binary) is
// not used — neither the engine's part of it — and the start replays the
// whole journal, says why and answers as before.
func TestCorruptMetricsPartMeansFullReplay(t *testing.T) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		ctx := context.Background()
		f.log = &bytes.Buffer{}
		e := f.open(t, true)
		ids := archiveHistory(t, e, f.clock)
		moveClock(f.clock, time.Date(2026, 3, 21, 17, 0, 0, 0, time.UTC))
		must[int](t)(e.ArchiveClosed(ctx))
		want := answers(t, e, f.metrics, ids)
		must[uint64](t)(e.Checkpoint(ctx))
		e = f.open(t, true)
		if e.CheckpointStats().LoadedSeq == 0 || f.metrics.Len() != e.IncidentCount() {
			t.Fatalf("not started from the checkpoint (%d incidents in the metrics):\n%s", f.metrics.Len(), f.log)
		}
		store := f.j.(cc112.CheckpointStore)
		list := must[[]cc112.Checkpoint](t)(store.Checkpoints(ctx))
		for _, c := range list { // every one stored: else the start falls back to the older
			var d checkpointData
			if err := json.Unmarshal(c.Data, &d); err != nil {
				t.Fatal(err)
			}
			var part map[string]any
			if err := json.Unmarshal(d.Parts[metricsPart], &part); err != nil {
				t.Fatal(err)
			}
			part["count"] = part["count"].(float64) + 1 // one row more than it holds
			d.Parts[metricsPart] = json.RawMessage(mustJSON(t, part))
			data := []byte(mustJSON(t, d))
			if err := store.SaveCheckpoint(ctx, cc112.Checkpoint{Seq: c.Seq, At: c.At, Sum: sha256.Sum256(data), Data: data}); err != nil {
				t.Fatal(err)
			}
		}
		e = f.open(t, true)
		if st := e.CheckpointStats(); st.LoadedSeq != 0 || st.FullReplays != 1 || st.Corrupt != uint64(len(list)) {
			t.Fatalf("stats %+v: want a full replay, %d corrupt", st, len(list))
		}
		for _, says := range []string{"restore metrics", "full replay: no usable checkpoint"} {
			if !strings.Contains(f.log.String(), says) {
				t.Errorf("the log does not say %q:\n%s", says, f.log)
			}
		}
		if got := answers(t, e, f.metrics, ids); got != want {
			t.Errorf("after the full replay:\n%s", firstDiff(got, want))
		}
	})
}

// TestReopenArchivedIncident: every command on an archived incident
// answers as on the closed incident it is (a note, an edit, a unit sent,
// a close, a merge, a cancel, an alarm, a message to its units: refused
// as closed, not as unknown) and changes nothing: no event, still
// archived. A reopen brings it back (incident.restored before
// incident.reopened); then a note and an edit are taken, a restart finds
// them (from a checkpoint and from the whole journal), and once closed and
// old again the next sweep archives it again, its text searchable with
// the new note. Imported history stays archived and is refused.
func TestReopenArchivedIncident(t *testing.T) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		ctx := context.Background()
		e := f.open(t, true)
		ids := archiveHistory(t, e, f.clock)
		moveClock(f.clock, time.Date(2026, 3, 21, 17, 0, 0, 0, time.UTC))
		must[int](t)(e.ArchiveClosed(ctx))
		by := Author{Username: "sup", Role: "supervisor"}
		id, other := ids[0], ids[1] // closed on day one
		if _, ok := e.incidents[id]; ok {
			t.Fatal("not archived")
		}
		open := ""
		for _, inc := range e.incidents {
			if inc.Active() {
				open = inc.ID
			}
		}
		seq, held := e.LastSeq(), e.IncidentCount()
		addr := "Jl. Darmo 0 (koreksi)"
		for name, cmd := range map[string]func() error{
			"note":        func() error { _, err := e.AddNote(ctx, id, "late", false, by, "", ""); return err },
			"edit":        func() error { _, err := e.EditIncident(ctx, id, IncidentEdit{Address: &addr}, by, "", ""); return err },
			"auto-assign": func() error { _, err := e.AutoAssign(ctx, id, "", ""); return err },
			"assign":      func() error { _, err := e.Assign(ctx, id, "p1", "", ""); return err },
			"close":       func() error { _, err := e.CloseIncident(ctx, id, "again", "", ""); return err },
			"cancel":      func() error { _, err := e.CancelIncident(ctx, id, "dup", by, "", ""); return err },
			"alarm":       func() error { _, err := e.RaiseAlarm(ctx, id, 2, by, "", ""); return err },
			"release":     func() error { _, err := e.ReleaseUnit(ctx, id, "p1", "x", by, "", ""); return err },
			"merge":       func() error { _, err := e.MergeIncident(ctx, id, open, by, "", ""); return err },
			"merge into":  func() error { _, err := e.MergeIncident(ctx, open, other, by, "", ""); return err },
			"link a caller": func() error { // the call center's, in its own command
				_, err := RunOn(ctx, e, []string{id}, "", "", func(tx *Tx) (*cc112.Incident, error) { return tx.LinkCaller(id, "call_1") })
				return err
			},
		} {
			err := cmd()
			if cc112.ErrorCode(err) != cc112.EConflict || cc112.ErrorReason(err) != cc112.RIncidentClosed {
				t.Errorf("%s on an archived incident: %v, want a conflict: incident_closed", name, err)
			}
		}
		// An extension's command reads it as it is (a message to its units).
		doc := must[*cc112.Incident](t)(RunOn(ctx, e, []string{id}, "", "", func(tx *Tx) (*cc112.Incident, error) {
			inc, ok := tx.Incident(id)
			if !ok {
				return nil, cc112.Errorf(cc112.ENotFound, "not found")
			}
			return inc, nil
		}))
		if doc.ID != id || doc.Active() {
			t.Errorf("tx.Incident of an archived incident: %+v", doc)
		}
		if e.LastSeq() != seq || e.IncidentCount() != held {
			t.Fatalf("refused commands journaled %d events, %d incidents in memory, want %d", e.LastSeq()-seq, e.IncidentCount(), held)
		}
		if a, _ := f.j.(cc112.IncidentArchive).ArchivedIncident(ctx, id); a == nil {
			t.Fatal("a refused command took the incident out of the archive")
		}
		_, err := e.AddNote(ctx, "inc_nope", "x", false, by, "", "")
		wantCode(t, err, cc112.ENotFound)

		// The metrics index holds what the engine holds: the restore
		// brings the record back, the next archive drops it again.
		heldByMetrics := func(when string, n int) {
			t.Helper()
			if f.metrics.Len() != n || e.IncidentCount() != n {
				t.Errorf("%s: the metrics index holds %d incidents, the engine %d, want %d", when, f.metrics.Len(), e.IncidentCount(), n)
			}
		}
		heldByMetrics("archived", held)
		inc := must[*cc112.Incident](t)(e.ReopenIncident(ctx, id, "the caller called again", by, "", ""))
		if !inc.Active() || len(inc.Notes) < 2 {
			t.Fatalf("reopened %+v", inc)
		}
		heldByMetrics("reopened", held+1)
		must[*cc112.Incident](t)(e.AddNote(ctx, id, "koreksi alamat dari pelapor", false, by, "", ""))
		must[*EditResult](t)(e.EditIncident(ctx, id, IncidentEdit{Address: &addr}, by, "", ""))
		imported := must[*IncidentPage](t)(e.SearchIncidents(ctx, IncidentQuery{Status: "closed", Text: "pasar turi"}, cc112.Everyone)).Items[0]
		_, err = e.ReopenIncident(ctx, imported.ID, "again", by, "", "")
		wantCode(t, err, cc112.EConflict)
		want := mustJSON(t, must[*cc112.Incident](t)(e.Incident(id)))
		for _, checkpoints := range []bool{true, false} {
			e = f.open(t, checkpoints)
			got := must[*cc112.Incident](t)(e.Incident(id))
			if mustJSON(t, got) != want || got.Address != addr || got.Notes[len(got.Notes)-1].Text != "koreksi alamat dari pelapor" {
				t.Errorf("after a restart (checkpoints %v):\n got %s\nwant %s", checkpoints, mustJSON(t, got), want)
			}
			page := must[*IncidentPage](t)(e.SearchIncidents(ctx, IncidentQuery{Status: "closed", Limit: 100}, cc112.Everyone))
			for _, inc := range page.Items {
				if inc.ID == id {
					t.Error("the reopened incident is still listed as closed")
				}
			}
			if a, _ := f.j.(cc112.IncidentArchive).ArchivedIncident(ctx, id); a != nil {
				t.Error("the reopened incident is still in the archive")
			}
			heldByMetrics(fmt.Sprintf("reopened, restarted (checkpoints %v)", checkpoints), held+1)
		}

		// Closed again and old: the next sweep archives it again, with
		// its note and its correction.
		must[*cc112.Incident](t)(e.CloseIncident(ctx, id, "handled again", "", ""))
		f.clock.Advance(8 * 24 * time.Hour)
		must[int](t)(e.ArchiveClosed(ctx))
		if _, ok := e.incidents[id]; ok {
			t.Fatal("closed and old again, but not archived again")
		}
		heldByMetrics("archived again", e.IncidentCount())
		for _, checkpoints := range []bool{true, false} {
			e = f.open(t, checkpoints)
			if _, ok := e.incidents[id]; ok {
				t.Fatalf("checkpoints %v: archived again, but in memory", checkpoints)
			}
			heldByMetrics(fmt.Sprintf("archived again, restarted (checkpoints %v)", checkpoints), e.IncidentCount())
			page := must[*IncidentPage](t)(e.SearchIncidents(ctx, IncidentQuery{Status: "closed", Text: "koreksi alamat"}, cc112.Everyone))
			if len(page.Items) != 1 || page.Items[0].ID != id || page.Items[0].Address != addr {
				t.Errorf("checkpoints %v: the new note's text finds %d items", checkpoints, len(page.Items))
			}
		}
	})
}

// setClock moves the test clock to at (forward only: the engine's order).
func moveClock(c *clocktest.Clock, at time.Time) { c.Advance(at.Sub(c.Now())) }

// TestSweepOverSeveralBatches archives a history longer than one command
// takes: every incident in one sweep, each command a batch, the journal's
// archived events oldest received first.
func TestSweepOverSeveralBatches(t *testing.T) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		ctx := context.Background()
		e := f.open(t, false)
		loc := near(0, 0)
		old := time.Date(2025, 6, 1, 17, 0, 0, 0, time.UTC)
		const total = 2*archiveBatch + 7
		var history []ImportedIncident
		for k := range total {
			// Received in an order the map will not keep.
			received := old.Add(time.Duration((k*7919)%total) * time.Minute)
			history = append(history, ImportedIncident{ExternalID: fmt.Sprint("S", k), Category: cc112.CatFire, Priority: 1,
				Location: &loc, ReceivedAt: &received, ClosedAt: tp(received.Add(time.Hour).Format(time.RFC3339))})
		}
		for _, err := range must[[]error](t)(e.ImportIncidents(ctx, history)) {
			if err != nil {
				t.Fatal(err)
			}
		}
		seq := e.LastSeq()
		if n := must[int](t)(e.ArchiveClosed(ctx)); n != total {
			t.Fatalf("one sweep archived %d of %d", n, total)
		}
		if n := e.IncidentCount(); n != 0 {
			t.Fatalf("%d incidents still in memory", n)
		}
		var last time.Time
		archived := 0
		err := f.j.Replay(ctx, seq, func(ev cc112.Event) error {
			var p cc112.IncidentDocumentPayload
			if err := json.Unmarshal(ev.Data, &p); err != nil || ev.Type != cc112.EvIncidentArchived {
				return fmt.Errorf("seq %d: %s (%v)", ev.Seq, ev.Type, err)
			}
			if p.Incident.ReceivedAt.Before(last) {
				t.Errorf("seq %d: %s received before the one archived ahead of it", ev.Seq, p.Incident.Number)
			}
			last = p.Incident.ReceivedAt
			archived++
			return nil
		})
		if err != nil || archived != total {
			t.Fatalf("journal after the sweep: %d archived events, %v", archived, err)
		}
	})
}
