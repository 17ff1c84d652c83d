// Package journaltest is the conformance suite every cc112.Journal passes:
// the embedded bbolt journal and the PostgreSQL one run the same tests,
// from raw appends to a whole engine scenario with restarts, so that the
// server behaves identically on either.
package journaltest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/internal/citytest"
	"cc112/internal/clocktest"
)

// Opener opens the journal under test. Each call of the returned func
// opens the same storage again (a restart); the suite closes each journal
// before reopening.
type Opener func(t *testing.T) (open func() cc112.Journal)

// Run runs the suite.
func Run(t *testing.T, opener Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, func() cc112.Journal)
	}{
		{"AppendReplay", testAppendReplay},
		{"ConcurrentAppends", testConcurrentAppends},
		{"SeqGapRefused", testSeqGap},
		{"EngineScenario", testEngineScenario},
		{"ArchiveMetrics", testArchiveMetrics},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, opener(t))
		})
	}
}

// t0 has nanoseconds on purpose: journals must give back what the engine saw.
var t0 = time.Date(2026, 11, 22, 1, 0, 0, 123456789, time.UTC)

// event makes a raw event. Journals keep times to the microsecond (the
// engine stamps events at that precision).
func event(seq uint64, typ string, data string) cc112.Event {
	at := t0.Add(time.Duration(seq) * time.Second).Truncate(time.Microsecond)
	return cc112.Event{Seq: seq, Type: typ, At: at, Data: json.RawMessage(data)}
}

func wait(t *testing.T, ch <-chan error) {
	t.Helper()
	select {
	case err := <-ch:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("append not acknowledged within 30 s")
	}
}

