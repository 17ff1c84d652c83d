package dispatch_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
	"cc112/internal/testenv"
	"cc112/internal/testjournal"
	"cc112/kpi"
)

// BenchmarkStartup measures a start on a long journal: a full replay, and
// a start from a checkpoint plus a tail of 50,000 events (half the default
// -checkpoint-every), on both journals. The journal is years of a city:
// an incident every 30 minutes (~17,000 a year; 10,000,000 events are
// about ten years) with its dispatch, en route, on scene and closing, and
// the breadcrumbs of each unit's trip (a journaled sample every 15 s: 20
// en route, 10 on scene); 200 units. Size with
// CC112_STARTUP_EVENTS (default 1,000,000); CC112_STARTUP_JOURNALS=bolt or
// postgres runs one. Reports seconds per start, the checkpoint's size,
// the write-path pause of taking it and the heap after the start.
//
// CC112_STARTUP_ARCHIVE=1 runs it as dispatchd does with closed history out
// of memory: the generator archives what closed more than 7 days before
// once a simulated day, and the metrics index is wired as dispatchd's
// (checkpointed, forgetting archived incidents, reading their records from
// the journal's archive); it also reports the resident memory of the
// process after the start, the time of history pages and of a report over
// the last year (most of it in the archive).
// CC112_STARTUP_HEAPPROFILE=file writes the heap's profile after the start.
func BenchmarkStartup(b *testing.B) {
	if os.Getenv("CC112_STARTUP_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 4096
	}
	archive := os.Getenv("CC112_STARTUP_ARCHIVE") == "1"
	total := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CC112_STARTUP_EVENTS")); err == nil && v > 0 {
		total = v
	}
	for _, name := range testjournal.Names {
		if only := os.Getenv("CC112_STARTUP_JOURNALS"); only != "" && only != name {
			continue
		}
		b.Run(name, func(b *testing.B) {
			reopen, pgURL := journalReopener(b, name)
			j := reopen()
			ctx := context.Background()
			store := j.(cc112.CheckpointStore)
			genStart := time.Now()
			eng, clock, bulk := generateYears(b, j, store, total, archive)
			if _, err := eng.Checkpoint(ctx); err != nil {
				b.Fatal(err)
			}
			st := eng.CheckpointStats()
			tail := moveUnits(b, eng, clock, 50_000)
			if err := bulk.finish(); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d events generated in %s", name, j.LastSeq(), time.Since(genStart).Round(time.Second))
			if j.LastSeq() != tail {
				b.Fatalf("journal ends at %d, want %d", j.LastSeq(), tail)
			}
			eng = nil
			// Started as dispatchd restarts: the journal opened again (its
			// pages mapped afresh; the kernel's cache stays warm).
			if err := j.Close(); err != nil {
				b.Fatal(err)
			}
			t0, c0 := time.Now(), testenv.CPUTime()
			j = reopen()
			opened, openedCPU := time.Since(t0), testenv.CPUTime()-c0
			store = j.(cc112.CheckpointStore)

			var metrics *kpi.Index // the start's, as dispatchd's
			start := func(withStore bool) (*dispatch.Engine, time.Duration, time.Duration) {
				cfg := dispatch.Config{Journal: j, Clock: clock, Logger: quiet}
				if archive {
					metrics = archivedMetrics(&cfg, j)
					if h, ok := j.(cc112.HistorySearch); ok {
						cfg.History = h
					}
				}
				if withStore {
					cfg.Checkpoints = store
				}
				runtime.GC()
				syscall.Sync() // the generation's gigabytes written back first: a restart does not follow a bulk write
				t0, c0 := time.Now(), testenv.CPUTime()
				e, err := dispatch.New(ctx, cfg)
				if err != nil {
					b.Fatal(err)
				}
				return e, time.Since(t0), testenv.CPUTime() - c0
			}
			var (
				took, cpu time.Duration
				e         *dispatch.Engine
			)
			b.ResetTimer()
			for range b.N {
				e, took, cpu = start(true)
				if e.CheckpointStats().LoadedSeq != st.LastSeq || e.LastSeq() != tail {
					b.Fatalf("started from %d to %d, want %d to %d", e.CheckpointStats().LoadedSeq, e.LastSeq(), st.LastSeq, tail)
				}
			}
			b.StopTimer()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if archive {
				debug.FreeOSMemory()
				b.ReportMetric(residentMB(b, "RssAnon:"), "rss-anon-MB") // the heap's pages
				b.ReportMetric(residentMB(b, "RssFile:"), "rss-file-MB") // bbolt's mmap: the page cache, reclaimable
				b.ReportMetric(float64(e.IncidentCount()), "incidents-in-memory")
				b.ReportMetric(float64(metrics.Len()), "incidents-in-metrics") // those in memory, restored from the checkpoint
				year := kpi.Query{From: clock.Now().AddDate(-1, 0, 0), To: clock.Now()}
				for _, warm := range []string{"", "-warm"} {
					t0, c0 := time.Now(), testenv.CPUTime()
					rep, err := metrics.Report(ctx, year, kpi.DefaultTargets())
					if err != nil {
						b.Fatalf("the year's report: %v", err)
					}
					b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "report-year-ms"+warm)
					b.ReportMetric(float64((testenv.CPUTime()-c0).Microseconds())/1000, "report-year-cpu-ms"+warm)
					b.ReportMetric(float64(rep.Overall.Count), "report-year-incidents")
				}
				pages := func(suffix string) {
					midway := dispatch.IncidentQuery{Status: "closed", Limit: 50, To: genFrom.Add(clock.Now().Sub(genFrom) / 2)}
					mid, err := e.SearchIncidents(ctx, midway, cc112.Everyone)
					if err != nil || len(mid.Items) == 0 {
						b.Fatalf("midway: %v", err)
					}
					for _, q := range []struct {
						name  string
						q     dispatch.IncidentQuery
						items int
					}{
						{"page-ms", dispatch.IncidentQuery{Status: "closed", Limit: 50}, 50},
						{"page-midway-ms", midway, 50},
						{"page-text-ms", dispatch.IncidentQuery{Status: "all", Limit: 50, Text: "tabrakan"}, 50},
						// One incident's number: a text found once in the years.
						{"page-rare-ms", dispatch.IncidentQuery{Status: "all", Limit: 50, Text: mid.Items[len(mid.Items)-1].Number}, 1},
					} {
						// The first read after the start (cold: bbolt's pages
						// come into its mmap), then the same again.
						for _, warm := range []string{"", "-warm"} {
							t0, c0 := time.Now(), testenv.CPUTime()
							page, err := e.SearchIncidents(ctx, q.q, cc112.Everyone)
							if err != nil || len(page.Items) != q.items {
								b.Fatalf("%s: %v (%d items)", q.name, err, len(page.Items))
							}
							b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, q.name+suffix+warm)
							if warm != "" {
								b.ReportMetric(float64((testenv.CPUTime()-c0).Microseconds())/1000, q.name+suffix+"-cpu")
							}
						}
					}
				}
				pages("")
				if pgURL != "" {
					// What autovacuum's ANALYZE gives the planner within a
					// minute on a default server (the test server runs
					// without it): the pages above had no statistics.
					pgtest.Exec(b, pgURL, "analyze")
					pages("-analyzed")
				}
			}
			if path := os.Getenv("CC112_STARTUP_HEAPPROFILE"); path != "" { // what holds the heap after the start
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := pprof.WriteHeapProfile(f); err != nil {
					b.Fatal(err)
				}
				_ = f.Close()
			}
			runtime.KeepAlive(e) // the heap it holds is the figure
			runtime.KeepAlive(metrics)
			b.ReportMetric(opened.Seconds(), "journal-open-s")
			b.ReportMetric(openedCPU.Seconds(), "journal-open-cpu-s")
			b.ReportMetric(took.Seconds(), "from-checkpoint-s")
			b.ReportMetric(cpu.Seconds(), "from-checkpoint-cpu-s")
			b.ReportMetric(float64(ms.HeapInuse)/1e6, "heap-MB")
			b.ReportMetric(float64(st.LastBytes)/1e6, "checkpoint-MB")
			b.ReportMetric(float64(st.LastPause.Microseconds())/1000, "pause-ms")
			if os.Getenv("CC112_STARTUP_FULL") != "0" {
				_, full, fullCPU := start(false)
				b.ReportMetric(full.Seconds(), "full-replay-s")
				b.ReportMetric(fullCPU.Seconds(), "full-replay-cpu-s")
			}
		})
	}
}

