package statetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/auth"
	"cc112/callcenter"
	"cc112/cctv"
	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
	"cc112/internal/statetest"
	"cc112/internal/testjournal"
	"cc112/kpi"
	"cc112/paging"
)

// t0 is a fixed instant: 16:59:00 UTC, a minute before midnight WIB, so
// that the run crosses a day boundary of the incident numbers.
var t0 = time.Date(2026, 11, 22, 16, 59, 0, 0, time.UTC)

// historyWindow is the engine's: a run lasts hours of its clock.
const historyWindow = 30 * time.Minute

// notState are the fields of the engine and its extensions that are not
// state a checkpoint must carry: configuration, wiring, locks, the live
// feed, derived indexes (checked through queries instead) and the
// checkpoint bookkeeping itself. Every other field is compared.
var notState = map[string]bool{
	// dispatch.Engine
	"cfg": true, "log": true, "mu": true, "mode": true, "failure": true, "follow": true, "pub": true,
	"posSink": true, "fold": true, "changes": true, "sortMu": true, "searchMu": true, "ckpt": true,
	"index": true, "unitIndex": true, "fleet": true, "camIndex": true,
	// counts since the start: for an import in flight, for a map's size
	"importsArchived": true, "importedPeak": true, "incidentsPeak": true,
	// extensions
	"eng": true, "rec": true, "hashs": true, "dummy": true, "watch": true, "sending": true,
}

// stack is an engine with every extension dispatchd gives it.
type stack struct {
	eng    *dispatch.Engine
	calls  *callcenter.Service
	views  *cctv.Views
	auth   *auth.Store
	alerts *alerts.Service
	pager  *paging.Service
	// metrics is dispatchd's metrics index: fed by the engine's hook,
	// checkpointed with it, forgetting archived incidents and reading their
	// records from the journal (compared by its answers: its hash seed
	// differs).
	metrics *kpi.Index
}

func (s *stack) parts() []any {
	return []any{s.eng, s.calls, s.views, s.auth, s.alerts, s.pager}
}

func newStack(t *testing.T, j cc112.Journal, store cc112.CheckpointStore, clock cc112.Clock, city *city.Pack) *stack {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	s := &stack{
		calls:   callcenter.New(callcenter.Config{Clock: clock, Logger: log, Districts: city.Districts, TokenKey: []byte("0123456789abcdef0123456789abcdef")}),
		views:   cctv.NewViews(),
		auth:    auth.New(auth.Config{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}}),
		alerts:  alerts.New(alerts.Config{Clock: clock, Logger: log}),
		pager:   paging.New(paging.Config{Clock: clock, Logger: log}),
		metrics: kpi.NewIndex(cc112.WIB),
	}
	s.metrics.UseArchive(j.(kpi.Archive)) // wired as dispatchd wires it: archived records read from the journal
	cfg := dispatch.Config{Journal: j, Clock: clock, Logger: log, Districts: city.Districts, Checkpoints: store,
		OnIncident: func(inc *cc112.Incident) { s.metrics.Put(kpi.FromIncident(inc)) }, OnIncidentState: s.metrics,
		OnArchived: s.metrics.Forget,
		// A window the run outlasts: incidents and shifts are archived.
		Archive: j.(cc112.IncidentArchive), HistoryWindow: historyWindow}
	eng, err := dispatch.New(context.Background(), cfg, s.calls, s.views, s.auth, s.alerts, s.pager)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.auth.Close)
	s.eng = eng
	return s
}

// journals opens the same journal again and again: the embedded one in
// one folder, or PostgreSQL in one schema.
type journals struct {
	name string
	open func(t *testing.T) (cc112.Journal, cc112.CheckpointStore)
}

// journalNamed is a new journal of that kind, for t.
func journalNamed(t *testing.T, name string) journals {
	dir := t.TempDir()
	var dbURL string
	return journals{name, func(t *testing.T) (cc112.Journal, cc112.CheckpointStore) {
		var j cc112.Journal
		if name == "bolt" {
			j = testjournal.BoltAt(t, dir)
		} else {
			if dbURL == "" {
				dbURL = pgtest.URL(t)
			}
			j = testjournal.PostgresAt(t, dbURL)
		}
		return j, j.(cc112.CheckpointStore)
	}}
}

// TestCheckpointPlusTailEqualsFullReplay runs random command sequences
// (fixed seeds) through the engine and every extension, writes checkpoints
// at random points, and checks that a start from the newest checkpoint
// plus the journal's tail builds exactly the state of a full replay, and
// of the engine that ran the commands — every field, on both journals.
func TestCheckpointPlusTailEqualsFullReplay(t *testing.T) {
	for _, name := range testjournal.Names {
		t.Run(name, func(t *testing.T) {
			for _, seed := range []uint64{1, 2, 3, 4} {
				t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
					testCheckpointEqualsReplay(t, journalNamed(t, name), seed)
				})
			}
		})
	}
}