func replayAll(t *testing.T, j cc112.Journal, after uint64) []cc112.Event {
	t.Helper()
	var got []cc112.Event
	if err := j.Replay(context.Background(), after, func(ev cc112.Event) error {
		got = append(got, ev)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func closeJournal(t *testing.T, j cc112.Journal) {
	t.Helper()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

func testAppendReplay(t *testing.T, open func() cc112.Journal) {
	j := open()
	if j.LastSeq() != 0 {
		t.Fatalf("new journal LastSeq = %d", j.LastSeq())
	}
	want := []cc112.Event{
		event(1, "a.one", `{"x":1}`),
		event(2, "a.two", `{"nested":{"k":"v"},"list":[1,2]}`),
		event(3, "a.three", `{}`),
	}
	wait(t, j.Append(want[:2]))
	wait(t, j.Append(want[2:]))
	if j.LastSeq() != 3 {
		t.Fatalf("LastSeq = %d, want 3", j.LastSeq())
	}
	closeJournal(t, j)

	j = open()
	defer closeJournal(t, j)
	if j.LastSeq() != 3 {
		t.Fatalf("after reopen LastSeq = %d, want 3", j.LastSeq())
	}
	got := replayAll(t, j, 0)
	if len(got) != len(want) {
		t.Fatalf("replayed %d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Type != w.Type || !g.At.Equal(w.At) || !jsonEqual(g.Data, w.Data) {
			t.Fatalf("event %d = %+v, want %+v", i, g, w)
		}
	}
	if tail := replayAll(t, j, 2); len(tail) != 1 || tail[0].Seq != 3 {
		t.Fatalf("Replay after 2 = %+v", tail)
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// testConcurrentAppends appends as the engine does: calls serialised by a
// lock, waits concurrent. Every acknowledged event must come back in order.
func testConcurrentAppends(t *testing.T, open func() cc112.Journal) {
	j := open()
	const writers, each = 16, 25
	var (
		mu  sync.Mutex
		seq uint64
		wg  sync.WaitGroup
	)
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				mu.Lock()
				seq++
				ch := j.Append([]cc112.Event{event(seq, "c.n", fmt.Sprintf(`{"n":%d}`, seq))})
				mu.Unlock()
				errs <- <-ch
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	closeJournal(t, j)
	j = open()
	defer closeJournal(t, j)
	got := replayAll(t, j, 0)
	if len(got) != writers*each {
		t.Fatalf("replayed %d, want %d", len(got), writers*each)
	}
	for i, ev := range got {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
}

func testSeqGap(t *testing.T, open func() cc112.Journal) {
	j := open()
	defer closeJournal(t, j)
	wait(t, j.Append([]cc112.Event{event(1, "g.one", `{}`)}))
	if err := <-j.Append([]cc112.Event{event(3, "g.three", `{}`)}); err == nil {
		t.Fatal("a batch skipping seq 2 was accepted")
	}
	if got := replayAll(t, j, 0); len(got) != 1 {
		t.Fatalf("after the refused batch the journal holds %d events, want 1", len(got))
	}
}

// testEngineScenario runs the dispatch engine on the journal through a
// day's work with restarts, and checks that replay rebuilds the same state
// and that idempotency keys survive a restart.
func testEngineScenario(t *testing.T, open func() cc112.Journal) {
	ctx := context.Background()
	clock := clocktest.New(t0)
	j := open()
	newEngine := func(j cc112.Journal) *dispatch.Engine {
		t.Helper()
		eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	eng := newEngine(j)
	if err := eng.RegisterUnits(ctx, citytest.Units()); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, cat := range []cc112.Category{cc112.CatFire, cc112.CatMedical, cc112.CatCrime} {
		p := citytest.Near(float64(i*300), 0)
		inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cat, Location: &p, Address: "Jl. Pahlawan",
			Caller: &cc112.Caller{Name: "Budi", Phone: "+628123"}}, fmt.Sprintf("key-%d", i), "fp")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inc.ID)
	}
	steps := []func() error{
		func() error { _, err := eng.AutoAssign(ctx, ids[0], "", ""); return err },
		func() error { _, err := eng.SetUnitStatus(ctx, "f1", cc112.UnitEnroute, "", ""); return err },
		func() error { _, err := eng.SetUnitStatus(ctx, "f1", cc112.UnitOnscene, "", ""); return err },
		func() error { _, err := eng.Assign(ctx, ids[1], "a1", "", ""); return err },
		func() error { _, err := eng.SetUnitStatus(ctx, "a1", cc112.UnitOnscene, "", ""); return err },
		func() error { _, err := eng.SetUnitStatus(ctx, "a1", cc112.UnitAvailable, "", ""); return err },
		func() error { _, err := eng.CloseIncident(ctx, ids[0], "fire out", "", ""); return err },
		func() error { _, err := eng.SetUnitStatus(ctx, "p2", cc112.UnitOffduty, "", ""); return err },
		func() error {
			lat, lon := -7.25, 112.74
			_, err := eng.UpdatePosition(ctx, "d1", dispatch.Position{Lat: &lat, Lon: &lon})
			return err
		},
	}
	for i, step := range steps {
		clock.Advance(time.Minute)
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	before := stateOf(eng)
	waitSeq(t, j, eng.LastSeq())
	closeJournal(t, j)

	j = open()
	defer closeJournal(t, j)
	eng = newEngine(j)
	if after := stateOf(eng); !reflect.DeepEqual(before, after) {
		t.Fatalf("state after replay differs:\nbefore %s\nafter  %s", before, after)
	}
	// A client retrying after the restart gets the same incident back.
	p := citytest.Near(0, 0)
	again, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, Location: &p, Address: "Jl. Pahlawan",
		Caller: &cc112.Caller{Name: "Budi", Phone: "+628123"}}, "key-0", "fp")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != ids[0] {
		t.Fatalf("retry after restart created %s, want the first %s", again.ID, ids[0])
	}
	list, err := eng.IncidentsInMemory("all")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d incidents after retry, want 3", len(list))
	}
}

// waitSeq waits until the journal made seq durable (positions are appended
// without waiting).
func waitSeq(t *testing.T, j cc112.Journal, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for j.LastSeq() < seq {
		if time.Now().After(deadline) {
			t.Fatalf("journal LastSeq %d never reached %d", j.LastSeq(), seq)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func stateOf(eng *dispatch.Engine) string {
	list, _ := eng.IncidentsInMemory("all")
	b, _ := json.Marshal(struct {
		Incidents any
		Units     any
		Cameras   any
		Seq       uint64
	}{list, eng.Units(), eng.Cameras(), eng.LastSeq()})
	return string(b)
}
