package shrink

import (
	"fmt"
	"runtime"
	"testing"
)

// Deleting all but a few keys leaves a map of their size, with the same
// keys and values; each rebuild happens at a quarter of the peak.
func TestDeleteRebuildsBelowAQuarter(t *testing.T) {
	m := map[string]int{}
	for k := range 100_000 {
		m[fmt.Sprint(k)] = k
	}
	peak, rebuilt := 0, 0
	for k := range 99_990 {
		was := max(peak, len(m))
		Delete(&m, &peak, fmt.Sprint(k))
		if peak < was { // rebuilt: the peak is the new size
			rebuilt++
			if peak != len(m) || len(m) >= was/4 {
				t.Fatalf("rebuilt at %d keys of a peak of %d", len(m), was)
			}
		}
	}
	if len(m) != 10 || m["99995"] != 99995 || rebuilt == 0 || rebuilt > 8 {
		t.Fatalf("%d keys left, %d rebuilds", len(m), rebuilt)
	}
}

// BenchmarkSweptMap: the heap a map of 200,000 keys keeps once all but 10
// are deleted, with plain delete and with Delete.
func BenchmarkSweptMap(b *testing.B) {
	for _, name := range []string{"delete", "shrink.Delete"} {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				base := heap()
				m := map[uint64]int32{}
				for k := range 200_000 {
					m[uint64(k)*0x9E3779B97F4A7C15] = int32(k)
				}
				peak := 0
				for k := range 199_990 {
					if name == "delete" {
						delete(m, uint64(k)*0x9E3779B97F4A7C15)
					} else {
						Delete(&m, &peak, uint64(k)*0x9E3779B97F4A7C15)
					}
				}
				b.ReportMetric((heap()-base)/1e6, "heap-MB-after")
				runtime.KeepAlive(m)
			}
		})
	}
}

func heap() float64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc)
}