// generateYears fills j with total events through the real engine, as
// dispatchd writes them, and returns the engine that wrote them (its
// journal flushed), its clock and its journal.
func generateYears(b *testing.B, j cc112.Journal, store cc112.CheckpointStore, total int, archive bool) (*dispatch.Engine, *clocktest.Clock, *bulkJournal) {
	b.Helper()
	ctx := context.Background()
	bulk := &bulkJournal{j: j}
	clock := clocktest.New(genFrom)
	cfg := dispatch.Config{Journal: bulk, Clock: clock, Logger: quiet, Checkpoints: store}
	if archive {
		archivedMetrics(&cfg, j)
	}
	eng, err := dispatch.New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	units := make([]cc112.Unit, 200)
	for i := range units {
		units[i] = cc112.Unit{ID: fmt.Sprintf("u%03d", i), Callsign: fmt.Sprintf("U-%03d", i), Type: types[i%len(types)],
			Agency: "x", Status: cc112.UnitAvailable, Location: cityPoint(r)}
	}
	if err := eng.RegisterUnits(ctx, units); err != nil {
		b.Fatal(err)
	}
	move := func(id string) {
		clock.Advance(15 * time.Second) // one journaled sample per -position-sample
		p := cityPoint(r)
		if _, err := eng.UpdatePosition(ctx, id, dispatch.Position{Lat: &p.Lat, Lon: &p.Lon}); err != nil {
			b.Fatal(err)
		}
	}
	for n := 1; int(eng.LastSeq()) < total; n++ {
		if archive && n%48 == 0 { // dispatchd sweeps every minute; once a simulated day is enough here
			if _, err := eng.ArchiveClosed(ctx); err != nil {
				b.Fatal(err)
			}
		}
		clock.Advance(30 * time.Minute) // ~17,000 incidents a year
		p := cityPoint(r)
		inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatTrafficAccident, Location: &p,
			Description: "Tabrakan motor", Caller: &cc112.Caller{Name: "Warga", Phone: "081234567890"}}, "", "")
		if err != nil {
			b.Fatal(err)
		}
		if res, err := eng.AutoAssign(ctx, inc.ID, "", ""); err == nil {
			for _, u := range res.Assigned { // each trip: breadcrumbs en route and on scene
				_, _ = eng.SetUnitStatus(ctx, u, cc112.UnitEnroute, "", "")
				for range 20 {
					move(u)
				}
				_, _ = eng.SetUnitStatus(ctx, u, cc112.UnitOnscene, "", "")
				for range 10 {
					move(u)
				}
			}
		}
		if _, err := eng.CloseIncident(ctx, inc.ID, "selesai", "", ""); err != nil {
			b.Fatal(err)
		}
	}
	if err := bulk.finish(); err != nil {
		b.Fatal(err)
	}
	return eng, clock, bulk
}

