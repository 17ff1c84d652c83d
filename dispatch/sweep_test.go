package dispatch

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"cc112"
)

// gatedJournal holds the next append whose first event is of type typ at
// two points, each until the test lets it on: before the journal writes
// it (commit), and once it is durable, before the engine hears so (tell).
// Other appends go straight through.
type gatedJournal struct {
	cc112.Journal
	typ   string
	armed atomic.Bool
	// appended: the held append was made (the engine's command has
	// applied its events and is, or soon will be, waiting for them).
	appended, commit, committed, tell chan struct{}
}

func gate(j cc112.Journal, typ string) *gatedJournal {
	return &gatedJournal{Journal: j, typ: typ, appended: make(chan struct{}), commit: make(chan struct{}),
		committed: make(chan struct{}), tell: make(chan struct{})}
}

// gateAppends has the engines f opens append through one gatedJournal
// (a reopened engine through the same gate, on its new journal).
func (f *archiveFixture) gateAppends(typ string) *gatedJournal {
	g := gate(nil, typ)
	f.wrap = func(j cc112.Journal) cc112.Journal { g.Journal = j; return g }
	return g
}

func (g *gatedJournal) Append(events []cc112.Event) <-chan error {
	if len(events) == 0 || events[0].Type != g.typ || !g.armed.CompareAndSwap(true, false) {
		return g.Journal.Append(events)
	}
	out := make(chan error, 1)
	go func() {
		g.appended <- struct{}{}
		<-g.commit
		err := <-g.Journal.Append(events)
		g.committed <- struct{}{}
		<-g.tell
		out <- err
	}()
	return out
}

// A checkpoint taken after an archiving batch is durable but before the
// metrics index is told to forget it carries that batch's rows; a start
// from it holds only what the engine holds. A sweep whose caller stops
// waiting while its batch commits keeps the batch readable until the
// journal holds it and has the index forget it then. Both journals.
func TestSweepBetweenCommitAndForget(t *testing.T) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		ctx := context.Background()
		g := f.gateAppends(cc112.EvIncidentArchived)
		e := f.open(t, true)
		ids := archiveHistory(t, e, f.clock)
		want := answers(t, e, f.metrics, ids)

		moveClock(f.clock, time.Date(2026, 3, 21, 17, 0, 0, 0, time.UTC))
		g.armed.Store(true)
		swept := make(chan error, 1)
		go func() { _, err := e.ArchiveClosed(ctx); swept <- err }()
		<-g.appended
		g.commit <- struct{}{}
		<-g.committed
		seq := must[uint64](t)(e.Checkpoint(ctx)) // the index still holds the batch
		g.tell <- struct{}{}
		if err := <-swept; err != nil {
			t.Fatal(err)
		}
		held := e.IncidentCount()
		if held == len(ids) || f.metrics.Len() != held {
			t.Fatalf("after the sweep: the engine holds %d of %d incidents, the metrics index %d", held, len(ids), f.metrics.Len())
		}
		f.forgot = make(chan string, 3) // the next sweep's
		e = f.open(t, true)
		if got := e.CheckpointStats().LoadedSeq; got != seq {
			t.Fatalf("started from seq %d, want the checkpoint of %d", got, seq)
		}
		if f.metrics.Len() != held || e.IncidentCount() != held {
			t.Errorf("started from the checkpoint: the metrics index holds %d incidents, the engine %d, want %d",
				f.metrics.Len(), e.IncidentCount(), held)
		}
		if got := answers(t, e, f.metrics, ids); got != want {
			t.Errorf("started from the checkpoint:\n%s", firstDiff(got, want))
		}

		// Three imports of last year, archived by a sweep whose caller
		// gives up while the batch is on its way to the journal.
		loc := near(0, 0)
		var late []ImportedIncident
		for k := range 3 {
			recv := time.Date(2025, 6, 1+k, 17, 0, 0, 0, time.UTC)
			closed := recv.Add(time.Hour)
			late = append(late, ImportedIncident{ExternalID: fmt.Sprint("C", k), Category: cc112.CatFire, Priority: 1,
				Location: &loc, ReceivedAt: &recv, ClosedAt: &closed})
		}
		for _, err := range must[[]error](t)(e.ImportIncidents(ctx, late)) {
			if err != nil {
				t.Fatal(err)
			}
		}
		var lateIDs []string
		for _, inc := range e.incidents {
			if inc.Source == cc112.ImportSource && inc.ReceivedAt.Year() == 2025 && inc.Number[0] == 'C' {
				lateIDs = append(lateIDs, inc.ID)
			}
		}
		if len(lateIDs) != 3 {
			t.Fatalf("imported %d", len(lateIDs))
		}
		cctx, cancel := context.WithCancel(ctx)
		g.armed.Store(true)
		go func() { _, err := e.ArchiveClosed(cctx); swept <- err }()
		<-g.appended
		cancel()
		if err := <-swept; !errors.Is(err, context.Canceled) {
			t.Fatalf("a sweep given up: %v", err)
		}
		for _, id := range lateIDs { // neither in memory nor in the archive yet
			if _, err := e.Incident(id); err != nil {
				t.Errorf("an incident of a batch on its way to the journal: %v", err)
			}
		}
		g.commit <- struct{}{}
		<-g.committed
		g.tell <- struct{}{}
		for range lateIDs {
			select {
			case <-f.forgot:
			case <-time.After(30 * time.Second):
				t.Fatal("the metrics index was never told of the batch the given-up sweep archived")
			}
		}
		if n := e.IncidentCount(); f.metrics.Len() != n || n != held {
			t.Errorf("after the given-up sweep's batch: the metrics index holds %d, the engine %d, want %d", f.metrics.Len(), n, held)
		}
		for _, id := range lateIDs {
			if inc, err := e.Incident(id); err != nil || inc.ID != id {
				t.Errorf("archived by the given-up sweep: %v", err)
			}
		}
	})
}

// A past-roster read while the shift sweep moves shifts to the archive
// answers byte for byte as before the sweep: when memory has let them go
// and the journal does not hold them yet (the in-flight shifts), when
// both hold them, and after. Both journals.
func TestPastRosterReadDuringShiftSweep(t *testing.T) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		ctx := context.Background()
		g := f.gateAppends(cc112.EvRosterArchived)
		e := f.open(t, false)
		rosterMonth(t, e, f)
		want := rosterAnswers(t, e)
		inMemory := func() int {
			e.mu.RLock()
			defer e.mu.RUnlock()
			n := 0
			for _, list := range e.rosters {
				n += len(list)
			}
			return n
		}
		before := inMemory()

		moveClock(f.clock, f.clock.Now().Add(24*time.Hour))
		g.armed.Store(true)
		swept := make(chan int, 1)
		go func() { swept <- must[int](t)(e.ArchiveShifts(ctx)) }()
		<-g.appended
		if left := inMemory(); left >= before {
			t.Fatalf("the sweep let no shift go: %d of %d in memory", left, before)
		}
		if got := rosterAnswers(t, e); got != want {
			t.Errorf("the sweep's shifts in memory only:\n%s", firstDiff(got, want))
		}
		g.commit <- struct{}{}
		<-g.committed
		if got := rosterAnswers(t, e); got != want {
			t.Errorf("the sweep's shifts in memory and in the archive:\n%s", firstDiff(got, want))
		}
		g.tell <- struct{}{}
		if n := <-swept; n != before-inMemory() {
			t.Fatalf("archived %d, %d of %d left", n, inMemory(), before)
		}
		if got := rosterAnswers(t, e); got != want {
			t.Errorf("after the sweep:\n%s", firstDiff(got, want))
		}
	})
}
