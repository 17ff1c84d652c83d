package main

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"cc112/internal/pgtest"
)

// BenchmarkFailover measures, per run, the time from SIGKILL of the leader
// to the first command the standby acknowledges (clients retrying every
// 50 ms). Run it with -benchtime 10x for the figure in docs/benchmarks.md.
func BenchmarkFailover(b *testing.B) {
	var took []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := pgtest.URL(b)
		args := "-addr 127.0.0.1:0 -database-url " + url + " -demo -sim=false"
		a := startChild(b, args)
		s := startChild(b, args)
		client := clusterClient(b, childURL(a))
		if _, ok := keyedIncident(client, childURL(a), fmt.Sprintf("before-%d", i), i); !ok {
			b.Fatal("leader did not acknowledge")
		}
		b.StartTimer()
		start := time.Now()
		kill9(b, a)
		deadline := start.Add(60 * time.Second)
		for {
			if _, ok := keyedIncident(client, childURL(s), fmt.Sprintf("after-%d", i), i); ok {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("standby never took over")
			}
			time.Sleep(50 * time.Millisecond)
		}
		took = append(took, time.Since(start))
		b.StopTimer()
		kill9(b, s)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	rank := func(p float64) time.Duration { // nearest rank
		k := int(p*float64(len(took))+0.999999) - 1
		return took[max(0, k)]
	}
	b.ReportMetric(rank(0.5).Seconds(), "p50_s")
	b.ReportMetric(rank(0.9).Seconds(), "p90_s")
	b.ReportMetric(took[len(took)-1].Seconds(), "max_s")
}