// journalReopener returns what opens the same new journal of that name
// (one of testjournal.Names) again and again, and for PostgreSQL the
// database's URL.
func journalReopener(b *testing.B, name string) (func() cc112.Journal, string) {
	if name == "bolt" {
		dir := b.TempDir()
		return func() cc112.Journal { return testjournal.BoltAt(b, dir) }, ""
	}
	url := pgtest.URL(b)
	return func() cc112.Journal { return testjournal.PostgresAt(b, url) }, url
}

const historyWindow = 7 * 24 * time.Hour

// archivedMetrics wires cfg as dispatchd with its history out of memory:
// j's archive, and a metrics index checkpointed with the engine that
// forgets archived incidents and reads their records from j.
func archivedMetrics(cfg *dispatch.Config, j cc112.Journal) *kpi.Index {
	metrics := kpi.NewIndex(cc112.WIB)
	metrics.UseArchive(j.(kpi.Archive))
	cfg.Archive, cfg.HistoryWindow = j.(cc112.IncidentArchive), historyWindow
	cfg.OnIncident = func(inc *cc112.Incident) { metrics.Put(kpi.FromIncident(inc)) }
	cfg.OnIncidentState, cfg.OnArchived = metrics, metrics.Forget
	return metrics
}

// genFrom is when the generated years begin.
var genFrom = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)

// residentMB is a line of the process's resident memory in
// /proc/self/status (RssAnon:, RssFile:), in MB.
func residentMB(b *testing.B, field string) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1000
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// moveUnits journals n position samples through eng (a tail after a
// checkpoint) and returns the last seq.
func moveUnits(b *testing.B, eng *dispatch.Engine, clock *clocktest.Clock, n int) uint64 {
	b.Helper()
	ctx := context.Background()
	units := eng.Units()
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < n; {
		clock.Advance(15 * time.Second)
		for _, u := range units {
			if i == n {
				break
			}
			p := cityPoint(r)
			if _, err := eng.UpdatePosition(ctx, u.ID, dispatch.Position{Lat: &p.Lat, Lon: &p.Lon}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	return eng.LastSeq()
}

// bulkJournal acknowledges at once and stores in large batches, a few in
// flight: generating years of events one fsync per command would take
// days. Only for building a benchmark's journal.
type bulkJournal struct {
	j       cc112.Journal
	buf     []cc112.Event
	pending []<-chan error
	err     error
}

var closedNil = func() chan error { c := make(chan error); close(c); return c }()

func (b *bulkJournal) Append(evs []cc112.Event) <-chan error {
	b.buf = append(b.buf, evs...)
	if len(b.buf) >= 4096 {
		b.flush()
	}
	return closedNil
}

func (b *bulkJournal) flush() {
	if len(b.buf) == 0 {
		return
	}
	b.pending = append(b.pending, b.j.Append(b.buf))
	b.buf = nil
	for len(b.pending) > 8 {
		if err := <-b.pending[0]; err != nil && b.err == nil {
			b.err = err
		}
		b.pending = b.pending[1:]
	}
}

func (b *bulkJournal) finish() error {
	b.flush()
	for _, ch := range b.pending {
		if err := <-ch; err != nil && b.err == nil {
			b.err = err
		}
	}
	b.pending = nil
	return b.err
}

func (b *bulkJournal) Replay(ctx context.Context, after uint64, fn func(cc112.Event) error) error {
	return b.j.Replay(ctx, after, fn)
}
func (b *bulkJournal) LastSeq() uint64                { return b.j.LastSeq() }
func (b *bulkJournal) Ping(ctx context.Context) error { return b.j.Ping(ctx) }
func (b *bulkJournal) Close() error                   { return b.j.Close() }