func testCheckpointEqualsReplay(t *testing.T, jr journals, seed uint64) {
	ctx := context.Background()
	city := city.Demo()
	clock := clocktest.New(t0)
	j, store := jr.open(t)
	ran := newStack(t, j, store, clock, city)
	if ran.eng.LastSeq() == 0 {
		// As dispatchd seeds a city: one city.changed with its agencies,
		// stations, units and response plans.
		if _, err := ran.eng.ChangeCity(ctx, "dispatchd", dispatch.CityEdit{Agencies: city.Agencies, Stations: city.Stations,
			Units: city.Units, Plans: city.Plans}, false, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := ran.eng.RegisterCameras(ctx, city.Cameras); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 112))
	d := &driver{t: t, s: ran, clock: clock, rng: rng, city: city}
	steps := 150 + rng.IntN(100)
	checkpoints := 0
	// Checkpoints taken while commands run: under -race, a copy that
	// shares what an apply changes in place is reported.
	stopBackground := make(chan struct{})
	var background sync.WaitGroup
	background.Add(1)
	go func() {
		defer background.Done()
		for {
			select {
			case <-stopBackground:
				return
			case <-time.After(5 * time.Millisecond):
				if _, err := ran.eng.Checkpoint(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	for i := range steps {
		d.step(ctx, i)
		if rng.IntN(40) == 0 {
			if _, err := ran.eng.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			checkpoints++
		}
	}
	close(stopBackground)
	background.Wait()
	if checkpoints == 0 || ran.eng.CheckpointStats().LastSeq == ran.eng.LastSeq() {
		// Always a tail after the newest checkpoint.
		if _, err := ran.eng.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		for range 20 {
			d.step(ctx, 0)
		}
	}
	d.stop()
	ran.auth.Close()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j2, store2 := jr.open(t)
	checkArchived(t, j2)
	fromCkpt := newStack(t, j2, store2, clock, city)
	if got := fromCkpt.eng.CheckpointStats(); got.LoadedSeq == 0 || got.LoadedSeq >= ran.eng.LastSeq() {
		t.Fatalf("started from checkpoint seq %d of %d events: want a checkpoint with a tail after it", got.LoadedSeq, ran.eng.LastSeq())
	}
	full := newStack(t, j2, nil, clock, city)
	if full.eng.CheckpointStats().LoadedSeq != 0 {
		t.Fatal("the engine without a store loaded a checkpoint")
	}
	compare(t, "checkpoint+tail vs full replay", fromCkpt, full)
	// The engine that ran holds unit positions newer than the journal's
	// sample (positions are a stream): all else is the same. Its metrics
	// index reads the archive through the journal open now.
	ran.metrics.UseArchive(j2.(kpi.Archive))
	compare(t, "full replay vs the engine that ran", full, ran, "Location", "PositionAt", "Heading", "Speed", "Accuracy")
	_ = j2.Close()
}

// checkArchived fails a run whose sweeps archived nothing (the test would
// not cover them) and a journal that imports an external id twice (a
// re-import of an archived one let through).
func checkArchived(t *testing.T, j cc112.Journal) {
	t.Helper()
	types, imports := map[string]int{}, map[string]int{}
	err := j.Replay(context.Background(), 0, func(ev cc112.Event) error {
		types[ev.Type]++
		if ev.Type == cc112.EvIncidentImported {
			var p cc112.IncidentImportedPayload
			if err := json.Unmarshal(ev.Data, &p); err != nil {
				return err
			}
			if imports[p.ExternalID]++; imports[p.ExternalID] > 1 {
				t.Errorf("external id %s imported twice (seq %d)", p.ExternalID, ev.Seq)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{cc112.EvIncidentImported, cc112.EvIncidentArchived, cc112.EvRosterArchived} {
		if types[typ] == 0 {
			t.Errorf("the run journaled no %s", typ)
		}
	}
}

func compare(t *testing.T, what string, a, b *stack, alsoSkip ...string) {
	t.Helper()
	skip := maps.Clone(notState)
	for _, f := range alsoSkip {
		skip[f] = true
	}
	if a.eng.LastSeq() != b.eng.LastSeq() {
		t.Fatalf("%s: seq %d != %d", what, a.eng.LastSeq(), b.eng.LastSeq())
	}
	pa, pb := a.parts(), b.parts()
	for i := range pa {
		if diffs := statetest.Diff(pa[i], pb[i], skip, 10); len(diffs) > 0 {
			t.Errorf("%s: %T differs:\n%s", what, pa[i], fmt.Sprintln(diffs))
		}
	}
	// The derived indexes answer the same.
	qa, qb := queries(t, a), queries(t, b)
	if qa != qb {
		t.Errorf("%s: queries differ:\n%s\n%s", what, qa, qb)
	}
}

// queries asks what the derived indexes answer: search pages, the
// nearest cameras and the recommendations.
func queries(t *testing.T, s *stack) string {
	t.Helper()
	out := ""
	for _, status := range []string{"active", "closed", "all"} {
		list, err := s.eng.IncidentsInMemory(dispatch.IncidentFilter(status))
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s:%d ", status, len(list))
	}
	p := geo.Point{Lat: -7.2575, Lon: 112.7521}
	for _, c := range s.eng.NearestCameras(p, 5, nil) {
		out += c.ID + " "
	}
	// The metrics index: every record, and the reports of each grouping.
	err := s.metrics.Export(context.Background(), kpi.Query{}, func(recs []kpi.Record) error {
		out += fmt.Sprintf("\nexport %+v", recs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, by := range append([]string{""}, kpi.GroupBys...) {
		rep, err := s.metrics.Report(context.Background(), kpi.Query{GroupBy: by}, kpi.DefaultTargets())
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("\nreport %+v", *rep)
	}
	return out
}

// driver issues random commands; errors (a command refused by the rules)
// change nothing and are part of the test.
type driver struct {
	t      *testing.T
	s      *stack
	clock  *clocktest.Clock
	rng    *rand.Rand
	city   *city.Pack
	calls  []string
	views  []string
	tokens []string
	// tried and done count each kind of step and its successes: a kind
	// that never succeeds tests nothing.
	tried, done [24]int
}

// stop fails the test when a kind of step never succeeded.
func (d *driver) stop() {
	for op := range d.tried {
		if d.tried[op] > 3 && d.done[op] == 0 {
			d.t.Errorf("step kind %d never succeeded in %d tries", op, d.tried[op])
		}
	}
}

func (d *driver) pick(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[d.rng.IntN(len(list))]
}

func (d *driver) incident(status string) string {
	list, _ := d.s.eng.IncidentsInMemory(dispatch.IncidentFilter(status))
	if len(list) == 0 {
		return ""
	}
	return list[d.rng.IntN(len(list))].ID
}

func (d *driver) unit() string {
	units := d.s.eng.Units()
	return units[d.rng.IntN(len(units))].ID
}

func (d *driver) point() geo.Point {
	return geo.Point{Lat: -7.33 + d.rng.Float64()*0.12, Lon: 112.63 + d.rng.Float64()*0.16}
}

func (d *driver) step(ctx context.Context, i int) {
	d.clock.Advance(time.Duration(d.rng.IntN(90)) * time.Second)
	key := ""
	if d.rng.IntN(4) == 0 {
		key = fmt.Sprintf("k%d", d.rng.IntN(30)) // repeats: idempotent answers
	}
	cats := cc112.Categories
	by := dispatch.Author{Username: "dispatcher", Role: "dispatcher"}
	var err error
	op := d.rng.IntN(len(d.tried))
	switch op {
	case 0, 1, 2:
		p := d.point()
		_, err = d.s.eng.CreateIncident(ctx, dispatch.NewIncident{Category: cats[d.rng.IntN(len(cats))], Location: &p,
			Address: fmt.Sprintf("Jl. Tunjungan %d", i), Caller: &cc112.Caller{Name: "Budi", Phone: "+62812345" + fmt.Sprint(d.rng.IntN(100))}}, key, "create")
	case 3, 4:
		_, err = d.s.eng.AutoAssign(ctx, d.incident("active"), key, "auto")
	case 5, 6, 7:
		statuses := []cc112.UnitStatus{cc112.UnitEnroute, cc112.UnitOnscene, cc112.UnitAvailable}
		_, err = d.s.eng.SetUnitStatus(ctx, d.unit(), statuses[d.rng.IntN(len(statuses))], key, "status")
	case 8:
		_, err = d.s.eng.CloseIncident(ctx, d.incident("active"), "handled", key, "close")
	case 9:
		_, err = d.s.eng.AddNote(ctx, d.incident("all"), "note", d.rng.IntN(2) == 0, by, key, "note")
	case 10:
		_, err = d.s.eng.ReopenIncident(ctx, d.incident("closed"), "again", by, key, "reopen")
	case 11:
		p := d.point()
		_, err = d.s.eng.UpdatePosition(ctx, d.unit(), dispatch.Position{Lat: &p.Lat, Lon: &p.Lon})
	case 12:
		var c *callcenter.Call
		c, err = d.s.calls.StartCall(ctx, callcenter.NewCall{Phone: "+6281234500" + fmt.Sprint(d.rng.IntN(10)), Name: "Siti", Channel: "phone"}, "", "")
		if err == nil {
			d.calls = append(d.calls, c.ID)
		}
	case 13:
		if d.rng.IntN(2) == 0 {
			_, err = d.s.calls.LinkCall(ctx, d.incident("active"), d.pick(d.calls), "", "")
		} else {
			_, err = d.s.calls.CloseCall(ctx, d.pick(d.calls), "done", "", "")
		}
	case 14:
		p := d.point()
		var f *callcenter.Filed
		f, err = d.s.calls.FileComplaint(ctx, callcenter.NewComplaint{Name: "Ani", Phone: "+628129999" + fmt.Sprint(d.rng.IntN(10)),
			Text: "Lampu jalan mati", Category: "streetlight", Location: &p})
		if err == nil && d.rng.IntN(2) == 0 {
			_, err = d.s.calls.Forward(ctx, f.Complaint.ID, []string{"pupr"}, "", "")
		}
	case 15:
		_, err = d.s.calls.CheckSLAs(ctx)
	case 16:
		if cams := d.city.Cameras; d.rng.IntN(2) == 0 {
			var v cctv.View
			v, err = d.s.views.Start(ctx, cctv.View{CameraID: cams[d.rng.IntN(len(cams))].ID, Client: "127.0.0.1", User: "police"})
			if err == nil {
				d.views = append(d.views, v.ID)
			}
		} else if len(d.views) > 0 {
			err = d.s.views.End(ctx, d.pick(d.views))
		}
	case 17:
		name := fmt.Sprintf("user%d", d.rng.IntN(5))
		_, err = d.s.auth.EnsureUser(ctx, auth.NewUser{Username: name, Password: "password-" + name, Role: auth.Dispatcher})
		if sess, lerr := d.s.auth.Login(ctx, name, "password-"+name, "127.0.0.1"); lerr == nil {
			d.tokens = append(d.tokens, sess.Token)
		}
	case 18:
		_, _, err = d.s.alerts.Check(ctx)
		_, err = d.s.pager.CheckAcks(ctx)
	case 20:
		_, err = d.s.eng.RaiseAlarm(ctx, d.incident("active"), 2+d.rng.IntN(2), by, key, "alarm")
	case 21:
		from := d.clock.Now().Add(time.Duration(d.rng.IntN(30)) * time.Minute)
		// Shifts short enough to end within the run and be archived, on
		// three units (each keeps its last shift in memory).
		units := d.s.eng.Units()
		_, err = d.s.eng.SetRoster(ctx, units[d.rng.IntN(3)].ID, []dispatch.ShiftInput{{Crew: []string{"user1"}, From: from, To: from.Add(time.Duration(10+d.rng.IntN(120)) * time.Minute)}},
			by, key, "roster")
	case 22:
		_, err = d.s.eng.ArchiveClosed(ctx)
		if err == nil {
			_, err = d.s.eng.ArchiveShifts(ctx)
		}
	case 23:
		// Closed history, some of it older than the window; external ids
		// repeat (refused from memory or from the archive).
		received := d.clock.Now().Add(-time.Duration(d.rng.IntN(3*60)) * time.Minute)
		closed := received.Add(20 * time.Minute)
		p := d.point()
		var res []error
		res, err = d.s.eng.ImportIncidents(ctx, []dispatch.ImportedIncident{{ExternalID: fmt.Sprint("EXT-", d.rng.IntN(15)),
			Category: cats[d.rng.IntN(len(cats))], Location: &p, ReceivedAt: &received, ClosedAt: &closed}})
		if err == nil && res[0] != nil && !errors.Is(res[0], dispatch.ErrAlreadyImported) {
			d.t.Errorf("import: %v", res[0])
		}
	case 19:
		_, err = d.s.pager.Send(ctx, paging.Sender{Username: "dispatcher", Role: "dispatcher"},
			paging.NewMessage{ToUnit: d.unit(), Text: "Kembali ke pos"}, key, "msg")
	}
	kind := op
	if kind >= 5 && kind <= 7 {
		kind = 5 // a status step may well find its unit in another status
	}
	d.tried[kind]++
	if err == nil {
		d.done[kind]++
	}
}
