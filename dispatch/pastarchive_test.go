package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"cc112"
	"cc112/internal/clocktest"
	"cc112/internal/testjournal"
)

// An imported incident archived leaves the engine's map of external ids;
// a re-import of it is refused from the archive and journals nothing, on
// both journals and after every kind of start.
func TestReimportOfArchivedIsRefused(t *testing.T) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		ctx := context.Background()
		e := f.open(t, true)
		loc := near(0, 0)
		item := func(ext string, received time.Time) ImportedIncident {
			return ImportedIncident{ExternalID: ext, Category: cc112.CatFire, Priority: 1, Location: &loc,
				ReceivedAt: &received, ClosedAt: tp(received.Add(time.Hour).Format(time.RFC3339))}
		}
		old := time.Date(2025, 6, 1, 17, 0, 0, 0, time.UTC)
		recent := f.clock.Now().Add(-24 * time.Hour)
		for _, err := range must[[]error](t)(e.ImportIncidents(ctx, []ImportedIncident{item("H1", old), item("H2", old),
			item("H3", old.Add(time.Hour)), item("R1", recent)})) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must[uint64](t)(e.Checkpoint(ctx))
		if n := must[int](t)(e.ArchiveClosed(ctx)); n != 3 {
			t.Fatalf("archived %d, want the 3 old imports", n)
		}
		held := func(e *Engine) string {
			e.mu.RLock()
			defer e.mu.RUnlock()
			return fmt.Sprint(slices.Sorted(maps.Keys(e.imported)))
		}
		if got := held(e); got != "[R1]" {
			t.Fatalf("the engine holds the external ids %s, want only the one in memory", got)
		}

		seq := e.LastSeq()
		res := must[[]error](t)(e.ImportIncidents(ctx, []ImportedIncident{item("H1", old), item("H9", old), item("H2", old), item("H9", old), item("R1", recent)}))
		if fmt.Sprint(res) != fmt.Sprint([]error{ErrAlreadyImported, nil, ErrAlreadyImported, ErrAlreadyImported, ErrAlreadyImported}) {
			t.Errorf("re-import: %v", res)
		}
		if e.LastSeq() != seq+1 {
			t.Errorf("re-import journaled %d events, want 1 (H9)", e.LastSeq()-seq)
		}
		check := func(when string, e *Engine) {
			t.Helper()
			seq := e.LastSeq()
			res := must[[]error](t)(e.ImportIncidents(ctx, []ImportedIncident{item("H3", old), item("H9", old)}))
			if res[0] != ErrAlreadyImported || res[1] != ErrAlreadyImported || e.LastSeq() != seq {
				t.Errorf("%s: re-import of an archived and a held one: %v, %d events", when, res, e.LastSeq()-seq)
			}
			if got := held(e); got != "[H9 R1]" {
				t.Errorf("%s: the engine holds the external ids %s", when, got)
			}
			e.mu.RLock()
			snap := coreState{e}.Snapshot().(*coreSnapshot)
			e.mu.RUnlock()
			if len(snap.Imported) != 2 {
				t.Errorf("%s: the checkpoint carries %d external ids, want 2", when, len(snap.Imported))
			}
		}
		check("after the sweep", e)
		check("checkpoint before the sweep + tail", f.open(t, true))
		check("full replay", f.open(t, false))
	})
}

// rosterMonth gives units f1, f2 and p1 a month of shifts (day 08–16,
// night 16–08: each evening's roster change carries the night crew on, so
// nights are joined shifts) from 2026-03-01, and a1 ten days of them, then
// no schedule. It leaves the clock at the month's end.
func rosterMonth(t *testing.T, e *Engine, f *archiveFixture) {
	t.Helper()
	ctx := context.Background()
	if err := e.RegisterUnits(ctx, testUnits()); err != nil {
		t.Fatal(err)
	}
	sup := Author{Username: "sup", Role: "supervisor"}
	day0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for d := range 30 {
		moveClock(f.clock, day0.Add(time.Duration(d)*24*time.Hour-time.Hour))
		for _, u := range []string{"f1", "f2", "p1", "a1"} {
			var shifts []ShiftInput
			if u != "a1" || d < 10 {
				start := f.clock.Now()
				shifts = []ShiftInput{{Crew: []string{"night-" + u}, From: start, To: start.Add(9 * time.Hour)},
					{Crew: []string{"day-" + u, fmt.Sprint("trainee-", u, d%3)}, From: start.Add(9 * time.Hour), To: start.Add(17 * time.Hour)},
					{Crew: []string{"night-" + u}, From: start.Add(17 * time.Hour), To: start.Add(33 * time.Hour)}}
			}
			must[[]cc112.Shift](t)(e.SetRoster(ctx, u, shifts, sup, "", ""))
		}
	}
	moveClock(f.clock, day0.Add(30*24*time.Hour))
}

// rosterAnswers is every roster read as JSON: who was on duty every five
// hours of the month (and before it), and each unit's shifts paged from
// the month's start and from within it.
func rosterAnswers(t *testing.T, e *Engine) string {
	t.Helper()
	ctx := context.Background()
	out := ""
	day0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for at := day0.Add(-24 * time.Hour); at.Before(day0.Add(32 * 24 * time.Hour)); at = at.Add(5 * time.Hour) {
		list := must[[]OnDuty](t)(e.RosterAt(ctx, at))
		b, _ := json.Marshal(list)
		out += fmt.Sprintf("at %s %s\n", at.Format(time.RFC3339), b)
	}
	for _, u := range []string{"f1", "f2", "p1", "a1", "d1"} {
		for _, from := range []time.Time{day0.Add(-time.Hour), day0.Add(100 * time.Hour), day0.Add(27*24*time.Hour + 3*time.Hour)} {
			req := cc112.PageRequest{Limit: 7}
			for n := 0; ; n++ {
				page := must[cc112.Page[cc112.Shift]](t)(e.RosterPage(ctx, u, from, req))
				b, _ := json.Marshal(page)
				out += fmt.Sprintf("%s from %s page %d %s\n", u, from.Format(time.RFC3339), n, b)
				if page.NextCursor == "" {
					break
				}
				req.Cursor = page.NextCursor
			}
		}
	}
	return out
}

