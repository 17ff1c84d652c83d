package live

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cc112/geo"
)

// BenchmarkFanout publishes unit-sized events to clients connected over
// loopback and waits until every client has read each one. Clients run in
// the same process, so ns/op is the whole cost of delivering one event to
// all of them, both ends included.
//
//	go test -run '^$' -bench Fanout -benchtime 2000x ./live/
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{100, 500} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			f := newFixture(b, Config{})
			var got atomic.Int64
			var wg sync.WaitGroup
			for k := 0; k < n; k++ {
				c := f.dial("").ws
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
			b.ReportAllocs()
			b.ResetTimer()
			for k := 0; k < b.N; k++ {
				u.Location = geo.Point{Lat: -7.25 - float64(k)*1e-6, Lon: 112.75}
				f.hub.Publish("unit.moved", u)
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
