package cc112

import (
	"errors"
	"sync"
)

// ErrJournalClosed is returned for appends after Close.
var ErrJournalClosed = errors.New("journal closed")

// GroupCommitter turns a slow "write and sync this batch" function into a
// Journal-style Append: events queued while one batch is being synced are
// written together by the next one, so N concurrent commands cost about one
// fsync instead of N. Journal adapters embed it.
type GroupCommitter struct {
	flush    func([]Event) error
	maxBatch int

	mu      sync.Mutex
	cond    *sync.Cond
	pending []Event
	waiters []chan error
	closed  bool
	done    chan struct{}
}

// NewGroupCommitter starts the commit loop. flush must write the batch
// durably; maxBatch bounds the events per flush (0 means 4096).
func NewGroupCommitter(flush func([]Event) error, maxBatch int) *GroupCommitter {
	if maxBatch <= 0 {
		maxBatch = 4096
	}
	g := &GroupCommitter{flush: flush, maxBatch: maxBatch, done: make(chan struct{})}
	g.cond = sync.NewCond(&g.mu)
	go g.loop()
	return g
}

// Append queues events; see Journal.Append.
func (g *GroupCommitter) Append(events []Event) <-chan error {
	ch := make(chan error, 1)
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		ch <- ErrJournalClosed
		return ch
	}
	g.pending = append(g.pending, events...)
	g.waiters = append(g.waiters, ch)
	g.cond.Signal()
	g.mu.Unlock()
	return ch
}

func (g *GroupCommitter) loop() {
	defer close(g.done)
	var failed error
	for {
		g.mu.Lock()
		for len(g.waiters) == 0 && !g.closed {
			g.cond.Wait()
		}
		if len(g.waiters) == 0 && g.closed {
			g.mu.Unlock()
			return
		}
		batch, waiters := g.pending, g.waiters
		g.pending, g.waiters = nil, nil
		g.mu.Unlock()

		// Once a flush failed, later events cannot be written after the gap:
		// fail them all, the engine stops taking commands.
		err := failed
		for len(batch) > 0 && err == nil {
			n := min(len(batch), g.maxBatch)
			err = g.flush(batch[:n])
			batch = batch[n:]
		}
		if err != nil {
			failed = err
		}
		for _, w := range waiters {
			w <- err
		}
	}
}

// Close waits for queued events to be flushed and stops the loop.
func (g *GroupCommitter) Close() {
	g.mu.Lock()
	g.closed = true
	g.cond.Signal()
	g.mu.Unlock()
	<-g.done
}
