package dispatch

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/internal/citytest"
	"cc112/internal/clocktest"
)

// memJournal is an in-memory Journal for tests of the engine's logic.
type memJournal struct {
	mu     sync.Mutex
	events []cc112.Event
	fail   error
}

func (j *memJournal) Append(events []cc112.Event) <-chan error {
	ch := make(chan error, 1)
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		ch <- j.fail
		return ch
	}
	for _, ev := range events {
		if ev.Seq != uint64(len(j.events))+1 {
			panic("memJournal: seq gap")
		}
		ev.Data = append(json.RawMessage(nil), ev.Data...)
		j.events = append(j.events, ev)
	}
	ch <- nil
	return ch
}

func (j *memJournal) Replay(ctx context.Context, after uint64, fn func(cc112.Event) error) error {
	j.mu.Lock()
	evs := append([]cc112.Event(nil), j.events...)
	j.mu.Unlock()
	for _, ev := range evs {
		if ev.Seq > after {
			if err := fn(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

func (j *memJournal) LastSeq() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return uint64(len(j.events))
}

func (j *memJournal) Ping(context.Context) error { return nil }
func (j *memJournal) Close() error               { return nil }

// recorder is a Publisher that keeps what it got.
type recorder struct {
	mu    sync.Mutex
	names []string
}

func (r *recorder) Publish(name string, data any) {
	r.mu.Lock()
	r.names = append(r.names, name)
	r.mu.Unlock()
}

// Test fixtures: a small city centred on Tugu Pahlawan.
var (
	center = citytest.Center
	t0     = time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) // 08:00 WIB
)

func near(dNorthM, dEastM float64) geo.Point { return citytest.Near(dNorthM, dEastM) }

func testUnits() []cc112.Unit { return citytest.Units() }

type fixture struct {
	eng   *Engine
	j     cc112.Journal
	mem   *memJournal // when j is the in-memory journal (tests that break it)
	clock *clocktest.Clock
	pub   *recorder
	area  ServiceArea // the engine's service area (nil: none), margin 2 km
	// plan and alarms replace the default plan (nil: DESIGN.md's, no levels).
	plan   cc112.ResponsePlan
	alarms cc112.AlarmLevels
}

// realJournal, when set, gives fixtures a real journal instead of the
// in-memory one: TestEngineSuiteOnRealJournals runs the rule tests on the
// bbolt and PostgreSQL journals with it. Tests using it do not run in
// parallel.
var realJournal func(t *testing.T) cc112.Journal

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOf(t, testUnits(), nil, nil)
}

// newFixtureOf is a fixture with its own fleet, plan and alarm levels
// (nil: the default plan, no levels).
func newFixtureOf(t *testing.T, units []cc112.Unit, plan cc112.ResponsePlan, alarms cc112.AlarmLevels) *fixture {
	t.Helper()
	f := &fixture{clock: clocktest.New(t0), pub: &recorder{}, plan: plan, alarms: alarms}
	if realJournal != nil {
		f.j = realJournal(t)
	} else {
		f.mem = &memJournal{}
		f.j = f.mem
	}
	f.eng = f.reopen(t)
	if err := f.eng.RegisterUnits(context.Background(), units); err != nil {
		t.Fatal(err)
	}
	return f
}

// count is how many events of typ the journal holds once every append
// made so far is durable (sampled positions are appended without waiting).
func (f *fixture) count(t *testing.T, typ string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.j.LastSeq() < f.eng.LastSeq() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	n := 0
	if err := f.j.Replay(context.Background(), 0, func(ev cc112.Event) error {
		if ev.Type == typ {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// reopen builds a new engine on the same journal: a restart.
func (f *fixture) reopen(t *testing.T) *Engine {
	t.Helper()
	cfg := Config{Journal: f.j, Clock: f.clock, Area: f.area, AreaMargin: 2000, Plan: f.plan, Alarms: f.alarms}
	if h, ok := f.j.(cc112.HistorySearch); ok { // PostgreSQL: history pages in SQL
		cfg.History = h
	}
	eng, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	eng.SetPublisher(f.pub)
	return eng
}

func (f *fixture) incident(t *testing.T, cat cc112.Category, p geo.Point) *cc112.Incident {
	t.Helper()
	inc, err := f.eng.CreateIncident(context.Background(), NewIncident{Category: cat, Location: &p}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := cc112.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