// Shifts ended longer than the history window ago leave memory (a unit's
// last one stays); every roster read answers as before the sweep, after a
// start from a checkpoint taken before it (+ the tail), from one taken
// after it, and after a full replay.
func TestPastShiftsArchived(t *testing.T) {
	eachArchiveJournal(t, func(t *testing.T, f *archiveFixture) {
		ctx := context.Background()
		e := f.open(t, true)
		rosterMonth(t, e, f)
		want := rosterAnswers(t, e)
		must[uint64](t)(e.Checkpoint(ctx))
		before := 0
		for _, list := range e.rosters {
			before += len(list)
		}

		moveClock(f.clock, f.clock.Now().Add(24*time.Hour)) // 2026-04-01: the cutoff is 03-25
		cutoff := f.clock.Now().Add(-7 * 24 * time.Hour)
		n := must[int](t)(e.ArchiveShifts(ctx))
		if again := must[int](t)(e.ArchiveShifts(ctx)); again != 0 {
			t.Errorf("a second sweep archived %d", again)
		}
		kept := func(e *Engine) int {
			e.mu.RLock()
			defer e.mu.RUnlock()
			left := 0
			for id, list := range e.rosters {
				left += len(list)
				for k, s := range list[:len(list)-1] {
					if s.To.Before(cutoff) {
						t.Errorf("%s's shift %d (%s–%s) is still in memory", id, k, s.From, s.To)
					}
				}
			}
			return left
		}
		left := kept(e)
		if n == 0 || left+n != before || left > 4*3*8 {
			t.Fatalf("archived %d of %d shifts, %d left in memory", n, before, left)
		}
		if got := rosterAnswers(t, e); got != want {
			t.Errorf("after archiving:\n%s", firstDiff(got, want))
		}
		for _, start := range []struct {
			name        string
			checkpoints bool
			take        bool
		}{
			{"checkpoint before the sweep + tail", true, false},
			{"checkpoint after the sweep", true, true},
			{"full replay", false, false},
		} {
			e = f.open(t, start.checkpoints)
			if start.take {
				must[uint64](t)(e.Checkpoint(ctx))
				e = f.open(t, true)
			}
			if got := kept(e); got != left {
				t.Errorf("%s: %d shifts in memory, want %d", start.name, got, left)
			}
			if got := rosterAnswers(t, e); got != want {
				t.Errorf("%s:\n%s", start.name, firstDiff(got, want))
			}
		}
		// The schedule still holds: a1, off the schedule since day 10,
		// stays in service; f1, whose shifts ended, is taken out.
		must[any](t)(nil, e.ApplySchedule(ctx))
		if u := must[cc112.Unit](t)(e.Unit("a1")); u.Status != cc112.UnitAvailable {
			t.Errorf("unscheduled a1: %s", u.Status)
		}
		if u := must[cc112.Unit](t)(e.Unit("f1")); !u.OffShift {
			t.Errorf("f1 after its last shift: %s, not off shift", u.Status)
		}
	})
}

// sweepingArchive is the journal's archive, but its first lookup of
// external ids runs the incident sweep right after reading: the import
// that asked meets an archive that changed before it took the lock.
type sweepingArchive struct {
	cc112.IncidentArchive
	e    *Engine
	once bool
}

func (a *sweepingArchive) ArchivedImports(ctx context.Context, ext []string) (map[string]string, error) {
	found, err := a.IncidentArchive.(cc112.ImportArchive).ArchivedImports(ctx, ext)
	if !a.once {
		a.once = true
		if n, err := a.e.ArchiveClosed(ctx); err != nil || n != 1 {
			return nil, fmt.Errorf("sweep: %d, %v", n, err)
		}
	}
	return found, err
}

// An imported incident archived between an import's read of the archive
// and its command is still refused: the import reads again.
func TestReimportWhileArchived(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC))
	j := testjournal.Bolt(t)
	a := &sweepingArchive{IncidentArchive: j.(cc112.IncidentArchive), once: true}
	e := must[*Engine](t)(New(ctx, Config{Journal: j, Clock: clock, Archive: a, HistoryWindow: 7 * 24 * time.Hour}))
	a.e = e
	loc := near(0, 0)
	old := time.Date(2025, 6, 1, 17, 0, 0, 0, time.UTC)
	item := []ImportedIncident{{ExternalID: "H1", Category: cc112.CatFire, Priority: 1, Location: &loc, ReceivedAt: &old, ClosedAt: &old}}
	must[[]error](t)(e.ImportIncidents(ctx, item))
	a.once = false
	seq := e.LastSeq()
	res := must[[]error](t)(e.ImportIncidents(ctx, item))
	if res[0] != ErrAlreadyImported || e.LastSeq() != seq+1 { // the sweep's event only
		t.Errorf("re-import while archived: %v, %d events", res[0], e.LastSeq()-seq)
	}
}
