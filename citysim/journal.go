package citysim

import (
	"context"
	"sync"
	"time"

	"cc112"
)

// memJournal is the simulation's journal: the engine's events kept in
// memory (a simulated city is thrown away after its report), so that a
// year of commands runs without a disk write each. Keep false stores only
// the count: the event log is for tests and short runs.
type memJournal struct {
	mu     sync.Mutex
	keep   bool
	events []cc112.Event
	last   uint64
}

var _ cc112.Journal = (*memJournal)(nil)

var done = func() <-chan error {
	ch := make(chan error)
	close(ch)
	return ch
}()

func (j *memJournal) Append(events []cc112.Event) <-chan error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, ev := range events {
		j.last = ev.Seq
		if j.keep {
			ev.Data = append([]byte(nil), ev.Data...)
			j.events = append(j.events, ev)
		}
	}
	return done
}

func (j *memJournal) Replay(ctx context.Context, after uint64, fn func(cc112.Event) error) error {
	j.mu.Lock()
	evs := append([]cc112.Event(nil), j.events...)
	j.mu.Unlock()
	for _, ev := range evs {
		if ev.Seq <= after {
			continue
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	return nil
}

func (j *memJournal) LastSeq() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.last
}

func (j *memJournal) Ping(context.Context) error { return nil }
func (j *memJournal) Close() error               { return nil }

// Events returns a copy of the kept events.
func (j *memJournal) Events() []cc112.Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]cc112.Event(nil), j.events...)
}

// simClock is the simulated time: it moves only when the event loop sets it.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
