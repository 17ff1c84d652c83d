package postgres

import (
	"context"
	"runtime"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/internal/citytest"
	"cc112/internal/pgtest"
)

// BenchmarkCommands measures acknowledged commands per second (incidents
// created, each answered only after COMMIT) from 64 concurrent clients,
// with group commit and with one transaction per command.
func BenchmarkCommands(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts JournalOptions
	}{
		{"group-commit", JournalOptions{}},
		{"tx-per-command", JournalOptions{NoGroupCommit: true}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			db := openDB(b, pgtest.URL(b))
			j := openJournal(b, db, mode.opts)
			defer j.Close()
			eng, err := dispatch.New(ctx, dispatch.Config{Journal: j})
			if err != nil {
				b.Fatal(err)
			}
			p := citytest.Near(0, 0)
			b.SetParallelism(64 / max(1, testingProcs()))
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatMedical, Location: &p}, "", ""); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "cmds/s")
		})
	}
}

func testingProcs() int { return runtime.GOMAXPROCS(0) }
