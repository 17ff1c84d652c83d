package kpi_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"cc112"
	"cc112/internal/testenv"
	"cc112/internal/testjournal"
	"cc112/kpi"
)

// BenchmarkYearReportFromArchive: a response-time report over a year whose
// incidents are all archived (in the journal's store, as dispatchd keeps
// them after 7 days) and a week's in memory, on both journals; reported
// per report with and without a group-by, and the CSV export's read. The
// year is CC112_REPORT_INCIDENTS incidents (default 19,000: Surabaya's
// year; Jakarta's is ~640,000), closed, with 1–3 units of 6 agencies in
// 31 districts and 14 categories. CC112_REPORT_JOURNALS=bolt or postgres
// runs one. Goal: ≤ 1 s a report.
func BenchmarkYearReportFromArchive(b *testing.B) {
	n := 19_000
	if v, err := strconv.Atoi(os.Getenv("CC112_REPORT_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	year := time.Date(2025, 1, 1, 0, 0, 0, 0, cc112.WIB)
	for _, name := range testjournal.Names {
		if only := os.Getenv("CC112_REPORT_JOURNALS"); only != "" && only != name {
			continue
		}
		b.Run(name, func(b *testing.B) {
			j := testjournal.Open(b, name)
			t0 := time.Now()
			archiveYear(b, j, year, n)
			b.Logf("%s: %d incidents archived in %s", name, n, time.Since(t0).Round(time.Second))
			x := kpi.NewIndex(cc112.WIB)
			x.UseArchive(j.(kpi.Archive))
			r := rand.New(rand.NewPCG(9, 9))
			for i := range 300 { // the week in memory
				x.Put(kpi.FromIncident(yearIncident(r, fmt.Sprintf("mem_%d", i), year.AddDate(1, 0, -7))))
			}
			q := kpi.Query{From: year, To: year.AddDate(1, 0, 0)}
			for _, by := range []string{"", kpi.ByCategory, kpi.ByDay} {
				name := by
				if name == "" {
					name = "none"
				}
				b.Run(name, func(b *testing.B) {
					q.GroupBy = by
					c0 := testenv.CPUTime()
					for b.Loop() {
						rep, err := x.Report(context.Background(), q, kpi.DefaultTargets())
						if err != nil || rep.Overall.Count == 0 {
							b.Fatalf("%v (%d incidents)", err, rep.Overall.Count)
						}
					}
					b.ReportMetric(float64((testenv.CPUTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
				})
			}
			b.Run("export", func(b *testing.B) {
				q.GroupBy = ""
				for b.Loop() {
					got := 0
					if err := x.Export(context.Background(), q, func(recs []kpi.Record) error { got += len(recs); return nil }); err != nil || got == 0 {
						b.Fatalf("%v (%d records)", err, got)
					}
				}
			})
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(x.Len()), "incidents-in-memory")
			runtime.KeepAlive(x)
		})
	}
}

// archiveYear appends n incident.archived events of incidents received in
// the year from start, in batches, as the engine's sweeps write them.
func archiveYear(b *testing.B, j cc112.Journal, start time.Time, n int) {
	b.Helper()
	archiveYearFrom(b, j, start, n, 0)
}

// archiveYearFrom is archiveYear with IDs from the seed's series.
func archiveYearFrom(b *testing.B, j cc112.Journal, start time.Time, n int, seed uint64) {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 11+seed))
	seq := j.LastSeq()
	var batch []cc112.Event
	flush := func() {
		if err := <-j.Append(batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range n {
		recv := start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		inc := yearIncident(r, fmt.Sprintf("inc_%d_%09d", seed, i), recv)
		data, err := json.Marshal(cc112.IncidentDocumentPayload{Incident: inc})
		if err != nil {
			b.Fatal(err)
		}
		seq++
		batch = append(batch, cc112.Event{Seq: seq, Type: cc112.EvIncidentArchived, At: recv.Add(8 * 24 * time.Hour).UTC(), Data: data})
		if len(batch) == 500 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
}

var (
	yearCategories = []cc112.Category{cc112.CatFire, cc112.CatMedical, cc112.CatCrime, cc112.CatTrafficAccident, cc112.CatFlood,
		cc112.CatFallenTree, cc112.CatGasLeak, cc112.CatOther}
	yearAgencies = []string{"DAMKAR", "POLRI", "DKP", "DINKES", "BPBD", "SATPOLPP"}
)

// yearIncident is a closed incident received at recv: dispatched,
// en route, on scene (~3% without en route) and closed.
func yearIncident(r *rand.Rand, id string, recv time.Time) *cc112.Incident {
	recv = recv.UTC().Truncate(time.Microsecond)
	at := func(base time.Time, lo, spread int) *time.Time {
		t := base.Add(time.Duration(lo+r.IntN(spread)) * time.Second)
		return &t
	}
	sent := at(recv, 10, 120)
	enroute, onscene := at(*sent, 20, 100), at(*sent, 200, 600)
	if r.IntN(33) == 0 {
		enroute = nil
	}
	closed := at(*onscene, 600, 3600)
	inc := &cc112.Incident{ID: id, Number: "SBY-" + id, Status: cc112.IncidentClosed, Category: yearCategories[r.IntN(len(yearCategories))],
		Priority: 1 + r.IntN(3), District: fmt.Sprintf("D%02d", r.IntN(31)), ReceivedAt: recv, Address: "Jl. Darmo " + id,
		Description: "tabrakan motor", DispatchedAt: sent, EnrouteAt: enroute, OnsceneAt: onscene, ClosedAt: closed}
	for k := 0; k <= r.IntN(3); k++ {
		inc.Assignments = append(inc.Assignments, &cc112.Assignment{UnitID: fmt.Sprintf("u%d", k), Agency: yearAgencies[r.IntN(len(yearAgencies))]})
	}
	return inc
}

// BenchmarkLongWindowMemory: the heap a report and an export over a long
// window of archived records take (issue 21: ten years at Jakarta's
// volume is 6.4 million incidents). CC112_WINDOW_INCIDENTS incidents
// (default 200,000) received over ten years are archived in bbolt; each
// report or export over the ten years reports its peak heap above the
// heap before it (sampled every millisecond: a floor), and the bytes it
// allocated.
func BenchmarkLongWindowMemory(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("CC112_WINDOW_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, cc112.WIB)
	j := testjournal.Open(b, "bolt")
	t0 := time.Now()
	archiveYears(b, j, start, 10, n)
	b.Logf("%d incidents archived in %s", n, time.Since(t0).Round(time.Second))
	x := kpi.NewIndex(cc112.WIB)
	x.UseArchive(j.(kpi.Archive))
	q := kpi.Query{From: start, To: start.AddDate(10, 0, 0)}
	run := func(name string, fn func() int) {
		b.Run(name, func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				peak = max(peak, peakHeap(b, fn))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
	for _, by := range []string{"", kpi.ByDay} {
		q := q
		q.GroupBy = by
		run("report-"+cmp.Or(by, "none"), func() int {
			rep, err := x.Report(context.Background(), q, kpi.DefaultTargets())
			if err != nil {
				b.Fatal(err)
			}
			return rep.Overall.Count
		})
	}
	run("export", func() int {
		got := 0
		if err := x.Export(context.Background(), q, func(recs []kpi.Record) error { got += len(recs); return nil }); err != nil {
			b.Fatal(err)
		}
		return got
	})
}

// peakHeap runs fn (which must see records) and returns the highest live
// heap sampled while it ran, above the heap after a GC before it.
func peakHeap(b *testing.B, fn func() int) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		peak := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read())
				return
			case <-tick.C:
				peak = max(peak, read())
			}
		}
	}()
	if fn() == 0 {
		b.Fatal("no records")
	}
	close(stop)
	return <-done - base
}

// archiveYears archives n incidents received over years from start.
func archiveYears(b *testing.B, j cc112.Journal, start time.Time, years, n int) {
	b.Helper()
	for y := range years {
		archiveYearFrom(b, j, start.AddDate(y, 0, 0), n/years+boolInt(y < n%years), uint64(y))
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
