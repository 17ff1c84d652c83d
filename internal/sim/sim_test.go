package sim

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/city"
	"cc112/dispatch"
)

// memJournal acknowledges at once; the simulator's logic is under test,
// not storage.
type memJournal struct {
	mu  sync.Mutex
	seq uint64
}

func (j *memJournal) Append(evs []cc112.Event) <-chan error {
	j.mu.Lock()
	j.seq = evs[len(evs)-1].Seq
	j.mu.Unlock()
	ch := make(chan error, 1)
	ch <- nil
	return ch
}
func (j *memJournal) Replay(context.Context, uint64, func(cc112.Event) error) error { return nil }
func (j *memJournal) LastSeq() uint64                                               { j.mu.Lock(); defer j.mu.Unlock(); return j.seq }
func (j *memJournal) Ping(context.Context) error                                    { return nil }
func (j *memJournal) Close() error                                                  { return nil }

type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

// An hour of simulated city: incidents arrive, get units, units drive and
// arrive, incidents close, and every unit's state stays consistent.
func TestSimulatedHour(t *testing.T) {
	ctx := context.Background()
	clock := &stepClock{t: time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)}
	city := city.Demo()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: &memJournal{}, Clock: clock, Districts: city.Districts, Area: city.Districts, AreaMargin: 2000, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(ctx, city.Units); err != nil {
		t.Fatal(err)
	}
	start := map[string]cc112.Unit{}
	for _, u := range eng.Units() {
		start[u.ID] = u
	}
	var simLog syncBuffer // the simulator warns of each refused command
	s := New(eng, city, clock, slog.New(slog.NewTextHandler(&simLog, nil)))
	s.nextIncident = clock.t
	for i := 0; i < 1800; i++ { // 1800 steps of 2 s
		s.Step(ctx)
		clock.t = clock.t.Add(s.Tick)
	}
	all, err := eng.IncidentsInMemory("all")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(simLog.String(), "out_of_area") {
		t.Errorf("the simulator made incidents outside the service area: %s", simLog.String())
	}
	var closed, arrived int
	for _, inc := range all {
		if inc.District == "" {
			t.Errorf("incident %s outside the city at %v", inc.Number, inc.Location)
		}
		if inc.OnsceneAt != nil {
			arrived++
		}
		if !inc.Active() {
			closed++
		}
	}
	// A mean gap of 45 s gives about 80 incidents in an hour.
	if len(all) < 40 || arrived < 10 || closed < 5 {
		t.Fatalf("after an hour: %d incidents, %d with a unit on scene, %d closed", len(all), arrived, closed)
	}
	moved := 0
	for _, u := range eng.Units() {
		if u.Location != start[u.ID].Location {
			moved++
		}
		if u.IncidentID != "" {
			inc, err := eng.Incident(u.IncidentID)
			if err != nil || !inc.Active() {
				t.Errorf("unit %s on a missing or closed incident %s", u.Callsign, u.IncidentID)
			}
		}
	}
	if moved < 5 {
		t.Fatalf("only %d units moved in an hour", moved)
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
