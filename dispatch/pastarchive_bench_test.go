package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/internal/pgtest"
	"cc112/internal/testjournal"
)

// BenchmarkTenYearsOfRosters: 300 units × 3 shifts a day × 10 years
// (3,287,100 shifts, two crew names each) in the engine's memory, then the
// sweep that archives those ended before the history window (7 days), on
// each journal. Reports the rosters' heap before and after the sweep, the
// sweep's time, and one past read: the roster of the whole city at a time
// five years back (RosterAt) and a unit's page of 50 shifts from then
// (RosterPage). The shifts are put in memory directly, not through 1.1
// million roster commands (hours): only the sweep and the reads go
// through the engine and the journal. Run with -benchtime=1x.
func BenchmarkTenYearsOfRosters(b *testing.B) {
	for _, name := range testjournal.Names {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				benchTenYearsOfRosters(b, name)
			}
		})
	}
}

func benchJournal(b *testing.B, name string) cc112.Journal {
	if name == "bolt" {
		return testjournal.BoltAt(b, b.TempDir())
	}
	return testjournal.PostgresAt(b, pgtest.URL(b))
}

func heapMB() float64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / 1e6
}

func benchTenYearsOfRosters(b *testing.B, name string) {
	ctx := context.Background()
	j := benchJournal(b, name)
	defer j.Close()
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := first.AddDate(10, 0, 0)
	clock := fixedClock{end.Add(time.Hour)}
	e, err := New(ctx, Config{Journal: j, Clock: clock, Logger: slog.New(slog.DiscardHandler),
		Archive: j.(cc112.IncidentArchive), HistoryWindow: 7 * 24 * time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	units := make([]cc112.Unit, 300)
	for k := range units {
		units[k] = cc112.Unit{ID: fmt.Sprintf("u%03d", k), Callsign: fmt.Sprintf("U-%03d", k), Type: cc112.UnitFire, Agency: "damkar",
			Station: "st", Status: cc112.UnitAvailable, Location: geo.Point{Lat: -7.25, Lon: 112.75}}
	}
	if err := e.RegisterUnits(ctx, units); err != nil {
		b.Fatal(err)
	}
	base := heapMB()
	total := 0
	e.mu.Lock()
	for _, u := range units {
		var list []cc112.Shift
		for from := first; from.Before(end); from = from.Add(8 * time.Hour) {
			// Each shift's own strings, as a replay decodes them.
			crew := []string{strings.Clone("crew-a-" + u.ID), strings.Clone("crew-b-" + u.ID)}
			list = append(list, cc112.Shift{UnitID: strings.Clone(u.ID), Crew: crew, From: from, To: from.Add(8 * time.Hour)})
		}
		e.rosters[u.ID] = list
		total += len(list)
	}
	e.mu.Unlock()
	before := heapMB() - base
	ckptBefore := checkpointMB(b, e, func(s *coreSnapshot) any { return s.Rosters })
	start := time.Now()
	n, err := e.ArchiveShifts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	after := heapMB() - base
	left := 0
	e.mu.RLock()
	for _, list := range e.rosters {
		left += len(list)
	}
	e.mu.RUnlock()
	b.ReportMetric(float64(total), "shifts")
	b.ReportMetric(float64(left), "shifts-in-memory")
	b.ReportMetric(before, "rosters-heap-MB-before")
	b.ReportMetric(after, "rosters-heap-MB-after")
	b.ReportMetric(took.Seconds(), "sweep-s")
	b.ReportMetric(ckptBefore, "ckpt-rosters-MB-before")
	b.ReportMetric(checkpointMB(b, e, func(s *coreSnapshot) any { return s.Rosters }), "ckpt-rosters-MB-after")
	if n+left != total {
		b.Fatalf("archived %d, %d left of %d", n, left, total)
	}

	past := first.AddDate(5, 0, 0).Add(3 * time.Hour)
	const reads = 50
	start = time.Now()
	for k := range reads {
		list, err := e.RosterAt(ctx, past.Add(time.Duration(k)*time.Hour))
		if err != nil || len(list) != len(units) {
			b.Fatalf("roster at %s: %d units, %v", past, len(list), err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/reads, "past-roster-at-µs")
	start = time.Now()
	for k := range reads {
		page, err := e.RosterPage(ctx, units[k].ID, past, cc112.PageRequest{Limit: 50})
		if err != nil || len(page.Items) != 50 || page.NextCursor == "" {
			b.Fatalf("roster page: %d shifts, %v", len(page.Items), err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/reads, "past-roster-page-µs")
}

// BenchmarkImportAgainstBigArchive: 200,000 imported incidents over ten
// years through ImportIncidents, then the sweep that archives them, on
// each journal. Reports the heap of the engine's external-id map (and of
// the whole engine's growth) before and after, and the time of one import
// batch of 1,000 new records and of one of 1,000 archived ones (all
// refused) against that archive. Run with -benchtime=1x.
func BenchmarkImportAgainstBigArchive(b *testing.B) {
	for _, name := range testjournal.Names {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				benchImportAgainstBigArchive(b, name)
			}
		})
	}
}

func benchImportAgainstBigArchive(b *testing.B, name string) {
	ctx := context.Background()
	j := benchJournal(b, name)
	defer j.Close()
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := fixedClock{first.AddDate(10, 0, 8)} // every import closed before the window
	e, err := New(ctx, Config{Journal: j, Clock: clock, Logger: slog.New(slog.DiscardHandler),
		Archive: j.(cc112.IncidentArchive), HistoryWindow: 7 * 24 * time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	loc := geo.Point{Lat: -7.25, Lon: 112.75}
	const total, batch = 200_000, 1000
	step := first.AddDate(10, 0, 0).Sub(first) / total
	items := func(from, n int) []ImportedIncident {
		out := make([]ImportedIncident, n)
		for k := range out {
			at := first.Add(time.Duration(from+k) * step)
			closed := at.Add(40 * time.Minute)
			out[k] = ImportedIncident{ExternalID: fmt.Sprintf("SBY-%07d", from+k), Category: cc112.CatFire, Priority: 2, Location: &loc,
				ReceivedAt: &at, ClosedAt: &closed, Units: []ImportedUnit{{Callsign: "DMK-01", Type: cc112.UnitFire}}}
		}
		return out
	}
	base := heapMB()
	for from := 0; from < total; from += batch {
		if _, err := e.ImportIncidents(ctx, items(from, batch)); err != nil {
			b.Fatal(err)
		}
	}
	// The map's size: a copy built as the engine builds it (maps.Clone
	// would copy its buckets, however empty).
	mapMB := func() float64 {
		e.mu.RLock()
		defer e.mu.RUnlock()
		before := heapMB()
		clone := map[string]string{}
		for k, v := range e.imported {
			clone[strings.Clone(k)] = strings.Clone(v) // its own strings, as the archive leaves them
		}
		size := heapMB() - before
		runtime.KeepAlive(clone)
		return size
	}
	engineBefore, mapBefore := heapMB()-base, mapMB()
	imported := func(s *coreSnapshot) any { return s.Imported }
	ckptBefore := checkpointMB(b, e, imported)
	start := time.Now()
	n, err := e.ArchiveClosed(ctx)
	if err != nil || n != total {
		b.Fatalf("archived %d of %d: %v", n, total, err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "sweep-s")
	b.ReportMetric(engineBefore, "engine-growth-MB-before")
	b.ReportMetric(heapMB()-base, "engine-growth-MB-after")
	b.ReportMetric(mapBefore, "imported-map-MB-before")
	b.ReportMetric(mapMB(), "imported-map-MB-after")
	b.ReportMetric(float64(e.ImportedCount()), "imported-in-memory")
	b.ReportMetric(ckptBefore, "ckpt-imported-MB-before")
	b.ReportMetric(checkpointMB(b, e, imported), "ckpt-imported-MB-after")

	start = time.Now()
	res, err := e.ImportIncidents(ctx, items(total, batch))
	if err != nil || res[0] != nil {
		b.Fatalf("new batch: %v %v", err, res[0])
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "new-batch-ms")
	seq := e.LastSeq()
	start = time.Now()
	res, err = e.ImportIncidents(ctx, items(total/2, batch))
	if err != nil || res[0] != ErrAlreadyImported || e.LastSeq() != seq {
		b.Fatalf("archived batch: %v %v, %d events", err, res[0], e.LastSeq()-seq)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "archived-batch-ms")
}

// checkpointMB is the size of part of the engine's checkpoint, encoded.
func checkpointMB(b *testing.B, e *Engine, part func(*coreSnapshot) any) float64 {
	e.mu.RLock()
	s := coreState{e}.Snapshot().(*coreSnapshot)
	e.mu.RUnlock()
	data, err := json.Marshal(part(s))
	if err != nil {
		b.Fatal(err)
	}
	return float64(len(data)) / 1e6
}

// fixedClock is a clock that stands still.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
