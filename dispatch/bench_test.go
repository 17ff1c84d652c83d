package dispatch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/dispatch"
	"cc112/geo"
)

// nopJournal acknowledges at once: the engine's own cost, without storage.
type nopJournal struct{ seq atomic.Uint64 }

func (j *nopJournal) Append(evs []cc112.Event) <-chan error {
	j.seq.Store(evs[len(evs)-1].Seq)
	ch := make(chan error, 1)
	ch <- nil
	return ch
}
func (j *nopJournal) Replay(context.Context, uint64, func(cc112.Event) error) error { return nil }
func (j *nopJournal) LastSeq() uint64                                               { return j.seq.Load() }
func (j *nopJournal) Ping(context.Context) error                                    { return nil }
func (j *nopJournal) Close() error                                                  { return nil }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var types = []cc112.UnitType{cc112.UnitFire, cc112.UnitPolice, cc112.UnitDKP, cc112.UnitAmbulance, cc112.UnitRescue}

// cityPoint is a random point in Surabaya's bounding box.
func cityPoint(r *rand.Rand) geo.Point {
	return geo.Point{Lat: -7.35 + r.Float64()*0.16, Lon: 112.60 + r.Float64()*0.25}
}

func benchEngine(b *testing.B, j cc112.Journal, units int) *dispatch.Engine {
	b.Helper()
	ctx := context.Background()
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	list := make([]cc112.Unit, units)
	for i := range list {
		t := types[i%len(types)]
		list[i] = cc112.Unit{ID: fmt.Sprintf("u%05d", i), Callsign: fmt.Sprintf("U-%05d", i), Type: t,
			Agency: "x", Status: cc112.UnitAvailable, Location: cityPoint(r)}
	}
	for start := 0; start < len(list); start += 1000 {
		if err := eng.RegisterUnits(ctx, list[start:min(start+1000, len(list))]); err != nil {
			b.Fatal(err)
		}
	}
	return eng
}

// BenchmarkRecommend ranks the 5 best available units of one type (and of
// any type) for incidents all over the city; it reports the p99 latency.
func BenchmarkRecommend(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		for _, typ := range []cc112.UnitType{cc112.UnitFire, ""} {
			name := fmt.Sprintf("units=%d/type=%s", n, typ)
			if typ == "" {
				name = fmt.Sprintf("units=%d/type=any", n)
			}
			b.Run(name, func(b *testing.B) {
				eng := benchEngine(b, &nopJournal{}, n)
				r := rand.New(rand.NewPCG(3, 4))
				var ids []string
				for i := 0; i < 64; i++ {
					p := cityPoint(r)
					inc, err := eng.CreateIncident(context.Background(), dispatch.NewIncident{Category: cc112.CatFire, Location: &p}, "", "")
					if err != nil {
						b.Fatal(err)
					}
					ids = append(ids, inc.ID)
				}
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					recs, err := eng.Recommend(ids[i%len(ids)], typ, 5)
					lat = append(lat, time.Since(t0))
					if err != nil || len(recs) != 5 {
						b.Fatal(err, len(recs))
					}
				}
				b.StopTimer()
				sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
				b.ReportMetric(float64(lat[(len(lat)*99)/100].Nanoseconds())/1000, "p99-µs")
			})
		}
	}
}

// BenchmarkCommandsNoJournal measures the engine alone: create an incident,
// assign a unit, close it (3 commands per iteration, reported per command).
func BenchmarkCommandsNoJournal(b *testing.B) {
	eng := benchEngine(b, &nopJournal{}, 100)
	ctx := context.Background()
	p := geo.Point{Lat: -7.2458, Lon: 112.7378}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatMedical, Location: &p}, "", "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := eng.Assign(ctx, inc.ID, fmt.Sprintf("u%05d", (i%20)*5+3), "", ""); err != nil {
			b.Fatal(err)
		}
		if _, err := eng.CloseIncident(ctx, inc.ID, "ok", "", ""); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(3*b.N)/b.Elapsed().Seconds(), "commands/s")
}

// BenchmarkBoltCommands creates incidents from concurrent clients on the
// bbolt journal: each answer waits for its fsync. clients=1 is one fsync
// per command; clients=64 shows what group commit buys.
func BenchmarkBoltCommands(b *testing.B) {
	for _, clients := range []int{1, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			j, err := bolt.Open(b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close()
			eng := benchEngine(b, j, 10)
			p := geo.Point{Lat: -7.2458, Lon: 112.7378}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := eng.CreateIncident(context.Background(), dispatch.NewIncident{Category: cc112.CatFire, Location: &p}, "", ""); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acked/s")
		})
	}
}

// BenchmarkReplay1M measures start-up: replaying a bbolt journal of
// 1,000,000 events (incidents with their dispatch, status and closing
// events, the mix a real day produces) into a new engine.
func BenchmarkReplay1M(b *testing.B) {
	dir := b.TempDir()
	j, err := bolt.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	const total = 1_000_000
	writeEvents(b, j, total)
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j, err := bolt.Open(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		eng, err := dispatch.New(context.Background(), dispatch.Config{Journal: j, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		if eng.LastSeq() != total {
			b.Fatalf("replayed %d events", eng.LastSeq())
		}
		_ = j.Close()
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
}

// writeEvents fills a journal with a realistic event mix through the real
// engine (so the events are exactly what dispatchd writes).
func writeEvents(b *testing.B, j cc112.Journal, total int) {
	b.Helper()
	// Record what the engine emits on a fast journal, then store it in
	// large batches: building 1M events one fsync at a time would take hours.
	rec := &recordingJournal{}
	eng := benchEngine(b, rec, 200)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; rec.n() < total; i++ {
		p := cityPoint(r)
		inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatTrafficAccident, Location: &p,
			Description: "Tabrakan motor dan mobil", Caller: &cc112.Caller{Name: "Warga", Phone: "081234567890"}}, "", "")
		if err != nil {
			b.Fatal(err)
		}
		res, err := eng.AutoAssign(ctx, inc.ID, "", "")
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range res.Assigned {
			_, _ = eng.SetUnitStatus(ctx, u, cc112.UnitEnroute, "", "")
			_, _ = eng.SetUnitStatus(ctx, u, cc112.UnitOnscene, "", "")
		}
		if _, err := eng.CloseIncident(ctx, inc.ID, "selesai", "", ""); err != nil {
			b.Fatal(err)
		}
	}
	evs := rec.events[:total]
	for start := 0; start < len(evs); start += 20000 {
		if err := <-j.Append(evs[start:min(start+20000, len(evs))]); err != nil {
			b.Fatal(err)
		}
	}
}

type recordingJournal struct {
	mu     sync.Mutex
	events []cc112.Event
}

func (j *recordingJournal) Append(evs []cc112.Event) <-chan error {
	j.mu.Lock()
	for _, ev := range evs {
		ev.Data = append(json.RawMessage(nil), ev.Data...)
		j.events = append(j.events, ev)
	}
	j.mu.Unlock()
	ch := make(chan error, 1)
	ch <- nil
	return ch
}
func (j *recordingJournal) n() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.events)
}
func (j *recordingJournal) Replay(context.Context, uint64, func(cc112.Event) error) error { return nil }
func (j *recordingJournal) LastSeq() uint64                                               { return uint64(j.n()) }
func (j *recordingJournal) Ping(context.Context) error                                    { return nil }
func (j *recordingJournal) Close() error                                                  { return nil }
