package live

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// BenchmarkFanout publishes unit-sized events to clients connected over
// loopback and waits until every client has read each one. Clients run in
// the same process, so ns/op is the whole cost of delivering one event to
// all of them, both ends included. views=mixed publishes incidents with a
// caller to clients of whom half are police (two views of each event).
//
//	go test -run '^$' -bench Fanout -benchtime 2000x ./live/
func BenchmarkFanout(b *testing.B) {
	for _, tc := range []struct {
		n     int
		mixed bool
	}{{100, false}, {500, false}, {100, true}, {500, true}} {
		n := tc.n
		name := fmt.Sprintf("clients=%d", n)
		if tc.mixed {
			name += "/views=mixed"
		}
		b.Run(name, func(b *testing.B) {
			f := newFixture(b, Config{Viewer: testViewer, Payloads: dispatch.LivePayloads})
			var got atomic.Int64
			var wg sync.WaitGroup
			for k := 0; k < n; k++ {
				query := ""
				if tc.mixed && k%2 == 0 {
					query = "viewer=police"
				}
				c := f.dial(query).ws
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						if _, _, err := c.ReadMessage(); err != nil {
							return
						}
						got.Add(1)
					}
				}()
			}
			for got.Load() < int64(n) { // the snapshots
				time.Sleep(time.Millisecond)
			}
			u := f.eng.Units()[0]
			inc := &cc112.Incident{ID: "I1", Category: cc112.CatFire, Status: cc112.IncidentNew,
				Caller: &cc112.Caller{Name: "Siti", Phone: "+6281234567890"}, Assignments: []*cc112.Assignment{}}
			b.ReportAllocs()
			b.ResetTimer()
			for k := 0; k < b.N; k++ {
				if tc.mixed {
					c := *inc
					c.Location = geo.Point{Lat: -7.25 - float64(k)*1e-6, Lon: 112.75}
					f.hub.Publish("incident.updated", &c)
				} else {
					u.Location = geo.Point{Lat: -7.25 - float64(k)*1e-6, Lon: 112.75}
					f.hub.Publish("unit.moved", u)
				}
				for k%16 == 15 && got.Load() < int64(n)*int64(k+1) {
					time.Sleep(50 * time.Microsecond) // bounded lag: stay under QueueLen
				}
			}
			for got.Load() < int64(n)*int64(b.N+1) {
				time.Sleep(50 * time.Microsecond)
			}
			b.StopTimer()
			_ = f.hub.Close(b.Context())
			wg.Wait()
		})
	}
}
