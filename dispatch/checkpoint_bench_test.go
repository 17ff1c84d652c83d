package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"cc112"
	"cc112/internal/clocktest"
)

// BenchmarkCheckpointPause is what a checkpoint holds the write lock for:
// copying the core's state (ns/op), with 17,000 closed incidents (a year
// of the city) and 1,000 open ones. The copy is encoded and stored after
// the lock is released.
func BenchmarkCheckpointPause(b *testing.B) {
	for _, closed := range []int{17_000, 170_000} {
		b.Run(fmt.Sprint(closed, "-closed"), func(b *testing.B) {
			clock := clocktest.New(t0)
			e, err := New(context.Background(), Config{Journal: &memJournal{}, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for i := range closed + 1000 {
				clock.Advance(time.Minute)
				p := near(float64(i%500), float64(i%300))
				inc, err := e.CreateIncident(ctx, NewIncident{Category: cc112.CatMedical, Location: &p, Address: "Jl. Darmo",
					Description: "Pingsan di pinggir jalan", Caller: &cc112.Caller{Name: "Warga", Phone: "081234567890"}}, "", "")
				if err != nil {
					b.Fatal(err)
				}
				if i < closed {
					if _, err := e.CloseIncident(ctx, inc.ID, "selesai", "", ""); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			for b.Loop() {
				e.mu.RLock()
				for _, p := range e.ckpt.parts {
					_ = p.snap.Snapshot()
				}
				e.mu.RUnlock()
			}
		})
	}
}
