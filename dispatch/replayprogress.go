package dispatch

import (
	"log/slog"
	"time"
)

// replayProgress logs how far the start-up replay has got, every interval:
// replay time grows with the journal (seconds at tens of thousands of
// incidents) until snapshots land, and an operator must see it move rather
// than a server that seems hung.
type replayProgress struct {
	log         *slog.Logger
	now         func() time.Time
	every       time.Duration
	total       uint64
	start, next time.Time
}

func newReplayProgress(log *slog.Logger, now func() time.Time, every time.Duration, total uint64) *replayProgress {
	t := now()
	return &replayProgress{log: log, now: now, every: every, total: total, start: t, next: t.Add(every)}
}

// step is told after each event that done events are replayed.
func (p *replayProgress) step(done uint64) {
	if p.every <= 0 {
		return
	}
	t := p.now()
	if t.Before(p.next) {
		return
	}
	p.next = t.Add(p.every)
	took := t.Sub(p.start)
	rate := float64(done) / took.Seconds()
	attrs := []any{"events", done, "total", p.total, "per_second", int64(rate), "elapsed", took.Round(time.Second)}
	if p.total > 0 && done <= p.total {
		attrs = append(attrs, "percent", done*100/p.total,
			"remaining", time.Duration(float64(p.total-done)/rate*float64(time.Second)).Round(time.Second))
	}
	p.log.Info("replaying the journal (start-up time grows with it)", attrs...)
}
